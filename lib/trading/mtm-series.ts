/**
 * P&L curves (docs/market-data.md "P&L history"): which series one snapshot instant records and what each holds,
 * and how old days are thinned to one point per minute. Pure: positions, prices and times are passed in.
 */
import Decimal from "decimal.js";

export type MtmSeriesKind = "RUN" | "ACCOUNT" | "STRATEGY" | "OWNER";

/** One ledger position (run granularity) valued at one instant. */
export interface ValuedPosition {
  ownerId: string;
  accountId: string;
  runId: string;
  strategyId: string | null;
  /** IST trading date the run was triggered on. */
  runDay: string;
  /** Signed units; 0 = closed. */
  netQty: number;
  /** ₹ realised so far; null when a fill had no price. */
  realised: Decimal | null;
  /** ₹ at the instant's LTP, (LTP − average) × net quantity; 0 when flat; null without a price. */
  unrealised: Decimal | null;
  /** Priced from a fresh live-feed quote (flat positions need no price and count as live). */
  live: boolean;
}

export interface SeriesPoint {
  series: string;
  kind: MtmSeriesKind;
  ownerId: string;
  accountId: string | null;
  strategyId: string | null;
  runId: string | null;
  realised: Decimal | null;
  unrealised: Decimal | null;
  /** realised + unrealised; null when either is unknown. */
  total: Decimal | null;
  openPositions: number;
  allLive: boolean;
}

export const seriesName = (kind: MtmSeriesKind, id: string) => `${kind.toLowerCase()}:${id}`;

/**
 * The book's one P&L sum (./live-book.ts `sumPnl`) of two amounts: unknown in either makes the sum unknown. Written
 * out (the recorder adds eight amounts per position at every sample, docs/performance.md "The worker's ledger of every
 * account"): `sumPnl` starts from zero, and zero plus an amount is that amount (every amount here has at most the
 * precision's 20 digits), so the value is the same.
 */
const addKnown = (a: Decimal | null, b: Decimal | null) => (a === null || b === null ? null : a.plus(b));
const ZERO = new Decimal(0);

/**
 * The points of one instant on IST date `today`: a RUN series per run (over its accounts), an ACCOUNT series per
 * account, a STRATEGY series per strategy and an OWNER series per owner (over the day's runs in all the owner's
 * accounts: what the dashboard sums), each summed over the positions of the day's
 * runs: runs triggered `today`, runs holding an open position and runs that held one at the previous instant
 * (`wasOpen` names the series open then). A series is recorded while it has an open position, and once more when it
 * has just gone flat, so each curve ends on its closing value. Nothing open, nothing recorded.
 */
export function mtmPoints(
  positions: readonly ValuedPosition[],
  wasOpen: ReadonlySet<string>,
  today: string,
): SeriesPoint[] {
  const openRuns = new Set(positions.filter((p) => p.netQty !== 0).map((p) => p.runId));
  const ofTheDay = (p: ValuedPosition) =>
    p.runDay === today || openRuns.has(p.runId) || wasOpen.has(seriesName("RUN", p.runId));
  const bySeries = new Map<string, SeriesPoint>();
  const add = (kind: MtmSeriesKind, id: string, p: ValuedPosition) => {
    const series = seriesName(kind, id);
    let s = bySeries.get(series);
    if (!s) {
      s = {
        series,
        kind,
        ownerId: p.ownerId,
        accountId: kind === "ACCOUNT" ? p.accountId : null,
        strategyId: kind === "STRATEGY" ? p.strategyId : kind === "RUN" ? p.strategyId : null,
        runId: kind === "RUN" ? p.runId : null,
        realised: new Decimal(0),
        unrealised: new Decimal(0),
        total: null,
        openPositions: 0,
        allLive: true,
      };
      bySeries.set(series, s);
    }
    s.realised = addKnown(s.realised, p.realised);
    s.unrealised = addKnown(s.unrealised, p.netQty === 0 ? ZERO : p.unrealised);
    if (p.netQty !== 0) {
      s.openPositions += 1;
      s.allLive &&= p.live;
    }
  };
  for (const p of positions.filter(ofTheDay)) {
    add("RUN", p.runId, p);
    add("ACCOUNT", p.accountId, p);
    if (p.strategyId) add("STRATEGY", p.strategyId, p);
    add("OWNER", p.ownerId, p);
  }
  return [...bySeries.values()]
    .filter((s) => s.openPositions > 0 || wasOpen.has(s.series))
    .map((s) => ({ ...s, total: addKnown(s.realised, s.unrealised) }))
    .sort((a, b) => a.series.localeCompare(b.series));
}

/** A stored point as compaction sees it. */
export interface StoredPoint {
  id: string;
  series: string;
  /** Epoch ms. */
  at: number;
  /** Whether the point's total was known. */
  known: boolean;
}

/**
 * Ids to delete so that each series keeps one point per `bucketMs` (buckets aligned to the epoch, so minutes stay
 * minutes in IST too): the last point of the bucket whose total was known, else the bucket's last point.
 */
export function downsample(points: readonly StoredPoint[], bucketMs: number): string[] {
  if (!Number.isSafeInteger(bucketMs) || bucketMs <= 0)
    throw new RangeError(`bucket must be positive, got ${bucketMs}`);
  const keep = new Map<string, StoredPoint>();
  const better = (a: StoredPoint, b: StoredPoint) =>
    a.known !== b.known ? a.known : a.at !== b.at ? a.at > b.at : a.id > b.id;
  for (const p of points) {
    const key = `${p.series}|${Math.floor(p.at / bucketMs)}`;
    const kept = keep.get(key);
    if (!kept || better(p, kept)) keep.set(key, p);
  }
  const kept = new Set([...keep.values()].map((p) => p.id));
  return points.filter((p) => !kept.has(p.id)).map((p) => p.id);
}

/** One point of a curve as charts read it. */
export interface CurvePoint {
  /** Epoch ms. */
  at: number;
  realised: Decimal | null;
  unrealised: Decimal | null;
  total: Decimal | null;
  openPositions: number;
  allLive: boolean;
}

/**
 * The sum of several series (a dashboard over accounts), at every instant any of them has a point. A series without
 * a point at an instant counts with its latest earlier point (an account that went flat keeps its closing P&L in
 * the sum); a series with no point yet counts nothing. Unknown in any part makes the sum's value unknown.
 */
export function sumSeries(points: readonly (CurvePoint & { series: string })[]): CurvePoint[] {
  const sorted = [...points].sort((a, b) => a.at - b.at);
  const latest = new Map<string, CurvePoint>();
  const out: CurvePoint[] = [];
  for (let i = 0; i < sorted.length;) {
    const at = sorted[i].at;
    for (; i < sorted.length && sorted[i].at === at; i += 1) latest.set(sorted[i].series, sorted[i]);
    const sum: CurvePoint = {
      at,
      realised: new Decimal(0),
      unrealised: new Decimal(0),
      total: new Decimal(0),
      openPositions: 0,
      allLive: true,
    };
    for (const p of latest.values()) {
      sum.realised = addKnown(sum.realised, p.realised);
      sum.unrealised = addKnown(sum.unrealised, p.unrealised);
      sum.total = addKnown(sum.total, p.total);
      sum.openPositions += p.openPositions;
      sum.allLive &&= p.allLive;
    }
    out.push(sum);
  }
  return out;
}
