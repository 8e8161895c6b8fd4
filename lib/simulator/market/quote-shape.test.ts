import { describe, expect, it } from "vitest";
import { hashUnit, mulberry32 } from "./prng";
import Decimal from "decimal.js";
import { protectedLimitPrice } from "@/lib/trading/order-price";
import { bookTop, ceilTick, floorTick, optionHalfSpreadFraction, roundTick } from "./quote-shape";

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

describe("option spreads against protected limits", () => {
  // The browser suite's strategy prices its legs with a 5 % band and holds resting orders open, so it relies on this:
  // whatever the premium and moneyness, such a limit meets the simulated touch at placement.
  const touch = (ltp: number, moneyness: number) =>
    bookTop({
      ltp,
      halfSpreadFraction: optionHalfSpreadFraction(moneyness, ltp),
      minHalfTicks: 1,
      tick: 0.05,
      lot: 65,
      seedHash: 1,
      symbolHash: 2,
      seq: 3,
    });
  const limit = (ltp: number, band: number, action: "BUY" | "SELL") =>
    protectedLimitPrice(new Decimal(ltp), new Decimal(band), action, "0.05").toNumber();

  it("a 5 % band is marketable on every option book, from one tick to ₹1,000, deep in or far out", () => {
    const misses: string[] = [];
    for (let ticks = 1; ticks <= 20_000; ticks += ticks < 2_000 ? 1 : 7) {
      const ltp = roundTick(ticks * 0.05);
      for (const moneyness of [0, 0.5, 2, 4, 8]) {
        const b = touch(ltp, moneyness);
        if (limit(ltp, 5, "BUY") < b.ask) misses.push(`BUY ${ltp} m=${moneyness}`);
        if (limit(ltp, 5, "SELL") > b.bid) misses.push(`SELL ${ltp} m=${moneyness}`);
      }
    }
    expect(misses).toEqual([]);
  });

  it("a 2 % band can rest inside a cheap option's spread (why the suite widens it)", () => {
    const b = touch(4.6, 2);
    expect(limit(4.6, 2, "BUY")).toBeLessThan(b.ask);
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
