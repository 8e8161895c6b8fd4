/**
 * The trailing stop of a run (docs/risk.md "Trailing stop"): it starts at −distance, follows the peak P&L at
 * `peak − distance` once active (always, or once P&L has reached `activateAt`), and never moves back — not when P&L
 * falls, not when a person widens the distance. Amounts are ₹ of run P&L. Pure.
 */
import Decimal from "decimal.js";
import type { LevelSpec } from "./rules";

/**
 * The distance in ₹: `percent` of the run's net premium at entry, `points` × the run's open quantity, `amount` as is.
 * Null when it cannot be known yet (a percent of a premium that is unknown or zero).
 */
export function trailDistance(
  spec: LevelSpec,
  run: { netPremium: Decimal | null; openQuantity: number },
): Decimal | null {
  switch (spec.kind) {
    case "percent":
      return run.netPremium && run.netPremium.gt(0) ? run.netPremium.mul(spec.value).div(100) : null;
    case "points":
      return run.openQuantity > 0 ? spec.value.mul(run.openQuantity) : null;
    case "amount":
      return spec.value;
    case "premium":
      return null;
  }
}

export interface TrailState {
  /** Highest run P&L seen, ₹. */
  peak: Decimal;
  /** The stop, ₹ of run P&L: breached at or below it. */
  stop: Decimal;
  /** Trailing (peak − distance) rather than holding the initial stop. */
  active: boolean;
}

/**
 * One step of the trail at P&L `pnl`: the new peak and stop from the kept ones (null before the first step). The stop
 * is the highest of the kept stop, −distance, and (once active) peak − distance, so it only ever ratchets up.
 */
export function trailStep(
  kept: { peak: Decimal | null; stop: Decimal | null },
  pnl: Decimal,
  distance: Decimal,
  activateAt: Decimal | null,
): TrailState {
  const peak = kept.peak === null ? pnl : Decimal.max(kept.peak, pnl);
  const active = activateAt === null || peak.gte(activateAt);
  let stop = distance.neg();
  if (kept.stop !== null) stop = Decimal.max(stop, kept.stop);
  if (active) stop = Decimal.max(stop, peak.minus(distance));
  return { peak, stop, active };
}
