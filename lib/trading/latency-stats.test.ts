import { describe, expect, it } from "vitest";
import { accountLatencies, latencyHistogram, percentile } from "./latency-stats";

describe("percentile (nearest rank)", () => {
  it("answers null for no values and the value itself for one", () => {
    expect(percentile([], 50)).toBeNull();
    expect(percentile([42], 99)).toBe(42);
  });

  it("takes the nearest rank of the sorted values", () => {
    const v = [50, 10, 40, 20, 30];
    expect(percentile(v, 50)).toBe(30);
    expect(percentile(v, 99)).toBe(50);
    expect(percentile(v, 0)).toBe(10);
    const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 99)).toBe(99);
  });

  it("refuses a percentile outside 0–100", () => {
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe("latencyHistogram", () => {
  it("has no buckets without values", () => {
    expect(latencyHistogram([])).toEqual([]);
  });

  it("uses a round width, keeps empty buckets between, and counts every value once", () => {
    const buckets = latencyHistogram([120, 130, 180, 410]);
    expect(buckets[0]).toEqual({ fromMs: 120, toMs: 140, count: 2 });
    expect(buckets.at(-1)).toEqual({ fromMs: 400, toMs: 420, count: 1 });
    expect(buckets).toHaveLength(15);
    expect(buckets[3]).toEqual({ fromMs: 180, toMs: 200, count: 1 });
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(4);
    expect(buckets.length).toBeLessThanOrEqual(20);
    for (let i = 1; i < buckets.length; i += 1) expect(buckets[i].fromMs).toBe(buckets[i - 1].toMs);
  });

  it("puts a value on a boundary in the upper bucket and handles one value", () => {
    expect(latencyHistogram([100, 101], 2)).toEqual([
      { fromMs: 100, toMs: 101, count: 1 },
      { fromMs: 101, toMs: 102, count: 1 },
    ]);
    expect(latencyHistogram([250])).toEqual([{ fromMs: 250, toMs: 251, count: 1 }]);
  });

  it("stays within the bucket limit for wide spreads", () => {
    const buckets = latencyHistogram([0, 3_600_000], 20);
    expect(buckets.length).toBeLessThanOrEqual(20);
    expect(buckets.reduce((n, b) => n + b.count, 0)).toBe(2);
  });

  it("refuses negative latencies", () => {
    expect(() => latencyHistogram([-1])).toThrow(RangeError);
  });
});

describe("accountLatencies", () => {
  it("takes each account's first and last acknowledgement from the trigger, ignoring unacknowledged orders", () => {
    const t0 = 1_000_000;
    expect(
      accountLatencies(t0, [
        { accountId: "a", acknowledgedAt: t0 + 300 },
        { accountId: "a", acknowledgedAt: t0 + 120 },
        { accountId: "a", acknowledgedAt: null },
        { accountId: "b", acknowledgedAt: null },
        { accountId: "c", acknowledgedAt: t0 - 5 },
      ]),
    ).toEqual([
      { accountId: "a", firstAckMs: 120, lastAckMs: 300 },
      { accountId: "b", firstAckMs: null, lastAckMs: null },
      { accountId: "c", firstAckMs: 0, lastAckMs: 0 },
    ]);
  });
});
