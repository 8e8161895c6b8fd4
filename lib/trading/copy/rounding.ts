/**
 * Master units → a child's whole lots (docs/copy-trading.md "The group and its children"). Pure, decimal-exact: the
 * multiplier is a Decimal, so 0.1 × 30 lots is exactly 3 lots.
 */
import Decimal from "decimal.js";
import type { CopyRounding } from "./types";

/**
 * Lots of a child for `masterUnits` (≥ 0) of a contract with `lotSize`, scaled by `multiplier` and rounded by
 * `rounding`; a result of 0 from a non-zero quantity becomes 1 when `minOneLot`. `NEAREST` rounds halves up.
 */
export function childLots(
  masterUnits: number,
  lotSize: number,
  multiplier: Decimal,
  rounding: CopyRounding,
  minOneLot: boolean,
): number {
  if (!Number.isSafeInteger(masterUnits) || masterUnits < 0)
    throw new RangeError(`master units must be a non-negative integer, got ${masterUnits}`);
  if (!Number.isSafeInteger(lotSize) || lotSize <= 0) throw new RangeError(`lot size must be positive, got ${lotSize}`);
  if (multiplier.isNegative()) throw new RangeError("multiplier must not be negative");
  const exact = new Decimal(masterUnits).times(multiplier).dividedBy(lotSize);
  const mode =
    rounding === "DOWN" ? Decimal.ROUND_FLOOR : rounding === "UP" ? Decimal.ROUND_CEIL : Decimal.ROUND_HALF_UP;
  const lots = exact.toDecimalPlaces(0, mode).toNumber();
  return lots === 0 && minOneLot && exact.greaterThan(0) ? 1 : lots;
}

/**
 * `n / d` (non-negative integers, d > 0) rounded to an integer by `rounding`, exactly. A fraction such as 1/9 has no
 * exact decimal: 9 lots × (1/9) through a Decimal quotient is 0.999… lots, which DOWN would make 0.
 */
export function roundRatio(n: number, d: number, rounding: CopyRounding): number {
  if (!Number.isSafeInteger(n) || n < 0 || !Number.isSafeInteger(d) || d <= 0)
    throw new RangeError(`ratio needs a non-negative integer over a positive one, got ${n}/${d}`);
  const N = BigInt(n);
  const D = BigInt(d);
  const q = N / D;
  const r = N % D;
  const up = rounding === "UP" ? r > 0n : rounding === "NEAREST" ? 2n * r >= D : false;
  return Number(up ? q + 1n : q);
}

/** Whole lots of `units × num / den` (a child's part of a master's reduction), rounded by `rounding`, exactly. */
export const ratioLots = (units: number, num: number, den: number, lotSize: number, rounding: CopyRounding): number =>
  roundRatio(units * num, den * lotSize, rounding);
