/**
 * Risk events (`risk_events`, docs/risk.md "Events"): what the engine did and why — the rule, its level, the value
 * seen, the prices used with their times, the action, the exit it started — and what people changed on live runs.
 */
import type { Prisma, RiskEventAction, RiskRule } from "@/lib/generated/prisma/client";
import { db, sqlRows } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";
import { ownerFilter, type Scope } from "@/lib/auth/roles";

export interface NewRiskEvent {
  /** Chosen by the caller when it must name the event before it is stored (to record its exit later). */
  id?: string;
  ownerId: string;
  runId?: string | null;
  accountId?: string | null;
  legIndex?: number | null;
  rule: RiskRule;
  action: RiskEventAction;
  threshold?: string | null;
  observed?: string | null;
  prices?: readonly object[];
  exitId?: string | null;
  actorId?: string | null;
  message: string;
}

const data = (e: NewRiskEvent): Prisma.RiskEventUncheckedCreateInput => ({
  ...(e.id ? { id: e.id } : {}),
  ownerId: e.ownerId,
  runId: e.runId ?? null,
  accountId: e.accountId ?? null,
  legIndex: e.legIndex ?? null,
  rule: e.rule,
  action: e.action,
  threshold: e.threshold ?? null,
  observed: e.observed ?? null,
  prices: (e.prices ?? []) as Prisma.InputJsonArray,
  exitId: e.exitId ?? null,
  actorId: e.actorId ?? null,
  // Messages are the engine's own words or a rule diff; bounded all the same.
  message: e.message.slice(0, 2000),
});

export async function insertRiskEvent(tx: Tx, e: NewRiskEvent): Promise<{ id: string }> {
  return tx.riskEvent.create({ data: data(e), select: { id: true } });
}

export async function insertRiskEvents(tx: Tx, events: readonly NewRiskEvent[]): Promise<void> {
  if (events.length > 0) await tx.riskEvent.createMany({ data: events.map(data) });
}

/** Records the exit an EXIT event started (once). */
export async function setEventExit(id: string, exitId: string): Promise<void> {
  await db().riskEvent.updateMany({ where: { id, exitId: null }, data: { exitId } });
}

/**
 * EXIT events whose exit was never recorded (the worker stopped between firing and starting the exit): the sweep starts
 * (or joins) their exits again. Only recent ones: an older one's position has long been dealt with by a person.
 */
export function listEventsAwaitingExit(since: Date) {
  // Plain SQL: the risk sweep asks every second (docs/performance.md "Background work that competes with a trigger").
  return sqlRows<{
    id: string;
    ownerId: string;
    runId: string | null;
    accountId: string | null;
    legIndex: number | null;
    rule: RiskRule;
    createdAt: Date;
  }>(
    `SELECT id::text AS id, owner_id::text AS "ownerId", run_id::text AS "runId", account_id::text AS "accountId",
            leg_index AS "legIndex", rule::text AS rule, created_at AS "createdAt"
       FROM risk_events
      WHERE action = 'EXIT' AND exit_id IS NULL AND created_at >= $1
      ORDER BY created_at ASC
      LIMIT 100`,
    [since],
  );
}

/** Events a reader may see, newest first: of one run, or all of theirs. */
export function listRiskEventRows(scope: Scope, filter: { runId?: string; limit: number }) {
  return db().riskEvent.findMany({
    where: { ...ownerFilter(scope), ...(filter.runId ? { runId: filter.runId } : {}) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: filter.limit,
  });
}
export type RiskEventRow = Awaited<ReturnType<typeof listRiskEventRows>>[number];

/** Names of the accounts and people events name. */
export async function eventNames(accountIds: readonly string[], actorIds: readonly string[]) {
  const [accounts, actors] = await Promise.all([
    accountIds.length
      ? db().tradingAccount.findMany({ where: { id: { in: [...accountIds] } }, select: { id: true, name: true } })
      : [],
    actorIds.length
      ? db().user.findMany({ where: { id: { in: [...actorIds] } }, select: { id: true, name: true } })
      : [],
  ]);
  return {
    accounts: new Map(accounts.map((a) => [a.id, a.name])),
    actors: new Map(actors.map((u) => [u.id, u.name])),
  };
}
