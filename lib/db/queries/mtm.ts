/**
 * P&L history (docs/market-data.md "P&L history"): snapshot points per series (`run:<id>`, `account:<id>`,
 * `strategy:<id>`), written by the worker's recorder, read by the charts, thinned by compaction.
 */
import { db, sqlRows } from "@/lib/db/client";
import type { MtmSeriesKind, SeriesPoint, StoredPoint } from "@/lib/trading/mtm-series";

/** Stores the points of one instant; a retried recording of the same instant writes nothing twice. */
export async function insertMtmSnapshots(at: Date, points: readonly SeriesPoint[]): Promise<number> {
  if (points.length === 0) return 0;
  const r = await db().mtmSnapshot.createMany({
    data: points.map((p) => ({
      at,
      series: p.series,
      kind: p.kind,
      ownerId: p.ownerId,
      accountId: p.accountId,
      strategyId: p.strategyId,
      runId: p.runId,
      realised: p.realised?.toFixed(2) ?? null,
      unrealised: p.unrealised?.toFixed(2) ?? null,
      total: p.total?.toFixed(2) ?? null,
      openPositions: p.openPositions,
      allLive: p.allLive,
    })),
    skipDuplicates: true,
  });
  return r.count;
}

/**
 * Series open at the latest recorded instant in [since, before): every open series has a point at every instant
 * (they share one `at`), so that instant alone says what was open. One index range read, not a scan of the window.
 */
export async function seriesOpenBetween(since: Date, before: Date): Promise<Set<string>> {
  const rows = await sqlRows<{ series: string }>(
    `SELECT series FROM mtm_snapshots
      WHERE open_positions > 0
        AND at = (SELECT max(at) FROM mtm_snapshots WHERE at >= $1 AND at < $2)`,
    [since, before],
  );
  return new Set(rows.map((r) => r.series));
}

/** Trigger times of runs, by id. */
export async function runTriggerTimes(runIds: readonly string[]): Promise<Map<string, Date>> {
  if (runIds.length === 0) return new Map();
  const rows = await sqlRows<{ id: string; triggeredAt: Date }>(
    `SELECT id::text AS id, triggered_at AS "triggeredAt" FROM strategy_runs WHERE id = ANY($1::uuid[])`,
    [[...new Set(runIds)]],
  );
  return new Map(rows.map((r) => [r.id, r.triggeredAt]));
}

export interface MtmRow {
  series: string;
  at: Date;
  realised: string | null;
  unrealised: string | null;
  total: string | null;
  openPositions: number;
  allLive: boolean;
}

const rowSelect = {
  series: true,
  at: true,
  realised: true,
  unrealised: true,
  total: true,
  openPositions: true,
  allLive: true,
} as const;

type Selected = {
  series: string;
  at: Date;
  realised: { toString(): string } | null;
  unrealised: { toString(): string } | null;
  total: { toString(): string } | null;
  openPositions: number;
  allLive: boolean;
};
const toRow = (r: Selected): MtmRow => ({
  ...r,
  realised: r.realised?.toString() ?? null,
  unrealised: r.unrealised?.toString() ?? null,
  total: r.total?.toString() ?? null,
});

/** Points of one series in [from, to) (all of it without bounds), oldest first, at most `limit`. */
export async function listSeriesPoints(
  series: string,
  range: { from?: Date; to?: Date },
  limit: number,
): Promise<MtmRow[]> {
  const rows = await db().mtmSnapshot.findMany({
    where: { series, at: { gte: range.from, lt: range.to } },
    select: rowSelect,
    orderBy: { at: "asc" },
    take: limit,
  });
  return rows.map(toRow);
}

/** Points of every series of `kind` owned by `ownerIds` (every owner when null) in [from, to), oldest first. */
export async function listOwnedPoints(
  ownerIds: readonly string[] | null,
  kind: MtmSeriesKind,
  range: { from: Date; to: Date },
  limit: number,
): Promise<MtmRow[]> {
  const rows = await db().mtmSnapshot.findMany({
    where: { kind, at: { gte: range.from, lt: range.to }, ...(ownerIds ? { ownerId: { in: [...ownerIds] } } : {}) },
    select: rowSelect,
    orderBy: { at: "asc" },
    take: limit,
  });
  return rows.map(toRow);
}

/** What compaction needs of the points in [from, to). */
export async function listPointsForCompaction(from: Date, to: Date): Promise<StoredPoint[]> {
  const rows = await db().$queryRawUnsafe<{ id: string; series: string; at: Date; known: boolean }[]>(
    `SELECT id::text AS id, series, at, total IS NOT NULL AS known FROM mtm_snapshots WHERE at >= $1 AND at < $2`,
    from,
    to,
  );
  return rows.map((r) => ({ id: r.id, series: r.series, at: r.at.getTime(), known: r.known }));
}

/** Deletes points by id, in batches; returns how many went. */
export async function deleteSnapshots(ids: readonly string[]): Promise<number> {
  let n = 0;
  for (let i = 0; i < ids.length; i += 5_000) {
    n += await db().$executeRawUnsafe(
      `DELETE FROM mtm_snapshots WHERE id = ANY($1::bigint[])`,
      ids.slice(i, i + 5_000),
    );
  }
  return n;
}
