/**
 * Black–Scholes on an index/stock without dividends, the volatility smile and implied volatility.
 * Floats are fine here: this is the simulator's price generator, and prices leave it tick-rounded
 * (lib/simulator/types.ts); rupee arithmetic happens with decimals in the broker engine.
 * Units: spot/strike in rupees, `t` in years (calendar, ACT/365), `r` and `sigma` annualised fractions.
 */
import { normCdf, normPdf } from "@/lib/trading/black76";

// The standard normal density and CDF are shared with the product's Black-76 (the option chain's IV and greeks).
export { normCdf, normPdf };

export type OptionKind = "CE" | "PE";

/** Shortest time used in pricing (one minute) so that expiry-day maths stays finite; at/after expiry ⇒ intrinsic. */
export const MIN_T = 1 / (365 * 24 * 60);

export interface BsInput {
  spot: number;
  strike: number;
  /** Years to expiry. */
  t: number;
  r: number;
  sigma: number;
  kind: OptionKind;
}

function d1d2(i: BsInput): [number, number] {
  const sqrtT = Math.sqrt(i.t);
  const d1 = (Math.log(i.spot / i.strike) + (i.r + (i.sigma * i.sigma) / 2) * i.t) / (i.sigma * sqrtT);
  return [d1, d1 - i.sigma * sqrtT];
}

/** Black–Scholes premium; intrinsic value once `t` has run out. */
export function bsPrice(i: BsInput): number {
  if (i.t <= 0 || i.sigma <= 0) return Math.max(0, i.kind === "CE" ? i.spot - i.strike : i.strike - i.spot);
  const [d1, d2] = d1d2(i);
  const df = Math.exp(-i.r * i.t);
  return i.kind === "CE"
    ? i.spot * normCdf(d1) - i.strike * df * normCdf(d2)
    : i.strike * df * normCdf(-d2) - i.spot * normCdf(-d1);
}

export interface BsGreeks {
  delta: number;
  /** Per rupee of spot. */
  gamma: number;
  /** Premium change per calendar day (negative for long options). */
  theta: number;
  /** Premium change per 1 volatility point (1 %). */
  vega: number;
  /** Premium change per 1 % of interest rate. */
  rho: number;
}

export function bsGreeks(i: BsInput): BsGreeks {
  const t = Math.max(i.t, MIN_T);
  const x: BsInput = { ...i, t };
  const [d1, d2] = d1d2(x);
  const sqrtT = Math.sqrt(t);
  const df = Math.exp(-i.r * t);
  const pdf = normPdf(d1);
  const gamma = pdf / (i.spot * i.sigma * sqrtT);
  const vega = (i.spot * pdf * sqrtT) / 100;
  const decay = -(i.spot * pdf * i.sigma) / (2 * sqrtT);
  if (i.kind === "CE") {
    return {
      delta: normCdf(d1),
      gamma,
      theta: (decay - i.r * i.strike * df * normCdf(d2)) / 365,
      vega,
      rho: (i.strike * t * df * normCdf(d2)) / 100,
    };
  }
  return {
    delta: normCdf(d1) - 1,
    gamma,
    theta: (decay + i.r * i.strike * df * normCdf(-d2)) / 365,
    vega,
    rho: (-i.strike * t * df * normCdf(-d2)) / 100,
  };
}

/**
 * Implied volatility from a premium by safeguarded Newton (bisection fallback) in [0.1 %, 500 %].
 * Returns undefined when the premium is outside the no-arbitrage band (below intrinsic PV or above the cap).
 */
export function impliedVol(price: number, i: Omit<BsInput, "sigma">): number | undefined {
  const t = Math.max(i.t, MIN_T);
  let lo = 0.001;
  let hi = 5;
  const f = (s: number) => bsPrice({ ...i, t, sigma: s }) - price;
  const fLo = f(lo);
  const fHi = f(hi);
  if (fLo > 0 || fHi < 0) return fLo > 0 && fLo < 1e-6 ? lo : undefined;
  let sigma = 0.2;
  for (let k = 0; k < 100; k++) {
    const diff = f(sigma);
    if (Math.abs(diff) < 1e-9) return sigma;
    if (diff > 0) hi = sigma;
    else lo = sigma;
    const [d1] = d1d2({ ...i, t, sigma });
    const vega = i.spot * normPdf(d1) * Math.sqrt(t);
    const newton = vega > 1e-12 ? sigma - diff / vega : NaN;
    sigma = newton > lo && newton < hi ? newton : (lo + hi) / 2;
  }
  return sigma;
}

/**
 * Volatility smile: IV of a strike given the ATM vol. x is the standardised log-moneyness ln(K/F)/(σ√t),
 * clamped to ±4; the quadratic term lifts both wings, the linear term tilts IV up for low strikes (put skew).
 * The same IV serves CE and PE of one strike, so parity survives.
 */
export function smileVol(atmVol: number, spot: number, strike: number, t: number, r: number): number {
  const tt = Math.max(t, MIN_T);
  const forward = spot * Math.exp(r * tt);
  const raw = Math.log(strike / forward) / (atmVol * Math.sqrt(tt));
  const x = Math.max(-4, Math.min(4, raw));
  return atmVol * (1 + 0.045 * x * x - 0.06 * x);
}
