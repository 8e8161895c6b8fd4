import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { childLots, roundRatio } from "./rounding";

describe("childLots", () => {
  const d = (v: string) => new Decimal(v);
  it.each([
    // master units, lot, multiplier, rounding, minOneLot → lots
    [130, 65, "0.5", "DOWN", false, 1],
    [195, 65, "0.5", "DOWN", false, 1],
    [195, 65, "0.5", "NEAREST", false, 2],
    [195, 65, "0.5", "UP", false, 2],
    [65, 65, "0.5", "DOWN", false, 0],
    [65, 65, "0.5", "DOWN", true, 1],
    [65, 65, "0.4", "NEAREST", false, 0],
    [65, 65, "3", "DOWN", false, 3],
    [900, 30, "0.1", "DOWN", false, 3],
    [0, 65, "2", "UP", true, 0],
  ] as const)("%i units / lot %i × %s %s minOne=%s → %i lots", (units, lot, m, r, one, lots) => {
    expect(childLots(units, lot, d(m), r, one)).toBe(lots);
  });
  it("refuses nonsense", () => {
    expect(() => childLots(-1, 65, d("1"), "DOWN", false)).toThrow(RangeError);
    expect(() => childLots(65, 0, d("1"), "DOWN", false)).toThrow(RangeError);
  });
});

describe("roundRatio", () => {
  it("rounds n/d exactly by the rule", () => {
    expect(roundRatio(585 * 65, 585 * 65, "DOWN")).toBe(1);
    expect(roundRatio(10, 3, "DOWN")).toBe(3);
    expect(roundRatio(10, 3, "UP")).toBe(4);
    expect(roundRatio(10, 4, "NEAREST")).toBe(3);
    expect(roundRatio(9, 4, "NEAREST")).toBe(2);
    expect(roundRatio(0, 7, "UP")).toBe(0);
    expect(() => roundRatio(1, 0, "DOWN")).toThrow(RangeError);
  });
});
