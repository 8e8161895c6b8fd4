import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { isOnTick, protectedLimitPrice, roundToTick } from "./order-price";

const D = (v: Decimal.Value) => new Decimal(v);

describe("roundToTick", () => {
  it.each([
    ["101.01", "up", "101.05"],
    ["101.01", "down", "101"],
    ["101.05", "up", "101.05"],
    ["101.05", "down", "101.05"],
    ["0.049", "up", "0.05"],
    ["0.049", "down", "0"],
  ] as const)("%s rounded %s → %s", (price, dir, want) => {
    expect(roundToTick(price, "0.05", dir).toString()).toBe(D(want).toString());
  });
  it("rejects a non-positive tick", () => {
    expect(() => roundToTick("1", "0", "up")).toThrow(RangeError);
  });
});

describe("isOnTick", () => {
  it("accepts multiples of the tick only, without float drift", () => {
    expect(isOnTick("101.15", "0.05")).toBe(true);
    expect(isOnTick("0.3", "0.05")).toBe(true);
    expect(isOnTick("101.12", "0.05")).toBe(false);
  });
});

describe("protectedLimitPrice", () => {
  it.each([
    // ltp, band %, action, expected
    ["100", "2", "BUY", "102"],
    ["100", "2", "SELL", "98"],
    ["101.3", "1", "BUY", "102.35"], // 102.313 → up
    ["101.3", "1", "SELL", "100.25"], // 100.287 → down
    ["57.85", "3", "BUY", "59.6"], // 59.5855 → up
    ["57.85", "3", "SELL", "56.1"], // 56.1145 → down
    ["0.05", "5", "SELL", "0.05"], // 0.0475 would floor to 0: held at one tick
    ["0.05", "5", "BUY", "0.1"], // 0.0525 → up
  ] as const)("LTP %s ± %s %% %s → %s", (ltp, band, action, want) => {
    const p = protectedLimitPrice(D(ltp), D(band), action, "0.05");
    expect(p.toString()).toBe(D(want).toString());
    expect(isOnTick(p, "0.05")).toBe(true);
  });
  it("never prices from a zero or missing LTP, and rejects absurd bands", () => {
    expect(() => protectedLimitPrice(D(0), D(2), "BUY", "0.05")).toThrow(RangeError);
    expect(() => protectedLimitPrice(D(-1), D(2), "SELL", "0.05")).toThrow(RangeError);
    expect(() => protectedLimitPrice(D(NaN), D(2), "SELL", "0.05")).toThrow(RangeError);
    expect(() => protectedLimitPrice(D(100), D(0), "BUY", "0.05")).toThrow(RangeError);
    expect(() => protectedLimitPrice(D(100), D(100), "SELL", "0.05")).toThrow(RangeError);
  });
});
