import type { Prisma, SignalVerdict } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";

export type NewSignal = Prisma.SignalUncheckedCreateInput;

/** Writes one alert-log row (outside or inside a transaction). */
export function insertSignal(data: NewSignal, tx?: Tx) {
  return (tx ?? db()).signal.create({ data, select: { id: true } });
}

/** The accepted alert a sender's `id` already produced on this webhook (at most one: a partial unique index). */
export function findAcceptedByClientId(webhookId: string, clientId: string, tx?: Tx) {
  return (tx ?? db()).signal.findFirst({
    where: { webhookId, clientId, verdict: "ACCEPTED" },
    select: { id: true, runId: true },
  });
}

/** The newest accepted alert with the same raw body received since `since` (the dedupe window). */
export function findAcceptedByBodyHash(webhookId: string, bodyHash: string, since: Date, tx?: Tx) {
  return (tx ?? db()).signal.findFirst({
    where: { webhookId, bodyHash, verdict: "ACCEPTED", receivedAt: { gte: since } },
    orderBy: { receivedAt: "desc" },
    select: { id: true, runId: true },
  });
}

/** One signal with what the worker needs: its webhook's id and its strategy. */
export function findSignalForWork(id: string) {
  return db().signal.findUnique({
    where: { id },
    include: { strategy: true },
  });
}

export function setSignalExit(id: string, exitId: string) {
  return db().signal.update({ where: { id }, data: { exitId }, select: { id: true } });
}

/** Marks a signal handed on (or failed, with the reason); only once. Returns whether this call did it. */
export async function markSignalProcessed(id: string, at: Date, error: string | null): Promise<boolean> {
  const r = await db().signal.updateMany({ where: { id, processedAt: null }, data: { processedAt: at, error } });
  return r.count === 1;
}

/** Alert-log rows of a strategy by verdict (tests and the log page). */
export function countSignals(where: { strategyId?: string; verdict?: SignalVerdict }) {
  return db().signal.count({ where });
}

/** What may hold back an alert's entry (docs/webhooks.md "What the workers do"); every field null: it may go now. */
export interface EntryBlockers {
  /** The oldest accepted alert of the strategy, received before this one, that the workers have not handed on. */
  earlierSignalId: string | null;
  /**
   * The oldest exit still working that would trade where the entry trades: one of the strategy's own (strategy, run or
   * excess scope) or an account, owner or global exit that includes one of the strategy's accounts. An exit counts
   * while one of its accounts is pending, or failed and still retried.
   */
  exitId: string | null;
  /** An accepted EXIT or REVERSE of the strategy received after this alert: it supersedes the entry. */
  laterExitSignalId: string | null;
}

/** One round trip for the three questions of `EntryBlockers`. */
export async function findEntryBlockers(s: {
  id: string;
  strategyId: string;
  ownerId: string;
  receivedAt: Date;
  accountIds: readonly string[];
  accountTags: readonly string[];
}): Promise<EntryBlockers> {
  const [row] = await db().$queryRawUnsafe<EntryBlockers[]>(
    `WITH accts AS (SELECT id FROM trading_accounts
                     WHERE owner_id = $2::uuid AND active AND (id = ANY($3::uuid[]) OR tags && $4::text[])),
          mine AS (SELECT id FROM strategy_runs WHERE strategy_id = $1::uuid)
     SELECT
       (SELECT id::text FROM signals
         WHERE strategy_id = $1::uuid AND verdict = 'ACCEPTED' AND processed_at IS NULL
           AND (received_at, id) < ($5::timestamptz, $6::uuid)
         ORDER BY received_at LIMIT 1) AS "earlierSignalId",
       (SELECT e.id::text FROM exits e
         WHERE e.status <> 'DONE' AND EXISTS (
           SELECT 1 FROM exit_accounts ea WHERE ea.exit_id = e.id AND ea.status <> 'DONE'
              AND NOT (ea.status = 'FAILED' AND ea.next_attempt_at IS NULL AND ea.current_run_id IS NULL)
              AND (e.strategy_id = $1::uuid OR e.run_id IN (SELECT id FROM mine)
                   OR (e.scope IN ('ACCOUNT', 'OWNER', 'ALL') AND ea.account_id IN (SELECT id FROM accts))))
         ORDER BY e.created_at LIMIT 1) AS "exitId",
       (SELECT id::text FROM signals
         WHERE strategy_id = $1::uuid AND verdict = 'ACCEPTED' AND action IN ('EXIT', 'REVERSE')
           AND (received_at, id) > ($5::timestamptz, $6::uuid)
         ORDER BY received_at LIMIT 1) AS "laterExitSignalId"`,
    s.strategyId,
    s.ownerId,
    [...s.accountIds],
    [...s.accountTags],
    s.receivedAt.toISOString(),
    s.id,
  );
  return row;
}

/** Accepted alerts not handed on and received before `before`, oldest first (the recovery sweep). */
export function listUnhandledSignals(before: Date, limit = 100) {
  return db().signal.findMany({
    where: { verdict: "ACCEPTED", processedAt: null, receivedAt: { lt: before } },
    orderBy: { receivedAt: "asc" },
    take: limit,
    select: { id: true, receivedAt: true },
  });
}
