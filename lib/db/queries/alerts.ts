import type { AlertSeverity } from "@/lib/generated/prisma/client";
import { db, sqlCount, sqlRows } from "@/lib/db/client";
import { coalescer } from "@/lib/db/queries/coalesce";
import type { Tx } from "@/lib/db/transaction";
import { ownerFilter, type Scope } from "@/lib/auth/roles";

export function openAlertsFor(scope: Scope) {
  return db().alert.findMany({
    where: { resolvedAt: null, ...ownerFilter(scope) },
    orderBy: { createdAt: "desc" },
    take: 50,
    include: { account: { select: { name: true } } },
  });
}

/** Opens an alert of `kind` for an account unless one is already open (idempotent across monitor runs). */
export async function raiseAlert(
  tx: Tx,
  data: {
    ownerId: string;
    accountId: string | null;
    kind: string;
    severity: AlertSeverity;
    message: string;
    cause?: string | null;
  },
) {
  const existing = await tx.alert.findFirst({
    where: { ownerId: data.ownerId, accountId: data.accountId, kind: data.kind, resolvedAt: null },
  });
  return existing ?? tx.alert.create({ data });
}

export function resolveAlerts(tx: Tx, where: { accountId: string; kind: string }, at: Date) {
  return tx.alert.updateMany({ where: { ...where, resolvedAt: null }, data: { resolvedAt: at } });
}

/**
 * resolveAlerts on its own, no transaction around it: calls made at the same moment (an exit's accounts turning flat
 * together) share one plain-SQL statement, each resolving its own account's alerts at its own time.
 */
const resolveBatch = coalescer(
  async (reqs: { accountId: string; kind: string; at: Date }[]) => {
    await sqlCount(
      `UPDATE alerts a SET resolved_at = v.at
       FROM unnest($1::uuid[], $2::text[], $3::timestamptz[]) AS v(account_id, kind, at)
      WHERE a.account_id = v.account_id AND a.kind = v.kind AND a.resolved_at IS NULL`,
      [reqs.map((r) => r.accountId), reqs.map((r) => r.kind), reqs.map((r) => r.at)],
    );
    return reqs.map(() => undefined);
  },
  (r) => [`${r.accountId}|${r.kind}`],
);

export function resolveAlertsNow(where: { accountId: string; kind: string }, at: Date): Promise<void> {
  return resolveBatch({ ...where, at });
}

export function dismissAlert(scope: Scope, id: string, at: Date) {
  return db().alert.updateMany({
    where: { id, resolvedAt: null, ...(scope.ownerId ? { ownerId: scope.ownerId } : {}) },
    data: { resolvedAt: at },
  });
}

/**
 * Every open alert of `kind`, across owners (the health monitor's, the risk sweep's and the live prices' stale checks).
 * Plain SQL: those sweeps run every second or few, all day (docs/performance.md "Background work that competes with a
 * trigger").
 */
export function openAlertsOfKind(
  kind: string,
): Promise<{ id: string; ownerId: string; accountId: string | null; message: string }[]> {
  return sqlRows(
    `SELECT id::text AS id, owner_id::text AS "ownerId", account_id::text AS "accountId", message
       FROM alerts WHERE kind = $1 AND resolved_at IS NULL`,
    [kind],
  );
}

export function resolveAlertIds(tx: Tx, ids: readonly string[], at: Date) {
  return tx.alert.updateMany({ where: { id: { in: [...ids] }, resolvedAt: null }, data: { resolvedAt: at } });
}

/** The owner of an alert (null when it does not exist). */
export async function alertOwnerId(id: string): Promise<string | null> {
  return (await db().alert.findUnique({ where: { id }, select: { ownerId: true } }))?.ownerId ?? null;
}

/** Rewrites an open alert's message (a condition that changed while it lasts, e.g. which contracts are stale). */
export function updateOpenAlertMessage(tx: Tx, id: string, message: string) {
  return tx.alert.updateMany({ where: { id, resolvedAt: null }, data: { message } });
}
