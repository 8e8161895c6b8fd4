/**
 * Intent reads of the exit service: the not-yet-final intents an exit must stop, cancel or wait for in one account,
 * whether an attempt's orders have settled, and the contract sizes previous runs were planned with.
 */
import type { IntentState } from "@/lib/generated/prisma/client";
import { db, sqlRows } from "@/lib/db/client";
import { coalescer } from "@/lib/db/queries/coalesce";
import { INTENT_COLUMNS, type IntentRow } from "@/lib/db/queries/intents";

/**
 * What an exit covers in one account: entry runs by id or strategy, or every entry (`all`); plus its own EXIT runs.
 * A strategy's or every entry's scope includes the broker-side stops of its runs (STOP_ORDERS runs are entries of
 * the strategy); a run's or a leg's scope names them through `protectedRunIds`, so an exit cancels them before it
 * sends (docs/risk.md "Leg stops at the broker").
 */
export interface ExitScopeFilter {
  accountId: string;
  runIds?: readonly string[];
  /** Runs whose STOP_ORDERS runs (broker-side stops) belong to the scope. */
  protectedRunIds?: readonly string[];
  /** With `runIds`: only this leg of those runs (a LEG exit). */
  legIndex?: number | null;
  strategyId?: string | null;
  allEntries?: boolean;
  exitRunIds: readonly string[];
}

/** States in which an intent may still become (more of) a position: unsent (held too), in flight, or working at the broker. */
export const NOT_FINAL: readonly IntentState[] = [
  "planned",
  "claimed",
  "sending",
  "unknown",
  "safe_to_resend",
  "held",
  "accepted",
  "reconciled_accepted",
  "partially_filled",
];

/**
 * The scope as SQL over `order_intents i JOIN strategy_runs r`: its conditions ORed, parameters appended to `params`.
 * Null when the scope names nothing.
 */
function scopeSql(f: Omit<ExitScopeFilter, "accountId">, params: unknown[]): string | null {
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const entries: string[] = [];
  if (f.allEntries) entries.push(`r.kind <> 'EXIT'`);
  if (f.runIds?.length)
    entries.push(
      `(i.run_id = ANY(${p([...f.runIds])}::uuid[]) AND r.kind <> 'EXIT'${f.legIndex != null ? ` AND i.leg_index = ${p(f.legIndex)}::int` : ""})`,
    );
  if (f.protectedRunIds?.length) entries.push(`r.protects_run_id = ANY(${p([...f.protectedRunIds])}::uuid[])`);
  if (f.strategyId) entries.push(`(r.strategy_id = ${p(f.strategyId)}::uuid AND r.kind <> 'EXIT')`);
  if (f.exitRunIds.length) entries.push(`i.run_id = ANY(${p([...f.exitRunIds])}::uuid[])`);
  return entries.length ? `(${entries.join(" OR ")})` : null;
}

/**
 * Concurrent reads of one exit's accounts (same scope, same states) share one statement, in plain SQL: every account
 * reads its scope before each attempt (docs/performance.md "The way out").
 */
const scopeBatch = coalescer(async (reqs: { f: ExitScopeFilter; states: readonly IntentState[] }[]) => {
  const groups = new Map<string, number[]>();
  reqs.forEach((r, i) => {
    const key = JSON.stringify([
      r.f.runIds ?? [],
      r.f.protectedRunIds ?? [],
      r.f.legIndex ?? null,
      r.f.strategyId ?? null,
      !!r.f.allEntries,
      r.f.exitRunIds,
      r.states,
    ]);
    groups.set(key, [...(groups.get(key) ?? []), i]);
  });
  const out: IntentRow[][] = reqs.map(() => []);
  for (const idx of groups.values()) {
    const { f, states } = reqs[idx[0]];
    const params: unknown[] = [[...new Set(idx.map((i) => reqs[i].f.accountId))], [...states]];
    const scope = scopeSql(f, params);
    if (!scope) continue;
    const rows = await sqlRows<IntentRow>(
      `SELECT ${INTENT_COLUMNS} FROM order_intents
        WHERE id IN (SELECT i.id FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id
                      WHERE i.account_id = ANY($1::uuid[]) AND i.state = ANY($2::"IntentState"[]) AND ${scope})
        ORDER BY created_at, phase`,
      params,
    );
    for (const i of idx) out[i] = rows.filter((r) => r.accountId === reqs[i].f.accountId);
  }
  return out;
});

export function listScopeIntents(f: ExitScopeFilter, states: readonly IntentState[] = NOT_FINAL): Promise<IntentRow[]> {
  return scopeBatch({ f, states });
}

/** Whether anything of the scope (any account) may still trade: an entry intent not final (in a RUNNING run for unsent ones). */
export async function scopeHasWork(f: {
  runIds?: readonly string[];
  strategyId?: string | null;
  accountId?: string | null;
}): Promise<boolean> {
  const [row] = await db().$queryRawUnsafe<{ n: number }[]>(
    `SELECT count(*)::int AS n FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id
      WHERE r.kind <> 'EXIT'
        AND (($1::uuid[] IS NOT NULL AND r.id = ANY($1::uuid[])) OR ($2::uuid IS NOT NULL AND r.strategy_id = $2::uuid)
             OR ($1::uuid[] IS NULL AND $2::uuid IS NULL))
        AND ($3::uuid IS NULL OR i.account_id = $3::uuid)
        AND (i.state IN ('claimed', 'sending', 'unknown', 'accepted', 'reconciled_accepted', 'partially_filled')
             OR (i.state IN ('planned', 'safe_to_resend') AND r.status = 'RUNNING'))`,
    f.runIds ? [...f.runIds] : null,
    f.strategyId ?? null,
    f.accountId ?? null,
  );
  return row.n > 0;
}

/** Accounts where entry runs of the scope (one leg of them, with `legIndex`) placed (or planned) anything. */
export async function scopeAccountIds(f: {
  runIds?: readonly string[];
  strategyId?: string | null;
  legIndex?: number | null;
}): Promise<string[]> {
  const rows = await db().$queryRawUnsafe<{ id: string }[]>(
    `SELECT DISTINCT i.account_id::text AS id FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id
      WHERE r.kind <> 'EXIT' AND (($1::uuid[] IS NOT NULL AND r.id = ANY($1::uuid[])) OR ($2::uuid IS NOT NULL AND r.strategy_id = $2::uuid))
        AND ($3::int IS NULL OR i.leg_index = $3::int)`,
    f.runIds ? [...f.runIds] : null,
    f.strategyId ?? null,
    f.legIndex ?? null,
  );
  return rows.map((r) => r.id);
}

export interface AttemptState {
  runId: string;
  accountId: string;
  /** Slices still planned, claimed, sending or unconfirmed-unknown: the attempt is not over. */
  inFlight: number;
  /** Slices whose send could not be confirmed and that would otherwise be resent without a position read. */
  unconfirmed: string[];
  /** Slices the broker took (accepted, adopted, filled, partly filled, later cancelled). */
  confirmed: number;
  total: number;
}

/** How far each (EXIT run, account) attempt has got, in one plain-SQL statement (polled every 60 ms). */
export async function attemptStates(pairs: readonly { runId: string; accountId: string }[]): Promise<AttemptState[]> {
  if (pairs.length === 0) return [];
  const rows = await sqlRows<{
    runId: string;
    accountId: string;
    inFlight: number;
    unconfirmed: string[] | null;
    confirmed: number;
    total: number;
  }>(
    `SELECT run_id::text AS "runId", account_id::text AS "accountId",
            count(*) FILTER (WHERE state IN ('planned', 'claimed', 'sending', 'unknown'))::int AS "inFlight",
            array_agg(id) FILTER (WHERE state = 'safe_to_resend') AS unconfirmed,
            count(*) FILTER (WHERE state IN ('accepted', 'reconciled_accepted', 'filled', 'partially_filled', 'cancelled'))::int AS confirmed,
            count(*)::int AS total
       FROM order_intents
      WHERE (run_id, account_id) IN (SELECT r::uuid, a::uuid FROM unnest($1::text[], $2::text[]) AS t(r, a))
      GROUP BY run_id, account_id`,
    [pairs.map((p) => p.runId), pairs.map((p) => p.accountId)],
  );
  return rows.map((r) => ({ ...r, unconfirmed: r.unconfirmed ?? [] }));
}

export function findIntentRows(ids: readonly string[]): Promise<IntentRow[]> {
  return sqlRows<IntentRow>(`SELECT ${INTENT_COLUMNS} FROM order_intents WHERE id = ANY($1::text[])`, [[...ids]]);
}

/** Lot size and freeze quantity each contract was last planned with (entry runs of the owner), keyed `EXCHANGE:SYMBOL`. */
export async function plannedContractSizes(
  ownerId: string,
  symbols: readonly string[],
): Promise<Map<string, { lotSize: number; freezeQty: number | null }>> {
  if (symbols.length === 0) return new Map();
  const rows = await db().$queryRawUnsafe<
    { symbol: string; exchange: string; lotSize: number | null; freezeQty: number | null }[]
  >(
    `SELECT DISTINCT ON (leg->>'exchange', leg->>'symbol') leg->>'symbol' AS symbol, leg->>'exchange' AS exchange,
            (leg->>'lotSize')::int AS "lotSize", (leg->>'freezeQty')::int AS "freezeQty"
       FROM strategy_runs r, jsonb_array_elements(r.plan->'legs') AS leg
      WHERE r.owner_id = $1::uuid AND r.kind <> 'EXIT' AND leg->>'symbol' = ANY($2::text[])
      ORDER BY leg->>'exchange', leg->>'symbol', r.triggered_at DESC`,
    ownerId,
    [...new Set(symbols)],
  );
  const out = new Map<string, { lotSize: number; freezeQty: number | null }>();
  for (const r of rows)
    if (r.lotSize && r.lotSize > 0)
      out.set(`${r.exchange}:${r.symbol}`, { lotSize: r.lotSize, freezeQty: r.freezeQty });
  return out;
}
