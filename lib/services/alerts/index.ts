import { alertOwnerId, dismissAlert, openAlertsFor } from "@/lib/db/queries/alerts";
import { log } from "@/lib/log";
import { publishUserEvent } from "@/lib/realtime/user-events";
import { authorize } from "@/lib/auth/authorize";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";
import { REJECTION_CAUSES, type RejectionCause } from "@/lib/trading/rejection-cause";

const isCause = (c: string | null): c is RejectionCause => c !== null && c in REJECTION_CAUSES;

/**
 * The label an alert is shown under, from its kind and (for broker refusals) its cause — never from its severity:
 * a CRITICAL exit failure caused by a freeze rejection is not an account outage.
 */
export function alertTitle(kind: string, cause: string | null): string {
  // "Account down: broker refused the key or session" and "…: broker unreachable" call for different fixes.
  const withCause = (title: string) =>
    isCause(cause) && cause !== "other" ? `${title}: ${REJECTION_CAUSES[cause].title}` : title;
  switch (kind) {
    case "account_down":
      return withCause("Account down");
    case "primary_failover":
      return "Market-data source switched";
    case "exit_failed":
      return isCause(cause) ? `Exit failing: ${REJECTION_CAUSES[cause].title}` : "Exit failing";
    case "signal_failed":
      return "Alert did not trade";
    case "intents_expired":
      return "Orders expired unsent";
    case "market_data_stale_real":
      return "Live prices stale";
    case "market_data_stale_simulated":
      return "Live simulated prices stale";
    case "copy_rejected":
      return withCause("Copy rejected");
    case "copy_drift":
      return "Child off its copy share";
    case "copy_limit":
      return "Copy cut by a limit";
    case "copy_child_paused":
      return withCause("Copying paused for a child");
    case "readiness_red":
      return "Account not ready";
    case "calendar_refresh_failed":
      return "Trading calendar not refreshed";
    case "notification_failed":
      return "Notifications failing";
      return "Copying paused for a child";
    case "risk_prices_stale":
      return "Risk checks skipped: prices stale";
    default:
      return isCause(cause) ? REJECTION_CAUSES[cause].title : "Notice";
  }
}

export async function openAlerts(actor: Actor) {
  return (await openAlertsFor(scopeOf(actor))).map((a) => ({
    id: a.id,
    kind: a.kind,
    cause: a.cause,
    title: alertTitle(a.kind, a.cause),
    severity: a.severity,
    message: a.message,
    accountId: a.accountId,
    accountName: a.account?.name ?? null,
    createdAt: a.createdAt.toISOString(),
  }));
}

export type AlertJson = Awaited<ReturnType<typeof openAlerts>>[number];

export async function dismiss(actor: Actor, id: string): Promise<void> {
  authorize(actor, "alert.dismiss");
  const at = new Date();
  const { count } = await dismissAlert(scopeOf(actor), id, at);
  if (count === 0) throw new NotFoundError("Alert");
  // Every open page of the owner drops the banner at once (docs/live-streams.md "The user stream").
  const owner = await alertOwnerId(id);
  if (owner)
    await publishUserEvent(owner, {
      type: "alert",
      alertId: id,
      accountId: null,
      change: "resolved",
      at: at.toISOString(),
    }).catch((err) => log().warn({ err }, "alert event not published"));
}
