/**
 * Armed runs (`run_risks`, docs/risk.md): arming a run with its rules, what the engine evaluates, the compare-and-set
 * writes that make a trigger fire once (the run's rule, each leg), and the engine's kept state (trail, snapshot).
 */
import type { LegStopMode, Prisma, RiskRule } from "@/lib/generated/prisma/client";
import { db, sqlRows } from "@/lib/db/client";
import type { SqlTx, Tx } from "@/lib/db/transaction";
import { ownerFilter, readableOwnerIds, type Scope } from "@/lib/auth/roles";

/** Arms a run with `rules` (RiskRules JSON), inside the run's own (plain-SQL) transaction. */
export async function insertRunRisk(
  tx: SqlTx,
  row: { runId: string; ownerId: string; strategyId: string | null; rules: object; legStopMode: LegStopMode },
): Promise<void> {
  await tx.query(
    `INSERT INTO run_risks (run_id, owner_id, strategy_id, rules, leg_stop_mode, updated_at)
     VALUES ($1::uuid, $2::uuid, $3::uuid, $4::jsonb, $5::"LegStopMode", now())`,
    [row.runId, row.ownerId, row.strategyId, JSON.stringify(row.rules), row.legStopMode],
  );
}

/**
 * An ADJUSTMENT run of `strategyId` at `at` re-opens the armed run it adjusts (the strategy's latest STRATEGY run before
 * it) for the engine, in case the engine had put it aside as closed.
 */
export async function reopenAdjustedRun(tx: SqlTx, strategyId: string, at: Date): Promise<void> {
  await tx.query(
    `UPDATE run_risks SET state = state - 'closedAt', updated_at = now()
      WHERE run_id = (SELECT id FROM strategy_runs WHERE strategy_id = $1::uuid AND kind = 'STRATEGY' AND triggered_at <= $2
                       ORDER BY triggered_at DESC LIMIT 1)
        AND state ? 'closedAt'`,
    [strategyId, at],
  );
}

export interface ArmedRunRow {
  runId: string;
  ownerId: string;
  strategyId: string | null;
  rules: unknown;
  legStopMode: LegStopMode;
  paused: boolean;
  peakPnl: string | null;
  trailStop: string | null;
  firedLegs: number[];
  runKind: string;
  runStatus: string;
  triggeredAt: Date;
  /** The run's resolved legs (plan JSON). */
  legs: unknown;
  /** The Supertrend state last kept (`state.supertrend` JSON), or null. */
  supertrend: unknown;
}

/** Every armed run the engine still watches: not fired, and not put aside as closed (flat with nothing working). */
export function listArmedRuns(): Promise<ArmedRunRow[]> {
  // Plain SQL: the risk sweep asks every second (docs/performance.md "Background work that competes with a trigger").
  return sqlRows<ArmedRunRow>(
    `SELECT rr.run_id::text AS "runId", rr.owner_id::text AS "ownerId", rr.strategy_id::text AS "strategyId", rr.rules,
            rr.leg_stop_mode::text AS "legStopMode", rr.paused, rr.peak_pnl::text AS "peakPnl",
            rr.trail_stop::text AS "trailStop", rr.fired_legs AS "firedLegs", r.kind::text AS "runKind",
            r.status::text AS "runStatus", r.triggered_at AS "triggeredAt", r.plan->'legs' AS legs,
            rr.state->'supertrend' AS supertrend
       FROM run_risks rr JOIN strategy_runs r ON r.id = rr.run_id
      WHERE rr.fired_rule IS NULL AND NOT (rr.state ? 'closedAt')
      ORDER BY r.triggered_at, rr.run_id`,
  );
}

/** The contracts each of `runIds` traded or planned, per account and leg, and whether any of its orders still works. */
export function listRunContracts(runIds: readonly string[]) {
  if (runIds.length === 0) return Promise.resolve([]);
  return db().$queryRawUnsafe<
    {
      runId: string;
      accountId: string;
      legIndex: number;
      exchange: string;
      symbol: string;
      product: string;
      working: boolean;
    }[]
  >(
    `SELECT run_id::text AS "runId", account_id::text AS "accountId", leg_index AS "legIndex", exchange, symbol, product,
            bool_or(state IN ('planned', 'claimed', 'sending', 'unknown', 'safe_to_resend', 'held', 'accepted',
                              'reconciled_accepted', 'partially_filled')) AS working
       FROM order_intents WHERE run_id = ANY($1::uuid[])
      GROUP BY run_id, account_id, leg_index, exchange, symbol, product`,
    [...runIds],
  );
}

/**
 * Fires runs' rules: sets each run's `fired_rule` only if nothing has fired yet and the run is not paused
 * (compare-and-set per row, one statement for a whole round). Returns the runs this call fired. `snapshot` is the
 * evaluation that fired it, with that rule marked fired.
 */
export async function casFireRuns(
  tx: Tx,
  rows: readonly { runId: string; rule: RiskRule; snapshot: object }[],
  at: Date,
): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const fired = await tx.$queryRawUnsafe<{ runId: string }[]>(
    `UPDATE run_risks rr SET fired_rule = t.rule::"RiskRule", fired_at = $4, snapshot = t.snapshot::jsonb, evaluated_at = $4,
            updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(run_id, rule, snapshot)
      WHERE rr.run_id = t.run_id AND rr.fired_rule IS NULL AND NOT rr.paused
      RETURNING rr.run_id::text AS "runId"`,
    rows.map((r) => r.runId),
    rows.map((r) => r.rule),
    rows.map((r) => JSON.stringify(r.snapshot)),
    at,
  );
  return new Set(fired.map((r) => r.runId));
}

/** Fires one leg's rule once: adds the leg to `fired_legs` unless it is there, the run fired or the run is paused. */
export async function casFireLeg(tx: Tx, runId: string, legIndex: number): Promise<boolean> {
  const n = await tx.$executeRawUnsafe(
    `UPDATE run_risks SET fired_legs = array_append(fired_legs, $2::int), updated_at = now()
      WHERE run_id = $1::uuid AND fired_rule IS NULL AND NOT paused AND NOT ($2::int = ANY(fired_legs))`,
    runId,
    legIndex,
  );
  return n === 1;
}

/** Records the exit a run-level trigger started (kept if one is already recorded). */
export async function setRunExit(runId: string, exitId: string): Promise<void> {
  await db().$executeRawUnsafe(
    `UPDATE run_risks SET exit_id = coalesce(exit_id, $2::uuid), updated_at = now() WHERE run_id = $1::uuid`,
    runId,
    exitId,
  );
}

/** Latest evaluations as the Risk page shows them, in one statement. */
export async function saveSnapshots(rows: readonly { runId: string; snapshot: object; at: Date }[]): Promise<void> {
  if (rows.length === 0) return;
  await db().$executeRawUnsafe(
    `UPDATE run_risks rr SET snapshot = t.snapshot::jsonb, evaluated_at = t.at::timestamptz
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS t(run_id, snapshot, at)
      WHERE rr.run_id = t.run_id AND rr.fired_rule IS NULL`,
    rows.map((r) => r.runId),
    rows.map((r) => JSON.stringify(r.snapshot)),
    rows.map((r) => r.at.toISOString()),
  );
}

/** Raises kept trail peaks and stops; never lowers either (two workers, or a late evaluation, cannot move them back). */
export async function raiseTrails(rows: readonly { runId: string; peak: string; stop: string }[]): Promise<void> {
  if (rows.length === 0) return;
  await db().$executeRawUnsafe(
    `UPDATE run_risks rr SET peak_pnl = GREATEST(rr.peak_pnl, t.peak), trail_stop = GREATEST(rr.trail_stop, t.stop)
       FROM unnest($1::uuid[], $2::numeric[], $3::numeric[]) AS t(run_id, peak, stop)
      WHERE rr.run_id = t.run_id AND rr.fired_rule IS NULL
        AND (rr.peak_pnl IS NULL OR rr.trail_stop IS NULL OR t.peak > rr.peak_pnl OR t.stop > rr.trail_stop)`,
    rows.map((r) => r.runId),
    rows.map((r) => r.peak),
    rows.map((r) => r.stop),
  );
}

/**
 * Keeps runs' Supertrend states (`state.supertrend`) after a candle closed. A state that closed fewer candles than the
 * kept one is not written: a worker behind another cannot set the indicator back.
 */
export async function saveSupertrends(
  rows: readonly { runId: string; state: object; candles: number }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db().$executeRawUnsafe(
    `UPDATE run_risks rr SET state = jsonb_set(rr.state, '{supertrend}', t.state::jsonb), updated_at = now()
       FROM unnest($1::uuid[], $2::text[], $3::int[]) AS t(run_id, state, candles)
      WHERE rr.run_id = t.run_id AND rr.fired_rule IS NULL
        AND coalesce((rr.state->'supertrend'->'core'->>'candles')::int, -1) <= t.candles`,
    rows.map((r) => r.runId),
    rows.map((r) => JSON.stringify(r.state)),
    rows.map((r) => r.candles),
  );
}

/** Puts runs aside that are flat with nothing working once their entry settled (an adjustment re-opens them). */
export async function markClosed(runIds: readonly string[], at: Date): Promise<void> {
  if (runIds.length === 0) return;
  await db().$executeRawUnsafe(
    `UPDATE run_risks SET state = state || jsonb_build_object('closedAt', $2::text), updated_at = now()
      WHERE run_id = ANY($1::uuid[]) AND fired_rule IS NULL`,
    [...runIds],
    at.toISOString(),
  );
}

const riskRunInclude = {
  run: {
    select: {
      kind: true,
      status: true,
      triggeredAt: true,
      plan: true,
      strategy: { select: { name: true } },
    },
  },
} satisfies Prisma.RunRiskInclude;

/** The armed runs a reader may see that are live (not fired, not closed) or fired since `firedSince`, newest first. */
export async function listRiskRuns(scope: Scope, firedSince: Date) {
  const owners = readableOwnerIds(scope);
  const ids = await db().$queryRawUnsafe<{ id: string }[]>(
    `SELECT rr.run_id::text AS id FROM run_risks rr JOIN strategy_runs r ON r.id = rr.run_id
      WHERE ($1::uuid[] IS NULL OR rr.owner_id = ANY($1::uuid[]))
        AND ((rr.fired_rule IS NULL AND NOT (rr.state ? 'closedAt')) OR rr.fired_at >= $2)
      ORDER BY r.triggered_at DESC LIMIT 500`,
    owners,
    firedSince,
  );
  const rows = await db().runRisk.findMany({
    where: { runId: { in: ids.map((r) => r.id) } },
    include: riskRunInclude,
  });
  const order = new Map(ids.map((r, i) => [r.id, i]));
  return rows.sort((a, b) => order.get(a.runId)! - order.get(b.runId)!);
}

/** One armed run, if the reader may see it. */
export function findRiskRun(scope: Scope, runId: string) {
  return db().runRisk.findFirst({ where: { runId, ...ownerFilter(scope) }, include: riskRunInclude });
}
export type RiskRunRow = NonNullable<Awaited<ReturnType<typeof findRiskRun>>>;

/**
 * A person's change on a live run: new rules and/or the pause switch, only while nothing has fired (compare-and-set).
 * False when the run fired meanwhile.
 */
export async function updateLiveRules(
  tx: Tx,
  runId: string,
  change: { rules?: object; paused?: boolean },
): Promise<boolean> {
  const { count } = await tx.runRisk.updateMany({
    where: { runId, firedRule: null },
    data: {
      ...(change.rules ? { rules: change.rules as Prisma.InputJsonObject } : {}),
      ...(change.paused !== undefined ? { paused: change.paused } : {}),
    },
  });
  return count === 1;
}
