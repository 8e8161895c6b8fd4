import { describe, expect, it } from "vitest";
import { black76Greeks, black76Price, yearsToExpiry } from "./black76";
import { istInstant } from "./calendar";
import { chainAnalytics, premiumOf, type ChainRowFigures, type ContractFigures } from "./option-chain-view";

const NOW = istInstant("2026-12-03", "11:00");
const EXPIRY = "2026-12-08";
const R = 0.055;
const T = yearsToExpiry(NOW, EXPIRY);
const FORWARD = 24_531.4;
const SIGMA = 0.13;

/** A contract quoted at its Black-76 value (a two-sided market ±0.5 around it). */
function priced(strike: number, side: "CE" | "PE", oi: number, volume: number): ContractFigures {
  const p = black76Price({ forward: FORWARD, strike, t: T, r: R, sigma: SIGMA, side });
  return { ltp: p.toFixed(2), bid: String(p - 0.5), ask: String(p + 0.5), volume, oi };
}

const rows: ChainRowFigures[] = [24_400, 24_450, 24_500, 24_550, 24_600].map((k, i) => ({
  strike: String(k),
  ce: priced(k, "CE", 1000 * (i + 1), 10),
  pe: priced(k, "PE", 1000 * (5 - i), 30),
}));

describe("chain analytics", () => {
  it("takes the forward from put–call parity at the ATM strike and recovers each contract's volatility", () => {
    const a = chainAnalytics({ rows, atm: "24550", spot: "24500", expiry: EXPIRY, nowMs: NOW, r: R });
    expect(a.forwardFrom).toBe("parity");
    expect(a.forward!).toBeCloseTo(FORWARD, 6);
    for (const row of a.rows)
      for (const side of ["ce", "pe"] as const) {
        expect(row[side]!.iv!).toBeCloseTo(SIGMA, 6);
        expect(row[side]!.priceUsed).toBe("mid");
      }
    const g = black76Greeks({ forward: FORWARD, strike: 24_500, t: T, r: R, sigma: SIGMA, side: "PE" })!;
    expect(a.rows[2].pe!.delta!).toBeCloseTo(g.delta, 6);
    expect(a.rows[2].pe!.theta!).toBeLessThan(0);
  });

  it("sums PCR and max pain over the rows", () => {
    const a = chainAnalytics({ rows, atm: "24500", spot: "24500", expiry: EXPIRY, nowMs: NOW, r: R });
    // Put OI 5000+4000+3000+2000+1000 = call OI: PCR 1; volume 150 / 50 = 3.
    expect(a.pcr).toEqual({ oi: 1, volume: 3 });
    // Call OI grows with the strike and put OI falls: writers pay least in the middle.
    expect(a.maxPain).toBe("24500");
  });

  it("falls back to the spot carried to expiry when the ATM has no two prices, and leaves unpriced legs without IV", () => {
    const thin = rows.map((r) =>
      r.strike === "24500" ? { ...r, pe: { ...r.pe!, ltp: null, bid: null, ask: null } } : r,
    );
    const a = chainAnalytics({ rows: thin, atm: "24500", spot: "24500", expiry: EXPIRY, nowMs: NOW, r: R });
    expect(a.forwardFrom).toBe("spot");
    expect(a.forward!).toBeCloseTo(24_500 * Math.exp(R * T), 6);
    expect(a.rows[2].pe).toEqual({ iv: null, priceUsed: null });
  });

  it("values a one-sided or crossed quote at its LTP, and a missing figure as missing", () => {
    expect(premiumOf({ ltp: "10", bid: "9.5", ask: "10.5", volume: 0, oi: 0 })).toEqual({ price: 10, from: "mid" });
    expect(premiumOf({ ltp: "10", bid: null, ask: "10.5", volume: 0, oi: 0 })).toEqual({ price: 10, from: "ltp" });
    expect(premiumOf({ ltp: "10", bid: "11", ask: "10.5", volume: 0, oi: 0 })).toEqual({ price: 10, from: "ltp" });
    expect(premiumOf({ ltp: null, bid: null, ask: null, volume: 0, oi: 0 })).toBeNull();
    expect(premiumOf(null)).toBeNull();
  });
});
