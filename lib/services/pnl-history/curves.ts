/**
 * P&L curves and fan-out latency as the charts read them (docs/market-data.md "P&L history"), scoped like runs and
 * strategies: a run or strategy outside the actor's scope is 404, the dashboard sums only readable owners' accounts.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import { readableOwnerIds, scopeOf, type Actor } from "@/lib/auth/roles";
import { listOwnedPoints, listSeriesPoints, type MtmRow } from "@/lib/db/queries/mtm";
import { findRun } from "@/lib/db/queries/runs";
import { NotFoundError } from "@/lib/errors";
import { DAY_MS, isIsoDate, istDateOf, istInstant } from "@/lib/trading/calendar";
import { accountLatencies, latencyHistogram, percentile } from "@/lib/trading/latency-stats";
import { seriesName, sumSeries, type CurvePoint } from "@/lib/trading/mtm-series";
import type { Jsonified } from "@/lib/util/jsonify";
import { findStrategyRow } from "@/lib/services/strategies";

/** Points one curve answers at most (a day at the 5 s default is about 4,500 per series). */
const MAX_POINTS = 20_000;

export interface PointJson {
  at: string;
  realised: string | null;
  unrealised: string | null;
  total: string | null;
  openPositions: number;
  allLive: boolean;
}

export interface Curve {
  series: string;
  /** IST date of the curve; null for a run's whole life. */
  day: string | null;
  points: PointJson[];
}
/** GET /api/runs/{id}/mtm, /api/strategies/{id}/mtm, /api/mtm. */
export type CurveJson = Jsonified<Curve>;

const dayRange = (day: string) => {
  const from = istInstant(day, "00:00");
  return { from: new Date(from), to: new Date(from + DAY_MS) };
};

const fromRow = (r: MtmRow): PointJson => ({
  at: r.at.toISOString(),
  realised: r.realised,
  unrealised: r.unrealised,
  total: r.total,
  openPositions: r.openPositions,
  allLive: r.allLive,
});

const dec = (v: string | null) => (v === null ? null : new Decimal(v));
const str = (v: Decimal | null) => (v === null ? null : v.toFixed(2));

/** The whole P&L curve of a run (every day it was recorded). */
export async function runMtm(actor: Actor, runId: string): Promise<Curve> {
  const run = await findRun(scopeOf(actor), runId);
  if (!run) throw new NotFoundError("Run");
  const series = seriesName("RUN", runId);
  return { series, day: null, points: (await listSeriesPoints(series, {}, MAX_POINTS)).map(fromRow) };
}

/** A strategy's P&L curve over one IST day (its runs of the day, over every account). */
export async function strategyMtm(actor: Actor, strategyId: string, day: string): Promise<Curve> {
  await findStrategyRow(actor, strategyId);
  const series = seriesName("STRATEGY", strategyId);
  return { series, day, points: (await listSeriesPoints(series, dayRange(day), MAX_POINTS)).map(fromRow) };
}

/** The P&L of every account the actor may read, summed (one OWNER curve per readable owner), over one IST day. */
export async function dashboardMtm(actor: Actor, day: string): Promise<Curve> {
  const rows = await listOwnedPoints(readableOwnerIds(scopeOf(actor)), "OWNER", dayRange(day), MAX_POINTS * 10);
  const sum = sumSeries(
    rows.map((r): CurvePoint & { series: string } => ({
      series: r.series,
      at: r.at.getTime(),
      realised: dec(r.realised),
      unrealised: dec(r.unrealised),
      total: dec(r.total),
      openPositions: r.openPositions,
      allLive: r.allLive,
    })),
  );
  return {
    series: "accounts",
    day,
    points: sum.map((p) => ({
      at: new Date(p.at).toISOString(),
      realised: str(p.realised),
      unrealised: str(p.unrealised),
      total: str(p.total),
      openPositions: p.openPositions,
      allLive: p.allLive,
    })),
  };
}

/** Today's IST date (the default day of the strategy and dashboard curves). */
export const todayIst = (now: Date) => istDateOf(now.getTime());

/**
 * Fan-out latency of a run: per account, trigger → the broker's acknowledgement of its first order (and of its
 * last), a histogram of the first, and p50/p99 of both over the accounts that had an acknowledgement.
 */
export async function runLatency(actor: Actor, runId: string) {
  const run = await findRun(scopeOf(actor), runId);
  if (!run) throw new NotFoundError("Run");
  const plan = run.plan as { accounts?: { accountId: string; accountName: string }[] };
  const names = new Map((plan.accounts ?? []).map((a) => [a.accountId, a.accountName]));
  const accounts = accountLatencies(
    run.triggeredAt.getTime(),
    run.intents.map((i) => ({ accountId: i.accountId, acknowledgedAt: i.acknowledgedAt?.getTime() ?? null })),
  ).map((a) => ({ ...a, accountName: names.get(a.accountId) ?? a.accountId }));
  const first = accounts.flatMap((a) => (a.firstAckMs === null ? [] : [a.firstAckMs]));
  const last = accounts.flatMap((a) => (a.lastAckMs === null ? [] : [a.lastAckMs]));
  return {
    runId,
    triggeredAt: run.triggeredAt.toISOString(),
    accounts: accounts.sort((a, b) => (a.firstAckMs ?? Infinity) - (b.firstAckMs ?? Infinity)),
    /** Accounts none of whose orders were acknowledged (all rejected before reaching the broker, or skipped). */
    unacknowledged: accounts.length - first.length,
    firstAck: { p50: percentile(first, 50), p99: percentile(first, 99), histogram: latencyHistogram(first) },
    lastAck: { p50: percentile(last, 50), p99: percentile(last, 99) },
  };
}
/** GET /api/runs/{id}/latency. */
export type RunLatencyJson = Jsonified<Awaited<ReturnType<typeof runLatency>>>;

/** `?day=YYYY-MM-DD` (IST); today when absent. */
export const mtmDayQuerySchema = z.object({
  day: z.string().refine(isIsoDate, "day must be a date, YYYY-MM-DD").optional(),
});
