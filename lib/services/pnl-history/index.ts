/**
 * P&L history (docs/market-data.md "P&L history"): the worker's recorder samples every run's, account's and
 * strategy's P&L from the positions ledger while anything is open; compaction thins days before today to one point
 * per minute; the charts read curves through ./curves.
 */
import { listAccounts } from "@/lib/db/queries/accounts";
import {
  deleteSnapshots,
  insertMtmSnapshots,
  listPointsForCompaction,
  runTriggerTimes,
  seriesOpenBetween,
} from "@/lib/db/queries/mtm";
import { addDays, DAY_MS, istDateOf, istInstant } from "@/lib/trading/calendar";
import { unrealisedPnl } from "@/lib/trading/ledger";
import { downsample, mtmPoints, type SeriesPoint, type ValuedPosition } from "@/lib/trading/mtm-series";
import { processLedger, type EveryLedger } from "@/lib/services/positions";
import { priceKey, snapshotPrices } from "./prices";

export { dashboardMtm, mtmDayQuerySchema, runLatency, runMtm, strategyMtm, todayIst } from "./curves";
export type { CurveJson, RunLatencyJson } from "./curves";

/** A series open at a point this recent still gets its closing point (a worker down longer than this loses it). */
const WAS_OPEN_LOOKBACK_MS = 10 * 60_000;

/**
 * Records one instant: the P&L of every run, account and strategy of the day (lib/trading/mtm-series.ts mtmPoints)
 * from the ledger at run granularity, valued at live LTPs. Writes nothing when nothing is open (and nothing just
 * went flat). Recording the same instant twice stores it once.
 */
export async function recordMtm(
  now: Date,
  ledger: EveryLedger = processLedger,
): Promise<{ recorded: number; open: number }> {
  const sample = await mtmSample(now, ledger);
  return { recorded: await insertMtmSnapshots(now, sample.points), open: sample.open };
}

/**
 * The points `recordMtm` stores for the instant `now`, from `ledger` (this process's ledger of every account, which
 * reads only the accounts whose fills changed since its last read: docs/performance.md).
 */
export async function mtmSample(now: Date, ledger: EveryLedger): Promise<{ points: SeriesPoint[]; open: number }> {
  const positions = await ledger.positions("run");
  const open = positions.filter((p) => p.netQty !== 0);
  const wasOpen = await seriesOpenBetween(new Date(now.getTime() - WAS_OPEN_LOOKBACK_MS), now);
  if (open.length === 0 && wasOpen.size === 0) return { points: [], open: 0 };
  const accounts = new Map((await listAccounts({ ownerId: null })).map((a) => [a.id, a]));
  const mine = positions.filter((p) => p.scope.runId !== null && accounts.has(p.accountId));
  const [triggered, prices] = await Promise.all([
    runTriggerTimes(mine.map((p) => p.scope.runId!)),
    snapshotPrices(
      mine
        .filter((p) => p.netQty !== 0)
        .map((p) => ({ account: accounts.get(p.accountId)!, exchange: p.exchange, symbol: p.symbol })),
      now,
    ),
  ]);
  const runDay = new Map([...triggered].map(([id, at]) => [id, istDateOf(at.getTime())]));
  const valued = mine.map((p): ValuedPosition => {
    const account = accounts.get(p.accountId)!;
    const price = p.netQty === 0 ? { ltp: null, live: true } : prices.get(priceKey(account, p));
    return {
      ownerId: account.ownerId,
      accountId: p.accountId,
      runId: p.scope.runId!,
      strategyId: p.scope.strategyId,
      runDay: runDay.get(p.scope.runId!) ?? "",
      netQty: p.netQty,
      realised: p.realisedPnl,
      // Unrealised P&L as every screen values it (lib/trading/live-book.ts `rowUnrealised` is `unrealisedPnl` for a
      // row not closed outside MirrorDesk). The recorder does not ask brokers which contracts were closed outside
      // MirrorDesk at every sample, so such a row is valued at its LTP here (docs/market-data.md "Unrealised P&L: one
      // definition").
      unrealised: unrealisedPnl(p, price?.ltp ?? null),
      live: price?.live ?? false,
    };
  });
  return { points: mtmPoints(valued, wasOpen, istDateOf(now.getTime())), open: open.length };
}

/** Days before today that compaction revisits (it is idempotent, so a missed night is caught up). */
export const COMPACT_DAYS = 7;
/** What is kept of a day before today: one point per series per minute. */
export const COMPACT_BUCKET_MS = 60_000;

/** Thins the COMPACT_DAYS IST days before `now`'s to one point per series per minute (lib/trading/mtm-series.ts). */
export async function compactMtm(now: Date): Promise<{ deleted: number }> {
  const today = istDateOf(now.getTime());
  let deleted = 0;
  for (let back = 1; back <= COMPACT_DAYS; back += 1) {
    const from = istInstant(addDays(today, -back), "00:00");
    const points = await listPointsForCompaction(new Date(from), new Date(from + DAY_MS));
    deleted += await deleteSnapshots(downsample(points, COMPACT_BUCKET_MS));
  }
  return { deleted };
}
