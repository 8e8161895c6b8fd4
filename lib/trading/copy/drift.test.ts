import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { offShare } from "./drift";

const LOT = 65;
const rule = (multiplier: string, maxOpenLots: number | null = null) => ({
  multiplier: new Decimal(multiplier),
  maxOpenLots,
});

describe("offShare (the copy_drift alert's test)", () => {
  it("flags a whole-multiplier child off by any amount once nothing is working", () => {
    expect(offShare({ expectedQty: 2 * LOT, actualQty: LOT, workingQty: 0 }, rule("1"), LOT)).toBe(true);
    expect(offShare({ expectedQty: 2 * LOT, actualQty: 2 * LOT, workingQty: 0 }, rule("1"), LOT)).toBe(false);
    expect(offShare({ expectedQty: -2 * LOT, actualQty: 0, workingQty: 0 }, rule("2"), LOT)).toBe(true);
    expect(offShare({ expectedQty: 0, actualQty: LOT, workingQty: 0 }, rule("1"), LOT)).toBe(true);
  });

  it("waits while copy orders are working, and without a lot size", () => {
    expect(offShare({ expectedQty: 2 * LOT, actualQty: 0, workingQty: LOT }, rule("1"), LOT)).toBe(false);
    expect(offShare({ expectedQty: 2 * LOT, actualQty: 0, workingQty: 0 }, rule("1"), null)).toBe(false);
  });

  it("allows one lot of rounding for a fractional multiplier, not more", () => {
    expect(offShare({ expectedQty: LOT, actualQty: 2 * LOT, workingQty: 0 }, rule("0.5"), LOT)).toBe(false);
    expect(offShare({ expectedQty: LOT, actualQty: 3 * LOT, workingQty: 0 }, rule("0.5"), LOT)).toBe(true);
  });

  it("takes a position held at maxOpenLots as at its share", () => {
    expect(offShare({ expectedQty: 5 * LOT, actualQty: 2 * LOT, workingQty: 0 }, rule("1", 2), LOT)).toBe(false);
    expect(offShare({ expectedQty: -5 * LOT, actualQty: -LOT, workingQty: 0 }, rule("1", 2), LOT)).toBe(true);
  });
});
