/**
 * Black-76: European options on a futures/forward price, their implied volatility and greeks
 * (docs/market-data.md "Option chain").
 *
 * Units: prices and strikes in rupees, `t` in years (calendar time, ACT/365), `r` and `sigma` annualised fractions.
 * Floats are deliberate here: IV and greeks are model outputs for display, never money; rupee arithmetic stays in
 * decimals elsewhere.
 */
import { expiryInstant } from "./calendar";

export type OptionSide = "CE" | "PE";

export interface Black76Input {
  /** Futures/forward price of the underlying for the option's expiry. */
  forward: number;
  strike: number;
  /** Years to expiry. */
  t: number;
  /** Continuously compounded risk-free rate. */
  r: number;
  sigma: number;
  side: OptionSide;
}

/** Standard normal density. */
export function normPdf(x: number): number {
  return Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
}

/**
 * Standard normal CDF (Hart's double-precision algorithm as given by West, |error| < 1e-14). Exactly antisymmetric,
 * N(−x) = 1 − N(x), so put–call parity holds to rounding.
 */
export function normCdf(x: number): number {
  const z = Math.abs(x);
  let c: number;
  if (z > 37) c = 0;
  else {
    const e = Math.exp((-z * z) / 2);
    if (z < 7.07106781186547) {
      let n = 3.52624965998911e-2 * z + 0.700383064443688;
      n = n * z + 6.37396220353165;
      n = n * z + 33.912866078383;
      n = n * z + 112.079291497871;
      n = n * z + 221.213596169931;
      n = n * z + 220.206867912376;
      let d = 8.83883476483184e-2 * z + 1.75566716318264;
      d = d * z + 16.064177579207;
      d = d * z + 86.7807322029461;
      d = d * z + 296.564248779674;
      d = d * z + 637.333633378831;
      d = d * z + 793.826512519948;
      d = d * z + 440.413735824752;
      c = (e * n) / d;
    } else {
      let d = z + 0.65;
      d = z + 4 / d;
      d = z + 3 / d;
      d = z + 2 / d;
      d = z + 1 / d;
      c = e / d / 2.506628274631;
    }
  }
  return x > 0 ? 1 - c : c;
}

const YEAR_MS = 365 * 86_400_000;

/** Years (ACT/365) from `nowMs` to the contract's expiry, 15:30 IST on `expiry` (ISO date); ≤ 0 once expired. */
export function yearsToExpiry(nowMs: number, expiry: string): number {
  return (expiryInstant(expiry) - nowMs) / YEAR_MS;
}

/** Value at expiry (or with no time value left). */
export function intrinsic(forward: number, strike: number, side: OptionSide): number {
  return Math.max(0, side === "CE" ? forward - strike : strike - forward);
}

function d1d2(i: Black76Input): [number, number] {
  const v = i.sigma * Math.sqrt(i.t);
  const d1 = (Math.log(i.forward / i.strike) + (v * v) / 2) / v;
  return [d1, d1 - v];
}

/** Black-76 premium: e^{−rT}·(F·N(d1) − K·N(d2)) for a call, e^{−rT}·(K·N(−d2) − F·N(−d1)) for a put. */
export function black76Price(i: Black76Input): number {
  const df = Math.exp(-i.r * Math.max(i.t, 0));
  if (i.t <= 0 || i.sigma <= 0) return df * intrinsic(i.forward, i.strike, i.side);
  const [d1, d2] = d1d2(i);
  return i.side === "CE"
    ? df * (i.forward * normCdf(d1) - i.strike * normCdf(d2))
    : df * (i.strike * normCdf(-d2) - i.forward * normCdf(-d1));
}

export interface Greeks {
  /** ∂price/∂F. */
  delta: number;
  /** ∂²price/∂F². */
  gamma: number;
  /** Price change over one calendar day with F and σ unchanged (negative for a long option, as usual). */
  theta: number;
  /** Price change for a one-point (0.01) rise in σ. */
  vega: number;
}

/** Black-76 greeks with respect to the forward; null when there is no time or volatility left to differentiate. */
export function black76Greeks(i: Black76Input): Greeks | null {
  if (!(i.t > 0) || !(i.sigma > 0) || !(i.forward > 0) || !(i.strike > 0)) return null;
  const [d1] = d1d2(i);
  const df = Math.exp(-i.r * i.t);
  const sqrtT = Math.sqrt(i.t);
  const pdf = normPdf(d1);
  const delta = i.side === "CE" ? df * normCdf(d1) : -df * normCdf(-d1);
  const gamma = (df * pdf) / (i.forward * i.sigma * sqrtT);
  const vega = i.forward * df * pdf * sqrtT;
  // ∂price/∂t (t = time to expiry) is F·e^{−rT}·n(d1)·σ/(2√T) − r·price; theta is its negative, per day.
  const thetaYear = -(i.forward * df * pdf * i.sigma) / (2 * sqrtT) + i.r * black76Price(i);
  return { delta, gamma, theta: thetaYear / 365, vega: vega / 100 };
}

/** Volatility search bounds: 0.1 % to 1000 % a year covers every listed index option, even on expiry day. */
const SIGMA_LO = 1e-3;
const SIGMA_HI = 10;

/**
 * Implied volatility of `price` (an option premium) under Black-76, by Newton's method kept inside a bracket that
 * shrinks on every step (a bisection step whenever Newton would leave it or stalls), so it always converges.
 * Null when no volatility fits: no time left, a price at or below the discounted intrinsic value (no time value),
 * or above the no-arbitrage ceiling (discounted F for a call, discounted K for a put).
 */
export function impliedVol(
  price: number,
  i: Omit<Black76Input, "sigma">,
  tolerance = 1e-7,
  maxIterations = 100,
): number | null {
  if (!(i.t > 0) || !(price > 0) || !(i.forward > 0) || !(i.strike > 0)) return null;
  const df = Math.exp(-i.r * i.t);
  const floor = df * intrinsic(i.forward, i.strike, i.side);
  const ceiling = df * (i.side === "CE" ? i.forward : i.strike);
  if (price <= floor || price >= ceiling) return null;
  const at = (sigma: number) => black76Price({ ...i, sigma }) - price;
  let lo = SIGMA_LO;
  let hi = SIGMA_HI;
  if (at(lo) > 0 || at(hi) < 0) return null; // the price needs a volatility outside the bounds
  let sigma = 0.3;
  for (let k = 0; k < maxIterations; k++) {
    const diff = at(sigma);
    if (Math.abs(diff) < tolerance) return sigma;
    if (diff > 0) hi = sigma;
    else lo = sigma;
    const vega = i.forward * df * normPdf(d1d2({ ...i, sigma })[0]) * Math.sqrt(i.t);
    let next = vega > 1e-12 ? sigma - diff / vega : NaN;
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (hi - lo < 1e-12) return next;
    sigma = next;
  }
  return Math.abs(at(sigma)) < tolerance * 100 ? sigma : null;
}

/**
 * The forward implied by put–call parity at one strike: F = K + e^{rT}·(C − P). With the ATM strike's call and put
 * mid prices it is the market's own forward for the expiry (docs/market-data.md "Option chain").
 */
export function parityForward(strike: number, call: number, put: number, r: number, t: number): number {
  return strike + Math.exp(r * Math.max(t, 0)) * (call - put);
}

/** Spot carried to expiry at the risk-free rate (no dividends): the fallback forward when parity has no prices. */
export function carryForward(spot: number, r: number, t: number): number {
  return spot * Math.exp(r * Math.max(t, 0));
}
