import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { downsample, mtmPoints, seriesName, sumSeries, type StoredPoint, type ValuedPosition } from "./mtm-series";

const TODAY = "2026-12-07";
const pos = (over: Partial<ValuedPosition>): ValuedPosition => ({
  ownerId: "o1",
  accountId: "a1",
  runId: "r1",
  strategyId: "s1",
  runDay: TODAY,
  netQty: 75,
  realised: new Decimal(0),
  unrealised: new Decimal(0),
  live: true,
  ...over,
});

describe("mtmPoints", () => {
  it("records nothing when nothing is open and nothing was", () => {
    expect(mtmPoints([], new Set(), TODAY)).toEqual([]);
    expect(mtmPoints([pos({ netQty: 0, realised: new Decimal(500) })], new Set(), TODAY)).toEqual([]);
  });

  it("sums a run over its accounts, an account over its runs and a strategy over both", () => {
    const points = mtmPoints(
      [
        pos({ accountId: "a1", runId: "r1", unrealised: new Decimal("100.5"), realised: new Decimal(10) }),
        pos({ accountId: "a2", runId: "r1", unrealised: new Decimal("-40"), realised: new Decimal(0) }),
        pos({ accountId: "a1", runId: "r2", strategyId: null, unrealised: new Decimal(7), realised: new Decimal(3) }),
      ],
      new Set(),
      TODAY,
    );
    const by = new Map(points.map((p) => [p.series, p]));
    expect([...by.keys()]).toEqual(["account:a1", "account:a2", "owner:o1", "run:r1", "run:r2", "strategy:s1"]);
    expect(by.get("owner:o1")!.total!.toString()).toBe("80.5");
    expect(by.get("owner:o1")).toMatchObject({
      kind: "OWNER",
      ownerId: "o1",
      accountId: null,
      runId: null,
      openPositions: 3,
    });
    expect(by.get("run:r1")).toMatchObject({ kind: "RUN", runId: "r1", strategyId: "s1", openPositions: 2 });
    expect(by.get("run:r1")!.total!.toString()).toBe("70.5");
    expect(by.get("account:a1")!.unrealised!.toString()).toBe("107.5");
    expect(by.get("account:a1")!.total!.toString()).toBe("120.5");
    expect(by.get("account:a1")).toMatchObject({ accountId: "a1", runId: null, strategyId: null });
    expect(by.get("strategy:s1")!.total!.toString()).toBe("70.5");
  });

  it("makes a series' unrealised and total unknown when an open position has no price, and says it was not live", () => {
    const points = mtmPoints(
      [pos({ unrealised: new Decimal(5) }), pos({ accountId: "a2", unrealised: null, live: false })],
      new Set(),
      TODAY,
    );
    const run = points.find((p) => p.series === "run:r1")!;
    expect(run.unrealised).toBeNull();
    expect(run.total).toBeNull();
    expect(run.allLive).toBe(false);
    const a1 = points.find((p) => p.series === "account:a1")!;
    expect(a1.total!.toString()).toBe("5");
    expect(a1.allLive).toBe(true);
  });

  it("records a series once more on the instant it goes flat, with its closing value", () => {
    const closed = pos({ netQty: 0, realised: new Decimal(250), unrealised: new Decimal(0) });
    const points = mtmPoints([closed], new Set([seriesName("RUN", "r1")]), TODAY);
    expect(points.map((p) => p.series)).toEqual(["run:r1"]);
    // The owner was open too at the previous instant: its closing point comes with it.
    expect(mtmPoints([closed], new Set(["run:r1", "owner:o1"]), TODAY).map((p) => p.series)).toEqual([
      "owner:o1",
      "run:r1",
    ]);
    expect(points[0]).toMatchObject({ openPositions: 0, allLive: true });
    expect(points[0].total!.toString()).toBe("250");
  });

  it("counts the day's runs in an account's curve: closed runs of today and open runs of earlier days", () => {
    const points = mtmPoints(
      [
        pos({ runId: "today-closed", netQty: 0, realised: new Decimal(100) }),
        pos({ runId: "old-closed", runDay: "2026-12-01", netQty: 0, realised: new Decimal(9999) }),
        pos({ runId: "old-open", runDay: "2026-12-04", unrealised: new Decimal(-30), realised: new Decimal(0) }),
      ],
      new Set(),
      TODAY,
    );
    const account = points.find((p) => p.series === "account:a1")!;
    expect(account.total!.toString()).toBe("70");
    expect(account.openPositions).toBe(1);
    expect(points.map((p) => p.series)).not.toContain("run:old-closed");
  });
});

describe("downsample", () => {
  const MIN = 60_000;
  const pt = (id: string, at: number, known = true, series = "run:r1"): StoredPoint => ({ id, series, at, known });

  it("keeps the last point of each minute per series and deletes the rest", () => {
    const points = [
      pt("1", 0),
      pt("2", 5_000),
      pt("3", 59_999),
      pt("4", MIN),
      pt("5", MIN + 30_000),
      pt("6", 10_000, true, "account:a1"),
    ];
    expect(downsample(points, MIN).sort()).toEqual(["1", "2", "4"]);
  });

  it("prefers a point with a known total over a later one without", () => {
    expect(downsample([pt("1", 1_000), pt("2", 2_000), pt("3", 3_000, false)], MIN).sort()).toEqual(["1", "3"]);
    expect(downsample([pt("1", 1_000, false), pt("2", 2_000, false)], MIN)).toEqual(["1"]);
  });

  it("is idempotent: a compacted day loses nothing more", () => {
    const points = Array.from({ length: 500 }, (_, i) => pt(String(i), i * 5_000));
    const deleted = new Set(downsample(points, MIN));
    const left = points.filter((p) => !deleted.has(p.id));
    expect(left).toHaveLength(Math.ceil((500 * 5_000) / MIN));
    expect(downsample(left, MIN)).toEqual([]);
  });

  it("refuses a bucket that is not a positive integer", () => {
    expect(() => downsample([], 0)).toThrow(RangeError);
  });
});

describe("sumSeries", () => {
  const cp = (series: string, at: number, total: Decimal.Value | null, open = 1, allLive = true) => ({
    series,
    at,
    realised: total === null ? null : new Decimal(0),
    unrealised: total === null ? null : new Decimal(total),
    total: total === null ? null : new Decimal(total),
    openPositions: open,
    allLive,
  });

  it("sums accounts per instant and carries a flat account's closing value forward", () => {
    const sum = sumSeries([
      cp("account:b", 2_000, 20),
      cp("account:a", 1_000, 100),
      cp("account:b", 1_000, 10),
      cp("account:a", 2_000, 500, 0),
      cp("account:b", 3_000, 30, 1, false),
    ]);
    expect(sum.map((p) => [p.at, p.total?.toString(), p.openPositions, p.allLive])).toEqual([
      [1_000, "110", 2, true],
      [2_000, "520", 1, true],
      [3_000, "530", 1, false],
    ]);
  });

  it("makes the sum unknown while any part is unknown", () => {
    const sum = sumSeries([cp("account:a", 1_000, 5), cp("account:b", 1_000, null), cp("account:b", 2_000, 1)]);
    expect(sum[0].total).toBeNull();
    expect(sum[1].total?.toString()).toBe("6");
  });
});
