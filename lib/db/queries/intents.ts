/**
 * Order-intent queries for dispatch. State changes are compare-and-set: a row is only written when it is still in
 * the state (and, where given, with the claimer) the caller computed the transition from, so two workers can never
 * both act on one intent. Many changes go to the database as ONE statement (jsonb_to_recordset), not one per row.
 */
import type { IntentState, OrderIntent, RunKind, RunStatus } from "@/lib/generated/prisma/client";
import { db, sqlCount, sqlRows } from "@/lib/db/client";
import { coalescer } from "@/lib/db/queries/coalesce";

export type IntentRow = OrderIntent;

/** One compare-and-set row change: written only while the row is still `expect` (and claimed by `expectClaimedBy`). */
export interface IntentWrite {
  id: string;
  expect: IntentState;
  /** When set, the row must also still be claimed by this worker. */
  expectClaimedBy?: string | null;
  state: IntentState;
  attempts: number;
  claimedBy: string | null;
  sentAt: Date | null;
  /** Kept as it is when null. */
  acknowledgedAt: Date | null;
  brokerOrderId: string | null;
  filledQuantity: number;
  /** Kept as it is when null. */
  averagePrice: string | null;
  reason: string | null;
  updatedAt: Date;
}

export const INTENT_COLUMNS = `id, run_id::text AS "runId", account_id::text AS "accountId", leg_index AS "legIndex",
  slice_index AS "sliceIndex", phase, symbol, exchange, action, product, price_type AS "priceType", price,
  trigger_price AS "triggerPrice", quantity, state::text AS state, attempts, claimed_by AS "claimedBy", sent_at AS "sentAt", acknowledged_at AS "acknowledgedAt",
  broker_order_id AS "brokerOrderId", filled_quantity AS "filledQuantity", average_price AS "averagePrice", reason,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

const readAccountIntents = coalescer(async (pairs: { runId: string; accountId: string }[]) => {
  const rows = await sqlRows<IntentRow>(
    `SELECT ${INTENT_COLUMNS} FROM order_intents
      WHERE (run_id, account_id) IN (SELECT r::uuid, a::uuid FROM unnest($1::text[], $2::text[]) AS t(r, a))
      ORDER BY phase, leg_index, slice_index`,
    [pairs.map((p) => p.runId), pairs.map((p) => p.accountId)],
  );
  const byPair = new Map<string, IntentRow[]>();
  for (const r of rows)
    byPair.set(`${r.runId}|${r.accountId}`, [...(byPair.get(`${r.runId}|${r.accountId}`) ?? []), r]);
  return pairs.map((p) => byPair.get(`${p.runId}|${p.accountId}`) ?? []);
});

/**
 * Every intent of one account in one run, BUY phase first. Raw SQL, and concurrent calls share one statement: this
 * read is on every dispatch job's hot path (see coalesce.ts).
 */
export function listAccountIntents(runId: string, accountId: string): Promise<IntentRow[]> {
  return readAccountIntents({ runId, accountId });
}

export function listRunIntents(runId: string): Promise<IntentRow[]> {
  return db().orderIntent.findMany({
    where: { runId },
    orderBy: [{ accountId: "asc" }, { phase: "asc" }, { legIndex: "asc" }, { sliceIndex: "asc" }],
  });
}

const writeBatches = coalescer(
  async (batches: (readonly IntentWrite[])[]) => {
    const written = await writeNow(batches.flat());
    return batches.map((b) => new Set(b.filter((w) => written.has(w.id)).map((w) => w.id)));
  },
  (b) => b.map((w) => w.id),
);

/**
 * Applies the writes that still match their expected state; returns the ids actually written. Concurrent callers'
 * writes go out together in one statement (never two writes of one row in the same statement).
 */
export async function writeIntents(writes: readonly IntentWrite[]): Promise<Set<string>> {
  if (writes.length === 0) return new Set();
  return writeBatches(writes);
}

async function writeNow(writes: readonly IntentWrite[]): Promise<Set<string>> {
  const payload = JSON.stringify(
    writes.map((w) => ({
      id: w.id,
      expect: w.expect,
      expect_claimed_by: w.expectClaimedBy ?? null,
      check_claimer: w.expectClaimedBy !== undefined,
      state: w.state,
      attempts: w.attempts,
      claimed_by: w.claimedBy,
      sent_at: w.sentAt?.toISOString() ?? null,
      acknowledged_at: w.acknowledgedAt?.toISOString() ?? null,
      broker_order_id: w.brokerOrderId,
      filled_quantity: w.filledQuantity,
      average_price: w.averagePrice,
      reason: w.reason,
      updated_at: w.updatedAt.toISOString(),
    })),
  );
  const rows = await sqlRows<{ id: string }>(
    `UPDATE order_intents AS o SET
       state = v.state::"IntentState",
       attempts = v.attempts,
       claimed_by = v.claimed_by,
       sent_at = v.sent_at,
       acknowledged_at = COALESCE(v.acknowledged_at, o.acknowledged_at),
       broker_order_id = v.broker_order_id,
       filled_quantity = v.filled_quantity,
       average_price = COALESCE(v.average_price, o.average_price),
       reason = v.reason,
       updated_at = v.updated_at
     FROM jsonb_to_recordset($1::jsonb) AS v(
       id text, expect text, expect_claimed_by text, check_claimer boolean, state text, attempts int, claimed_by text,
       sent_at timestamptz, acknowledged_at timestamptz, broker_order_id text, filled_quantity int,
       average_price numeric, reason text, updated_at timestamptz)
     WHERE o.id = v.id AND o.state::text = v.expect
       AND (NOT v.check_claimer OR o.claimed_by IS NOT DISTINCT FROM v.expect_claimed_by)
     RETURNING o.id`,
    [payload],
  );
  return new Set(rows.map((r) => r.id));
}

/**
 * Moves a `sending` intent's send time forward before another attempt of a placement that provably never reached
 * the broker (429, no connection): reconciliation searches from, and times its window from, the latest attempt.
 */
export async function touchSending(id: string, workerId: string, at: Date): Promise<boolean> {
  const n = await sqlCount(
    `UPDATE order_intents SET sent_at = $3::timestamptz, updated_at = $3::timestamptz WHERE id = $1 AND state = 'sending' AND claimed_by = $2`,
    [id, workerId, at.toISOString()],
  );
  return n === 1;
}

/** Broker order ids already linked to an intent of this account (sent since `since`): never adopted twice. */
export async function linkedOrderIds(accountId: string, since: Date): Promise<Set<string>> {
  // Plain SQL: every reconcile of every account reads it (docs/performance.md "The way out").
  const rows = await sqlRows<{ id: string }>(
    `SELECT broker_order_id AS id FROM order_intents
      WHERE account_id = $1::uuid AND broker_order_id IS NOT NULL AND (sent_at >= $2::timestamptz OR sent_at IS NULL)`,
    [accountId, since],
  );
  return new Set(rows.map((r) => r.id));
}

type RunHead = {
  id: string;
  ownerId: string;
  strategyId: string | null;
  kind: RunKind;
  status: RunStatus;
  triggeredAt: Date;
};
const readRuns = coalescer(async (ids: string[]) => {
  const rows = await sqlRows<RunHead>(
    `SELECT id::text AS id, owner_id::text AS "ownerId", strategy_id::text AS "strategyId", kind::text AS kind, status::text AS status, triggered_at AS "triggeredAt" FROM strategy_runs WHERE id = ANY($1::uuid[])`,
    [[...new Set(ids)]],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
});

export function findRunRow(runId: string): Promise<RunHead | null> {
  return readRuns(runId);
}

/**
 * A run's status from its intents, written when it changed, in one statement (one commit: every dispatch job and
 * every fill poll that wrote something asks for it). RUNNING while a slice is planned, in flight, unconfirmed-unknown
 * or may still be resent (fewer than `maxAttempts` sends); else COMPLETED when every slice was taken by the broker,
 * PARTIAL when some were, FAILED when none (or the run has none). Returns the status and whether it was written.
 */
export async function refreshRunStatusRow(
  runId: string,
  maxAttempts: number,
  at: Date,
): Promise<{ status: RunStatus; changed: boolean }> {
  const [row] = await sqlRows<{ status: RunStatus; changed: boolean }>(
    `WITH c AS (
       SELECT count(*) AS total,
              count(*) FILTER (WHERE state IN ('planned', 'claimed', 'sending', 'unknown')
                                OR (state = 'safe_to_resend' AND attempts < $2)) AS in_flight,
              count(*) FILTER (WHERE state IN ('accepted', 'reconciled_accepted', 'partially_filled', 'filled', 'cancelled')) AS confirmed
         FROM order_intents WHERE run_id = $1::uuid
     ), s AS (
       SELECT CASE WHEN total > 0 AND in_flight > 0 THEN 'RUNNING'
                   WHEN total > 0 AND confirmed = total THEN 'COMPLETED'
                   WHEN confirmed > 0 THEN 'PARTIAL'
                   ELSE 'FAILED' END AS status
         FROM c
     ), u AS (
       UPDATE strategy_runs r SET status = s.status::"RunStatus",
              finished_at = CASE WHEN s.status = 'RUNNING' THEN NULL ELSE $3::timestamptz END
         FROM s WHERE r.id = $1::uuid AND r.status <> s.status::"RunStatus"
         RETURNING 1
     )
     SELECT s.status, EXISTS (SELECT 1 FROM u) AS changed FROM s`,
    [runId, maxAttempts, at.toISOString()],
  );
  return row;
}

/** Sets a run's status unless it already has it; returns whether it changed. */
export async function setRunStatus(runId: string, to: RunStatus, finishedAt: Date | null): Promise<boolean> {
  const n = await sqlCount(
    `UPDATE strategy_runs SET status = $2::"RunStatus", finished_at = $3::timestamptz WHERE id = $1::uuid AND status <> $2::"RunStatus"`,
    [runId, to, finishedAt?.toISOString() ?? null],
  );
  return n === 1;
}

/**
 * Intents a dead worker left mid-send: `sending`, or `claimed`, by a claimer not in `aliveWorkers`, or older than
 * `staleBefore` whoever holds them (a live process that stopped making progress).
 */
export function listOrphanedIntents(aliveWorkers: readonly string[], staleBefore: Date): Promise<IntentRow[]> {
  return db().orderIntent.findMany({
    where: {
      state: { in: ["claimed", "sending"] },
      OR: [{ claimedBy: null }, { claimedBy: { notIn: [...aliveWorkers] } }, { updatedAt: { lt: staleBefore } }],
    },
  });
}

/** (run, account) pairs of RUNNING runs that still have work a dispatch job would do. */
export async function listPendingDispatch(maxAttempts: number): Promise<{ runId: string; accountId: string }[]> {
  return db().$queryRawUnsafe<{ runId: string; accountId: string }[]>(
    `SELECT DISTINCT i.run_id::text AS "runId", i.account_id::text AS "accountId"
       FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id
      WHERE r.status = 'RUNNING'
        AND (i.state IN ('planned', 'unknown') OR (i.state = 'safe_to_resend' AND i.attempts < $1))`,
    maxAttempts,
  );
}

/** RUNNING runs none of whose intents is in flight any more (their final status may not have been written). */
export async function listSettledRunningRuns(maxAttempts: number): Promise<string[]> {
  const rows = await db().$queryRawUnsafe<{ id: string }[]>(
    `SELECT r.id::text AS id FROM strategy_runs r
      WHERE r.status = 'RUNNING'
        AND NOT EXISTS (SELECT 1 FROM order_intents i WHERE i.run_id = r.id
                          AND (i.state IN ('planned', 'claimed', 'sending', 'unknown') OR (i.state = 'safe_to_resend' AND i.attempts < $1)))`,
    maxAttempts,
  );
  return rows.map((r) => r.id);
}

/**
 * Restates a sent intent's order terms after its broker order was modified (a copied master order's change), so fill
 * tracking compares fills with the order's quantity. Price and trigger price are decimal text, null for none.
 */
export async function updateIntentTerms(
  id: string,
  terms: { quantity: number; price: string | null; triggerPrice: string | null; priceType: string },
): Promise<void> {
  await db().$executeRawUnsafe(
    `UPDATE order_intents SET quantity = $2, price = $3::numeric, trigger_price = $4::numeric, price_type = $5, updated_at = now() WHERE id = $1`,
    id,
    terms.quantity,
    terms.price,
    terms.triggerPrice,
    terms.priceType,
  );
}
