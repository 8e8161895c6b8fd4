import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { maxPain, nearestStrike, putCallRatios, strikeWindow, type StrikeRow } from "./option-chain-stats";

const row = (strike: number, ceOi: number | null, peOi: number | null, ceVolume = 0, peVolume = 0): StrikeRow => ({
  strike: new Decimal(strike),
  ceOi,
  peOi,
  ceVolume,
  peVolume,
});

describe("put–call ratio", () => {
  it("divides total put OI by total call OI, and put volume by call volume", () => {
    const rows = [row(100, 1000, 500, 10, 40), row(110, 3000, 2500, 30, 20), row(120, 0, null, 10, 0)];
    // OI: (500 + 2500) / (1000 + 3000) = 0.75; volume: (40 + 20) / (10 + 30 + 10) = 1.2
    expect(putCallRatios(rows)).toEqual({ oi: 0.75, volume: 1.2 });
  });

  it("has no ratio when calls sum to zero", () => {
    expect(putCallRatios([row(100, 0, 700)])).toEqual({ oi: null, volume: null });
    expect(putCallRatios([])).toEqual({ oi: null, volume: null });
  });

  it("rounds to four decimals", () => {
    expect(putCallRatios([row(100, 3, 1)]).oi).toBe(0.3333);
  });
});

describe("max pain", () => {
  it("is the strike where writers pay out least (worked by hand)", () => {
    // Calls: 100×10, 110×20, 120×50. Puts: 100×40, 110×20, 120×5.
    // Settle 100: calls 0; puts (110−100)×20 + (120−100)×5 = 200 + 100 = 300.
    // Settle 110: calls (110−100)×10 = 100; puts (120−110)×5 = 50 → 150.
    // Settle 120: calls 20×10 + 10×20 = 400; puts 0 → 400.
    const rows = [row(100, 10, 40), row(110, 20, 20), row(120, 50, 5)];
    const mp = maxPain(rows)!;
    expect(mp.strike.toString()).toBe("110");
    expect(mp.payout.toString()).toBe("150");
  });

  it("moves toward heavy put OI below and call OI above, and takes the lower strike on a tie", () => {
    // Heavy puts at 120 push max pain up to 120: settle 100 → 20×1000 = 20000; 110 → 10×1000 = 10000; 120 → 0.
    expect(maxPain([row(100, 0, 0), row(110, 0, 0), row(120, 0, 1000)])!.strike.toString()).toBe("120");
    // Symmetric: settling at 100 or 110 both pay 100 → the lower strike.
    expect(maxPain([row(100, 10, 0), row(110, 0, 10)])!.strike.toString()).toBe("100");
  });

  it("handles fractional strikes exactly and is null without open interest", () => {
    const mp = maxPain([row(97.5, 4, 0), row(100, 0, 0), row(102.5, 0, 4)])!;
    expect(mp.strike.toString()).toBe("97.5"); // 97.5 → 5×4 = 20; 100 → 2.5×4 + 2.5×4 = 20; 102.5 → 20 (tie: lowest)
    expect(mp.payout.toString()).toBe("20");
    expect(maxPain([row(100, 0, null), row(110, null, 0)])).toBeNull();
  });
});

describe("strike window", () => {
  const strikes = [24_300, 24_350, 24_400, 24_450, 24_500, 24_550].map((k) => new Decimal(k));

  it("finds the nearest listed strike, the lower one when halfway", () => {
    expect(nearestStrike(strikes, new Decimal("24412.4"))?.toString()).toBe("24400");
    expect(nearestStrike(strikes, new Decimal("24425"))?.toString()).toBe("24400");
    expect(nearestStrike(strikes, new Decimal("24425.05"))?.toString()).toBe("24450");
    expect(nearestStrike(strikes, new Decimal("99999"))?.toString()).toBe("24550");
    expect(nearestStrike([], new Decimal(1))).toBeNull();
  });

  it("takes N strikes each side of ATM, shorter at the ends of the listing", () => {
    expect(strikeWindow(strikes, new Decimal(24_400), 1).map(String)).toEqual(["24350", "24400", "24450"]);
    expect(strikeWindow(strikes, new Decimal(24_300), 2).map(String)).toEqual(["24300", "24350", "24400"]);
    expect(strikeWindow(strikes, new Decimal(1), 2)).toEqual([]);
  });
});
