import { describe, expect, it } from "vitest";
import { bsGreeks, bsPrice, impliedVol, normCdf, smileVol, type BsInput } from "./pricing";

const base = { spot: 26000, t: 30 / 365, r: 0.065, sigma: 0.14 };

describe("normCdf", () => {
  it("matches known values and is antisymmetric", () => {
    expect(normCdf(0)).toBe(0.5);
    expect(normCdf(1.96)).toBeCloseTo(0.9750021048517795, 12);
    expect(normCdf(-1)).toBeCloseTo(0.15865525393145707, 12);
    for (const x of [0.1, 0.7, 2.5, 8]) expect(normCdf(x) + normCdf(-x)).toBeCloseTo(1, 14);
  });
});

describe("Black–Scholes", () => {
  it("satisfies put–call parity C − P = S − K·e^{−rt}", () => {
    for (const strike of [22000, 25000, 26000, 27050, 30000]) {
      for (const t of [1 / 365, 7 / 365, 0.5]) {
        const c = bsPrice({ ...base, t, strike, kind: "CE" });
        const p = bsPrice({ ...base, t, strike, kind: "PE" });
        expect(c - p).toBeCloseTo(base.spot - strike * Math.exp(-base.r * t), 6);
      }
    }
  });

  it("makes calls cheaper and puts dearer as the strike rises", () => {
    let lastCall = Infinity;
    let lastPut = -Infinity;
    for (let k = 24000; k <= 28000; k += 50) {
      const c = bsPrice({ ...base, strike: k, kind: "CE" });
      const p = bsPrice({ ...base, strike: k, kind: "PE" });
      expect(c).toBeLessThan(lastCall);
      expect(p).toBeGreaterThan(lastPut);
      lastCall = c;
      lastPut = p;
    }
  });

  it("pays intrinsic value at expiry", () => {
    expect(bsPrice({ ...base, t: 0, strike: 25900, kind: "CE" })).toBe(100);
    expect(bsPrice({ ...base, t: 0, strike: 25900, kind: "PE" })).toBe(0);
  });

  it("gives greeks with the textbook signs", () => {
    const call = bsGreeks({ ...base, strike: 26000, kind: "CE" });
    const put = bsGreeks({ ...base, strike: 26000, kind: "PE" });
    expect(call.delta).toBeGreaterThan(0);
    expect(call.delta).toBeLessThan(1);
    expect(put.delta).toBeLessThan(0);
    expect(put.delta).toBeGreaterThan(-1);
    expect(call.delta - put.delta).toBeCloseTo(1, 12);
    expect(call.gamma).toBeGreaterThan(0);
    expect(call.gamma).toBeCloseTo(put.gamma, 12);
    expect(call.vega).toBeGreaterThan(0);
    expect(call.theta).toBeLessThan(0);
    expect(put.theta).toBeLessThan(0);
    expect(call.rho).toBeGreaterThan(0);
    expect(put.rho).toBeLessThan(0);
  });

  it("agrees with finite differences (delta per rupee, vega per vol point, theta per day)", () => {
    const i: BsInput = { ...base, strike: 26200, kind: "CE" };
    const g = bsGreeks(i);
    const h = 0.5;
    expect(g.delta).toBeCloseTo(
      (bsPrice({ ...i, spot: i.spot + h }) - bsPrice({ ...i, spot: i.spot - h })) / (2 * h),
      5,
    );
    expect(g.vega).toBeCloseTo(bsPrice({ ...i, sigma: i.sigma + 0.01 }) - bsPrice(i), 1);
    expect(g.theta).toBeCloseTo(bsPrice({ ...i, t: i.t - 1 / 365 }) - bsPrice(i), 0);
  });
});

describe("implied volatility", () => {
  it("round-trips the volatility a price was made with", () => {
    for (const sigma of [0.08, 0.14, 0.35, 1.2]) {
      for (const strike of [24000, 26000, 28000]) {
        for (const kind of ["CE", "PE"] as const) {
          const price = bsPrice({ ...base, sigma, strike, kind });
          expect(impliedVol(price, { ...base, strike, kind })).toBeCloseTo(sigma, 6);
        }
      }
    }
  });
  it("refuses premiums below intrinsic value", () => {
    expect(impliedVol(50, { ...base, strike: 25000, kind: "CE" })).toBeUndefined();
  });
});

describe("smile", () => {
  it("is lowest near the money, higher in both wings, and skewed towards puts", () => {
    const atm = smileVol(0.14, 26000, 26000, 30 / 365, 0.065);
    const lowWing = smileVol(0.14, 26000, 24000, 30 / 365, 0.065);
    const highWing = smileVol(0.14, 26000, 28500, 30 / 365, 0.065);
    expect(atm).toBeGreaterThan(0.13);
    expect(atm).toBeLessThan(0.15);
    expect(lowWing).toBeGreaterThan(atm);
    expect(highWing).toBeGreaterThan(atm);
    expect(smileVol(0.14, 26000, 24700, 30 / 365, 0.065)).toBeGreaterThan(
      smileVol(0.14, 26000, 27300, 30 / 365, 0.065),
    );
  });
});
