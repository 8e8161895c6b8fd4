/**
 * What an exit tells people when it keeps failing: one CRITICAL alert per account naming the cause the broker gave
 * (a freeze rejection is not "account down"), resolved when the account is flat. Also where a freeze rejection's
 * limit is learned, so the next attempt re-slices below it.
 */
import { inTransaction } from "@/lib/db/transaction";
import { raiseAlert, resolveAlertsNow } from "@/lib/db/queries/alerts";
import { listAccountIntents } from "@/lib/db/queries/intents";
import type { ExitWithAccounts } from "@/lib/db/queries/exits";
import { log } from "@/lib/log";
import { classifyRejection, REJECTION_CAUSES, type RejectionCause } from "@/lib/trading/rejection-cause";
import { learnFreezeFromRejection } from "./freeze";

type Account = ExitWithAccounts["accounts"][number];

/**
 * An account whose exit keeps failing is shown to its owner on every page (an open CRITICAL alert), while the exit
 * goes on retrying; the alert is resolved when the account is flat.
 */
export async function alertFailure(
  exit: ExitWithAccounts,
  a: Account,
  why: string,
  cause: RejectionCause,
): Promise<void> {
  const { title, advice } = REJECTION_CAUSES[cause];
  const message = `Exit (${exit.reason.toLowerCase().replace("_", " ")}) of ${a.account.name} is failing — ${title}: ${why}. Still retrying; ${advice}.`;
  await inTransaction((tx) =>
    raiseAlert(tx, {
      ownerId: a.account.ownerId,
      accountId: a.accountId,
      kind: "exit_failed",
      cause,
      severity: "CRITICAL",
      message,
    }),
  ).catch((err) => log().warn({ err }, "exit alert not raised"));
}

/**
 * The attempt's slices in the account that the broker did not take: their causes (the most frequent first), and a
 * freeze rejection's lesson recorded so the next attempt slices below the limit.
 */
export async function refusalsOf(
  runId: string,
  accountId: string,
): Promise<{ cause: RejectionCause; reason: string } | null> {
  const refused = (await listAccountIntents(runId, accountId)).filter(
    (i) => ["rejected", "skipped", "safe_to_resend"].includes(i.state) && i.reason,
  );
  if (refused.length === 0) return null;
  const counts = new Map<RejectionCause, number>();
  for (const i of refused) {
    const cause = classifyRejection(i.reason);
    counts.set(cause, (counts.get(cause) ?? 0) + 1);
    if (cause === "freeze")
      await learnFreezeFromRejection(i.exchange, i.symbol, i.quantity, i.reason ?? "").catch((err) =>
        log().warn({ err }, "freeze limit not learned"),
      );
  }
  const cause = [...counts].sort((x, y) => y[1] - x[1])[0][0];
  return { cause, reason: refused.find((i) => classifyRejection(i.reason) === cause)?.reason ?? "" };
}

/** One statement per account that turns flat (no transaction: nothing else is written with it). */
export async function clearFailureAlert(a: Account): Promise<void> {
  await resolveAlertsNow({ accountId: a.accountId, kind: "exit_failed" }, new Date()).catch((err) =>
    log().warn({ err }, "exit alert not resolved"),
  );
}
