/**
 * Reads and writes of broker-side leg stops (docs/risk.md "Leg stops at the broker"): the runs of an account whose
 * stops rest at the broker, their entry legs there, their STOP_ORDERS intents, the exits that cover them, and the risk
 * event of a stop that filled (written once: its id derives from the stop).
 */
import { z } from "zod";
import { db, sqlRows } from "@/lib/db/client";
import { coalescer } from "@/lib/db/queries/coalesce";
import type { IntentRow } from "@/lib/db/queries/intents";
import type { SqlTx } from "@/lib/db/transaction";
import { NOT_FINAL } from "@/lib/db/queries/exit-scope";

/** Intent states in which a stop may still rest or be sent: those of any order not final yet. */
export const LIVE_STOP_STATES = NOT_FINAL;

export interface StopRunRow {
  runId: string;
  ownerId: string;
  strategyId: string | null;
  /** The run's plan legs (lot size, freeze quantity, underlying per leg index). */
  legs: unknown;
  /** null when the run has no run_risks row any more (its stops are then cancelled). */
  rules: unknown;
  mode: "WATCH" | "BROKER" | null;
  paused: boolean;
}

/**
 * Runs with stops at the broker that filled in the account since `since`, and runs that still have a live stop there
 * whatever their rules say now (so a paused rule, or one moved back to the engine, gets its stops cancelled).
 */
export function stopRunsOfAccount(accountId: string, since: Date): Promise<StopRunRow[]> {
  return db().$queryRawUnsafe<StopRunRow[]>(
    `SELECT r.id::text AS "runId", r.owner_id::text AS "ownerId", r.strategy_id::text AS "strategyId", r.plan->'legs' AS legs,
            rr.rules, rr.leg_stop_mode::text AS mode, coalesce(rr.paused, false) AS paused
       FROM strategy_runs r LEFT JOIN run_risks rr ON rr.run_id = r.id
      WHERE (rr.leg_stop_mode = 'BROKER' AND r.triggered_at >= $2
             AND EXISTS (SELECT 1 FROM order_intents i WHERE i.run_id = r.id AND i.account_id = $1::uuid AND i.filled_quantity > 0))
         OR r.id IN (SELECT s.protects_run_id FROM strategy_runs s JOIN order_intents i ON i.run_id = s.id
                      WHERE s.kind = 'STOP_ORDERS' AND i.account_id = $1::uuid AND i.state::text = ANY($3::text[]))`,
    accountId,
    since,
    [...LIVE_STOP_STATES],
  );
}

/**
 * Accounts the sweep syncs: those with a live stop (a position protected now: the day's roll, a change that fill
 * tracking's request missed), and those where a run with leg stops at the broker filled since `since` but never got
 * a stop there (a request that was lost, or a session that was closed). A run whose stops were withdrawn because it is
 * flat is not swept: only a new fill (which asks for a sync itself) can change that.
 */
export async function accountsToSweep(since: Date): Promise<string[]> {
  const rows = await db().$queryRawUnsafe<{ id: string }[]>(
    `SELECT DISTINCT i.account_id::text AS id FROM strategy_runs s JOIN order_intents i ON i.run_id = s.id
      WHERE s.kind = 'STOP_ORDERS' AND i.state::text = ANY($2::text[])
     UNION
     SELECT DISTINCT i.account_id::text
       FROM run_risks rr JOIN strategy_runs r ON r.id = rr.run_id JOIN order_intents i ON i.run_id = r.id
      WHERE rr.leg_stop_mode = 'BROKER' AND NOT rr.paused AND r.triggered_at >= $1 AND i.filled_quantity > 0
        AND jsonb_path_exists(rr.rules, '$.legs[*] ? (@.stopLoss != null || @.takeProfit != null)')
        AND NOT EXISTS (SELECT 1 FROM strategy_runs s JOIN order_intents si ON si.run_id = s.id
                         WHERE s.protects_run_id = r.id AND si.account_id = i.account_id)`,
    since,
    [...LIVE_STOP_STATES],
  );
  return rows.map((r) => r.id);
}

/** Accounts where the run placed anything (where its stops may need a look after its rules changed). */
export async function accountsOfRun(runId: string): Promise<string[]> {
  const rows = await db().$queryRawUnsafe<{ id: string }[]>(
    `SELECT DISTINCT account_id::text AS id FROM order_intents WHERE run_id = $1::uuid`,
    runId,
  );
  return rows.map((r) => r.id);
}

/**
 * Of `runIds`, those that have stops at the broker, are such stops, or are exits; concurrent asks share a statement.
 * Plain SQL: every fill poll that wrote something asks (docs/database-access.md "Hot paths").
 */
const readStopRuns = coalescer(async (batches: (readonly string[])[]) => {
  const rows = await sqlRows<{ id: string }>(
    `SELECT r.id::text AS id FROM strategy_runs r LEFT JOIN run_risks rr ON rr.run_id = r.id
      WHERE r.id = ANY($1::uuid[]) AND (r.kind IN ('EXIT', 'STOP_ORDERS') OR rr.leg_stop_mode = 'BROKER')`,
    [[...new Set(batches.flat())]],
  );
  const hits = new Set(rows.map((r) => r.id));
  return batches.map((ids) => ids.some((id) => hits.has(id)));
});

/** Whether any of `runIds` has stops at the broker, is such stops, or is an exit (fill tracking's cue). */
export async function touchesStops(runIds: readonly string[]): Promise<boolean> {
  if (runIds.length === 0) return false;
  return readStopRuns(runIds);
}

/** The entry legs of `runIds` in the account: contract, product and side of each (run, leg). */
export function entryLegsOf(accountId: string, runIds: readonly string[]) {
  return db().$queryRawUnsafe<
    { runId: string; legIndex: number; symbol: string; exchange: string; product: string; action: "BUY" | "SELL" }[]
  >(
    `SELECT run_id::text AS "runId", leg_index AS "legIndex", min(symbol) AS symbol, min(exchange) AS exchange,
            min(product) AS product, min(action) AS action
       FROM order_intents WHERE account_id = $1::uuid AND run_id = ANY($2::uuid[])
      GROUP BY run_id, leg_index`,
    accountId,
    [...runIds],
  );
}

const stopsMetaSchema = z.object({
  protectsRunId: z.string(),
  accountId: z.string(),
  legIndex: z.int().min(0),
  generation: z.int().min(1),
});

export type StopIntent = IntentRow & { protectsRunId: string; protectedLeg: number; generation: number };

/** Every stop intent (any state) of the STOP_ORDERS runs protecting `runIds` in the account. */
export async function stopIntentsOf(accountId: string, runIds: readonly string[]): Promise<StopIntent[]> {
  if (runIds.length === 0) return [];
  const rows = await db().orderIntent.findMany({
    where: { accountId, run: { kind: "STOP_ORDERS", protectsRunId: { in: [...runIds] } } },
    include: { run: { select: { plan: true } } },
    orderBy: [{ createdAt: "asc" }, { legIndex: "asc" }, { sliceIndex: "asc" }],
  });
  return rows.flatMap(({ run, ...row }) => {
    const meta = stopsMetaSchema.safeParse((run.plan as { stops?: unknown } | null)?.stops);
    // A STOP_ORDERS run without readable metadata protects nothing we can name: left alone, never guessed.
    if (!meta.success) return [];
    return [
      {
        ...row,
        protectsRunId: meta.data.protectsRunId,
        protectedLeg: meta.data.legIndex,
        generation: meta.data.generation,
      },
    ];
  });
}

/** The active exits (not done, and not done in this account) that include the account. */
export async function activeExitsInAccount(accountId: string, tx?: SqlTx) {
  type Row = { id: string; scope: string; status: string; runId: string | null; strategyId: string | null };
  const text = `SELECT e.id::text AS id, e.scope::text AS scope, e.status::text AS status, e.run_id::text AS "runId",
            e.strategy_id::text AS "strategyId"
       FROM exits e JOIN exit_accounts ea ON ea.exit_id = e.id
      WHERE ea.account_id = $1::uuid AND e.status <> 'DONE' AND ea.status <> 'DONE'`;
  return tx ? ((await tx.query(text, [accountId])).rows as Row[]) : sqlRows<Row>(text, [accountId]);
}

export interface FilledStop {
  eventId: string;
  ownerId: string;
  runId: string;
  accountId: string;
  legIndex: number;
  stopLeg: number;
  symbol: string;
  exchange: string;
  action: string;
  priceType: string;
  level: string | null;
  filled: number;
  averagePrice: string | null;
  at: Date;
}

/**
 * Stops of `runIds` in the account that filled (partly or wholly) and have no risk event yet. One event per stop
 * order (a STOP_ORDERS run's leg over all its slices): its id is md5 of `leg-stop:<stop run>:<leg>` as a uuid.
 */
export function filledStopsWithoutEvent(accountId: string, runIds: readonly string[]): Promise<FilledStop[]> {
  return db().$queryRawUnsafe<FilledStop[]>(
    `SELECT md5('leg-stop:' || s.id::text || ':' || i.leg_index)::uuid::text AS "eventId", s.owner_id::text AS "ownerId",
            s.protects_run_id::text AS "runId", i.account_id::text AS "accountId",
            (s.plan->'stops'->>'legIndex')::int AS "legIndex", i.leg_index AS "stopLeg",
            min(i.symbol) AS symbol, min(i.exchange) AS exchange, min(i.action) AS action, min(i.price_type) AS "priceType",
            min(coalesce(i.trigger_price, i.price))::text AS level, sum(i.filled_quantity)::int AS filled,
            (sum(i.filled_quantity * i.average_price) FILTER (WHERE i.average_price IS NOT NULL)
              / nullif(sum(i.filled_quantity) FILTER (WHERE i.average_price IS NOT NULL), 0))::numeric(14, 4)::text AS "averagePrice",
            max(i.updated_at) AS at
       FROM order_intents i JOIN strategy_runs s ON s.id = i.run_id
      WHERE s.kind = 'STOP_ORDERS' AND i.account_id = $1::uuid AND s.protects_run_id = ANY($2::uuid[]) AND i.filled_quantity > 0
        AND NOT EXISTS (SELECT 1 FROM risk_events e WHERE e.id = md5('leg-stop:' || s.id::text || ':' || i.leg_index)::uuid)
      GROUP BY s.id, i.account_id, i.leg_index`,
    accountId,
    [...runIds],
  );
}

export interface NewStopEvent {
  id: string;
  ownerId: string;
  runId: string;
  accountId: string;
  legIndex: number;
  rule: "LEG_STOP_LOSS" | "LEG_TAKE_PROFIT";
  threshold: string | null;
  observed: string | null;
  prices: unknown;
  message: string;
}

/** Inserts the events not yet written (their ids decide); returns the ids this call wrote. */
export async function insertStopEvents(events: readonly NewStopEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const rows = await db().$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO risk_events (id, owner_id, run_id, account_id, leg_index, rule, action, threshold, observed, prices, message)
     SELECT e.id::uuid, e.owner_id::uuid, e.run_id::uuid, e.account_id::uuid, e.leg_index, e.rule::"RiskRule", 'EXIT',
            e.threshold::numeric, e.observed::numeric, e.prices::jsonb, e.message
       FROM jsonb_to_recordset($1::jsonb) AS e(id text, owner_id text, run_id text, account_id text, leg_index int,
                                               rule text, threshold text, observed text, prices text, message text)
     ON CONFLICT (id) DO NOTHING RETURNING id::text AS id`,
    JSON.stringify(
      events.map((e) => ({
        id: e.id,
        owner_id: e.ownerId,
        run_id: e.runId,
        account_id: e.accountId,
        leg_index: e.legIndex,
        rule: e.rule,
        threshold: e.threshold,
        observed: e.observed,
        prices: JSON.stringify(e.prices),
        message: e.message,
      })),
    ),
  );
  return rows.map((r) => r.id);
}
