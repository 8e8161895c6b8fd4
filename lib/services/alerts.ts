import { dismissAlert, openAlertsFor } from "@/lib/db/queries/alerts";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";

export async function openAlerts(actor: Actor) {
  return (await openAlertsFor(scopeOf(actor))).map((a) => ({
    id: a.id,
    kind: a.kind,
    severity: a.severity,
    message: a.message,
    accountId: a.accountId,
    accountName: a.account?.name ?? null,
    createdAt: a.createdAt.toISOString(),
  }));
}

export async function dismiss(actor: Actor, id: string): Promise<void> {
  const { count } = await dismissAlert(scopeOf(actor), id, new Date());
  if (count === 0) throw new NotFoundError("Alert");
}
