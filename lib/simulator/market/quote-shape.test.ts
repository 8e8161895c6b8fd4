import { describe, expect, it } from "vitest";
import { hashUnit, mulberry32 } from "./prng";
import { bookTop, ceilTick, floorTick, roundTick } from "./quote-shape";

describe("ticks", () => {
  it("rounds to the shortest decimal float of the tick grid", () => {
    expect(roundTick(123.4499)).toBe(123.45);
    expect(roundTick(0.1 + 0.2)).toBe(0.3);
    expect(String(roundTick(26012.337))).toBe("26012.35");
    expect(floorTick(10.0999)).toBe(10.05);
    expect(floorTick(10.1)).toBe(10.1);
    expect(ceilTick(10.0001)).toBe(10.05);
    expect(ceilTick(10.05)).toBe(10.05);
    expect(roundTick(812.26, 0.1)).toBe(812.3);
  });
});

describe("bookTop", () => {
  it("keeps bid ≤ ltp ≤ ask on the grid, never bids below one tick, and sizes queues in lots", () => {
    for (const ltp of [0.05, 0.1, 1.35, 17.2, 240.65, 26001.4]) {
      const b = bookTop({
        ltp,
        halfSpreadFraction: 0.01,
        minHalfTicks: 1,
        tick: 0.05,
        lot: 65,
        seedHash: 1,
        symbolHash: 2,
        seq: 3,
      });
      expect(b.bid).toBeLessThanOrEqual(ltp);
      expect(b.ask).toBeGreaterThan(ltp);
      expect(b.bid).toBeGreaterThanOrEqual(0.05);
      expect(roundTick(b.bid)).toBe(b.bid);
      expect(roundTick(b.ask)).toBe(b.ask);
      expect(b.bidQty % 65).toBe(0);
      expect(b.askQty).toBeGreaterThan(0);
    }
  });
});

describe("prng", () => {
  it("is a deterministic stream in [0, 1) with a sane mean", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    let sum = 0;
    for (let i = 0; i < 10_000; i++) {
      const x = a();
      expect(x).toBe(b());
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
    }
    expect(sum / 10_000).toBeGreaterThan(0.48);
    expect(sum / 10_000).toBeLessThan(0.52);
    expect(mulberry32(43)()).not.toBe(mulberry32(42)());
    expect(hashUnit(1, 2, 3)).toBe(hashUnit(1, 2, 3));
    expect(hashUnit(1, 2, 3)).not.toBe(hashUnit(1, 2, 4));
  });
});
