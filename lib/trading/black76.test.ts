import { describe, expect, it } from "vitest";
import {
  black76Greeks,
  black76Price,
  carryForward,
  impliedVol,
  normCdf,
  parityForward,
  yearsToExpiry,
  type Black76Input,
} from "./black76";
import { istInstant } from "./calendar";

const input = (o: Partial<Black76Input> = {}): Black76Input => ({
  forward: 24_500,
  strike: 24_500,
  t: 7 / 365,
  r: 0.065,
  sigma: 0.14,
  side: "CE",
  ...o,
});

describe("Black-76 prices against published examples", () => {
  it("Hull, Options, Futures, and Other Derivatives (Black's model example): crude-oil futures put, F = K = 20, T = 4 months, r = 9%, σ = 25% → 1.12", () => {
    const p = black76Price({ forward: 20, strike: 20, t: 4 / 12, r: 0.09, sigma: 0.25, side: "PE" });
    expect(p.toFixed(2)).toBe("1.12");
  });

  it("Haug, The Complete Guide to Option Pricing Formulas (Black-76 example): F = K = 19, T = 0.75, r = 10%, σ = 28% → call = put = 1.7011", () => {
    const base = { forward: 19, strike: 19, t: 0.75, r: 0.1, sigma: 0.28 };
    expect(black76Price({ ...base, side: "CE" }).toFixed(4)).toBe("1.7011");
    expect(black76Price({ ...base, side: "PE" }).toFixed(4)).toBe("1.7011");
  });

  it("Haug (futures option delta example): F = 105, K = 100, T = 0.5, r = 10%, σ = 36% → call 0.5946, put −0.3566", () => {
    const base = { forward: 105, strike: 100, t: 0.5, r: 0.1, sigma: 0.36 };
    expect(black76Greeks({ ...base, side: "CE" })!.delta.toFixed(4)).toBe("0.5946");
    expect(black76Greeks({ ...base, side: "PE" })!.delta.toFixed(4)).toBe("-0.3566");
  });

  it("Haug (gamma example, S = 55, K = 60, T = 0.75, r = b = 10%, σ = 30% → 0.0278), through F = S·e^{bT} and Γ_S = Γ_F·e^{2bT}", () => {
    const b = 0.1;
    const t = 0.75;
    const g = black76Greeks({ forward: 55 * Math.exp(b * t), strike: 60, t, r: 0.1, sigma: 0.3, side: "CE" })!;
    expect((g.gamma * Math.exp(2 * b * t)).toFixed(4)).toBe("0.0278");
  });

  it("N(x) is the standard normal CDF", () => {
    expect(normCdf(0)).toBe(0.5);
    expect(normCdf(1.96).toFixed(6)).toBe("0.975002");
    expect(normCdf(-1) + normCdf(1)).toBeCloseTo(1, 15);
  });
});

describe("Black-76 properties", () => {
  it("put–call parity: C − P = e^{−rT}(F − K) across strikes", () => {
    for (const strike of [22_000, 24_000, 24_500, 25_000, 27_000]) {
      const c = black76Price(input({ strike, side: "CE" }));
      const p = black76Price(input({ strike, side: "PE" }));
      const i = input();
      expect(c - p).toBeCloseTo(Math.exp(-i.r * i.t) * (i.forward - strike), 8);
    }
  });

  it("parityForward recovers the forward from a call and put at one strike", () => {
    const i = input({ forward: 24_612.5 });
    const c = black76Price({ ...i, strike: 24_600, side: "CE" });
    const p = black76Price({ ...i, strike: 24_600, side: "PE" });
    expect(parityForward(24_600, c, p, i.r, i.t)).toBeCloseTo(24_612.5, 8);
    expect(carryForward(100, 0.1, 1)).toBeCloseTo(110.517, 3);
  });

  it("is the discounted intrinsic value at or after expiry and with zero volatility", () => {
    expect(black76Price(input({ forward: 24_600, t: 0 }))).toBe(100);
    expect(black76Price(input({ forward: 24_400, t: -0.01, side: "PE" }))).toBe(100);
    expect(black76Price(input({ forward: 24_400, sigma: 0 }))).toBe(0);
  });

  it("greeks agree with finite differences of the price (theta per calendar day, vega per vol point)", () => {
    for (const side of ["CE", "PE"] as const) {
      const i = input({ strike: 24_700, side });
      const g = black76Greeks(i)!;
      const h = 1;
      const up = black76Price({ ...i, forward: i.forward + h });
      const mid = black76Price(i);
      const down = black76Price({ ...i, forward: i.forward - h });
      expect(g.delta).toBeCloseTo((up - down) / (2 * h), 6);
      expect(g.gamma).toBeCloseTo((up - 2 * mid + down) / (h * h), 6);
      const tomorrow = black76Price({ ...i, t: i.t - 1 / 365 });
      expect(g.theta).toBeCloseTo(tomorrow - mid, 0); // one day's decay, to the rupee
      expect(g.theta).toBeLessThan(0);
      const dv = 1e-4;
      const vega =
        (black76Price({ ...i, sigma: i.sigma + dv }) - black76Price({ ...i, sigma: i.sigma - dv })) / (2 * dv);
      expect(g.vega).toBeCloseTo(vega / 100, 5);
    }
    expect(black76Greeks(input({ t: 0 }))).toBeNull();
  });
});

describe("implied volatility", () => {
  it("round-trips price → IV → price across moneyness, expiry and volatility", () => {
    for (const side of ["CE", "PE"] as const)
      for (const strike of [22_500, 24_000, 24_500, 25_000, 26_500])
        for (const t of [0.5 / 365, 3 / 365, 30 / 365, 1])
          for (const sigma of [0.08, 0.14, 0.35, 1.2]) {
            const i = input({ strike, t, sigma, side });
            const price = black76Price(i);
            const timeValue =
              price - Math.exp(-i.r * t) * Math.max(0, side === "CE" ? i.forward - strike : strike - i.forward);
            if (timeValue < 0.01) continue; // under a tick of time value: no market price to invert
            const iv = impliedVol(price, i);
            expect(iv, `${side} ${strike} t=${t} σ=${sigma}`).not.toBeNull();
            expect(black76Price({ ...i, sigma: iv! })).toBeCloseTo(price, 5);
          }
  });

  it("recovers the textbook volatility from the textbook price", () => {
    const i = { forward: 19, strike: 19, t: 0.75, r: 0.1, side: "CE" as const };
    expect(impliedVol(1.701050725236268, i)!.toFixed(6)).toBe("0.280000");
  });

  it("is null when no volatility fits: at or below intrinsic, above the ceiling, no time left, no price", () => {
    const i = { forward: 24_600, strike: 24_500, t: 5 / 365, r: 0.065, side: "CE" as const };
    const df = Math.exp(-i.r * i.t);
    expect(impliedVol(99, i)).toBeNull(); // below the discounted intrinsic value of ~99.9
    expect(impliedVol(100 * df, i)).toBeNull();
    expect(impliedVol(24_600, i)).toBeNull(); // a call is never worth more than the discounted forward
    expect(impliedVol(150, { ...i, t: 0 })).toBeNull();
    expect(impliedVol(0, i)).toBeNull();
    expect(impliedVol(Number.NaN, i)).toBeNull();
  });
});

describe("time to expiry", () => {
  it("runs to 15:30 IST on the expiry date (ACT/365)", () => {
    expect(yearsToExpiry(istInstant("2026-12-08", "15:30"), "2026-12-08")).toBe(0);
    expect(yearsToExpiry(istInstant("2026-12-07", "15:30"), "2026-12-08")).toBeCloseTo(1 / 365, 12);
    expect(yearsToExpiry(istInstant("2026-12-08", "09:15"), "2026-12-08")).toBeCloseTo(6.25 / 24 / 365, 12);
    expect(yearsToExpiry(istInstant("2026-12-08", "16:00"), "2026-12-08")).toBeLessThan(0);
  });
});
