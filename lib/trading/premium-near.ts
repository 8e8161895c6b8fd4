/**
 * Premium-near strike selection: among the strikes around ATM whose LTP is quoted and positive, the one whose
 * premium is nearest the target. Quotes come from one option-chain call made by the caller (no per-strike I/O).
 */
import Decimal from "decimal.js";
import { optionSymbol, type OptionType } from "./symbols";

export interface PremiumNearInput {
  underlying: string;
  expiry: string;
  optionType: OptionType;
  atm: Decimal;
  step: Decimal;
  /** Strikes searched on each side of ATM. */
  width: number;
  /** Target premium, ₹ per unit. */
  target: Decimal;
  /** LTP by OpenAlgo symbol. */
  quotes: Readonly<Record<string, Decimal>>;
}

export type PremiumNearResult =
  { ok: true; strike: Decimal; premium: Decimal; warning: string | null } | { ok: false; message: string };

/**
 * How far (in % of the target) the best match may be before the preview warns: cheap targets move more in relative
 * terms, so they get a wider tolerance (AlgoMirror's tiers: below ₹50 → 20 %, ₹50–100 → 15 %, above → 10 %).
 */
export function premiumTolerancePercent(target: Decimal): Decimal {
  if (target.lt(50)) return new Decimal(20);
  if (target.lte(100)) return new Decimal(15);
  return new Decimal(10);
}

/**
 * Picks the strike nearest the target premium. Ties prefer the premium below the target (less capital at risk
 * for a buyer, further out of the money for a seller), then the strike nearer ATM. Zero, negative and missing
 * quotes are ignored; with no usable quote at all the result is an error, never a silent ATM fallback.
 */
export function premiumNearStrike(input: PremiumNearInput): PremiumNearResult {
  let best: { strike: Decimal; premium: Decimal; diff: Decimal } | null = null;
  // Walk outward from ATM (0, +1, −1, +2, −2 …) so equal candidates resolve to the one nearer ATM.
  for (let distance = 0; distance <= input.width; distance++) {
    for (const sign of distance === 0 ? [0] : [1, -1]) {
      const strike = input.atm.plus(input.step.mul(distance * sign));
      if (strike.lte(0)) continue;
      const premium = input.quotes[optionSymbol(input.underlying, input.expiry, strike, input.optionType)];
      if (premium === undefined || !premium.isFinite() || premium.lte(0)) continue;
      const diff = premium.minus(input.target).abs();
      const better =
        best === null ||
        diff.lt(best.diff) ||
        (diff.eq(best.diff) && premium.lt(input.target) && best.premium.gt(input.target));
      if (better) best = { strike, premium, diff };
    }
  }
  if (best === null) {
    return {
      ok: false,
      message: `no positive premium quoted for ${input.underlying} ${input.expiry} ${input.optionType} within ${input.width} strikes of ATM`,
    };
  }
  const tolerance = premiumTolerancePercent(input.target);
  const offPercent = best.diff.div(input.target).mul(100);
  const warning = offPercent.gt(tolerance)
    ? `nearest premium ₹${best.premium.toFixed(2)} (strike ${best.strike.toString()}) is ${offPercent.toFixed(1)} % away from the target ₹${input.target.toFixed(2)}`
    : null;
  return { ok: true, strike: best.strike, premium: best.premium, warning };
}
