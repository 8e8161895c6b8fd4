/**
 * What a run covers besides itself (docs/risk.md "Adjustments"): the ADJUSTMENT runs of its strategy triggered after it
 * and before the strategy's next STRATEGY run. An adjustment's legs are part of the run's position, so a run's exit and
 * its risk rules take them in.
 */
import { db } from "@/lib/db/client";

/** Per STRATEGY run of `runIds`, its adjustment runs (oldest first); runs without any are absent. */
export async function adjustmentsOf(runIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (runIds.length === 0) return out;
  const rows = await db().$queryRawUnsafe<{ run: string; adjustment: string }[]>(
    `SELECT r.id::text AS run, a.id::text AS adjustment
       FROM strategy_runs r
       JOIN strategy_runs a ON a.strategy_id = r.strategy_id AND a.kind = 'ADJUSTMENT' AND a.triggered_at >= r.triggered_at
      WHERE r.id = ANY($1::uuid[]) AND r.kind = 'STRATEGY'
        AND NOT EXISTS (SELECT 1 FROM strategy_runs n
                         WHERE n.strategy_id = r.strategy_id AND n.kind = 'STRATEGY' AND n.id <> r.id
                           AND n.triggered_at > r.triggered_at AND n.triggered_at <= a.triggered_at)
      ORDER BY a.triggered_at, a.id`,
    [...new Set(runIds)],
  );
  for (const r of rows) out.set(r.run, [...(out.get(r.run) ?? []), r.adjustment]);
  return out;
}

/** The run and the adjustment runs it covers. */
export async function coveredRunIds(runId: string): Promise<string[]> {
  return [runId, ...((await adjustmentsOf([runId])).get(runId) ?? [])];
}

/** Contracts one leg of `runIds` traded (or planned) in one account. */
export async function legContracts(runIds: readonly string[], accountId: string, legIndex: number) {
  return db().$queryRawUnsafe<{ exchange: string; symbol: string; product: string }[]>(
    `SELECT DISTINCT exchange, symbol, product FROM order_intents
      WHERE run_id = ANY($1::uuid[]) AND account_id = $2::uuid AND leg_index = $3`,
    [...runIds],
    accountId,
    legIndex,
  );
}
