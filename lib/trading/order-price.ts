/**
 * Limit prices on the tick grid. A protected LIMIT is LTP ± a band; a BUY limit rounds up and a SELL limit rounds
 * down, so rounding never makes the order less likely to fill than the band intends.
 */
import Decimal from "decimal.js";
import type { OrderAction } from "./strategy";

function assertPositive(name: string, v: Decimal): void {
  if (!v.isFinite() || v.lte(0)) throw new RangeError(`${name} must be a positive finite number, got ${v.toString()}`);
}

/** True when `price` is a whole number of ticks. */
export function isOnTick(price: Decimal.Value, tick: Decimal.Value): boolean {
  return new Decimal(price).mod(tick).isZero();
}

/** Rounds a price to the tick grid: `up` (ceiling) or `down` (floor). */
export function roundToTick(price: Decimal.Value, tick: Decimal.Value, direction: "up" | "down"): Decimal {
  const t = new Decimal(tick);
  assertPositive("tick", t);
  const mode = direction === "up" ? Decimal.ROUND_CEIL : Decimal.ROUND_FLOOR;
  return new Decimal(price).div(t).toDecimalPlaces(0, mode).mul(t);
}

/**
 * Protected limit price: BUY = LTP × (1 + band/100) rounded up to the tick; SELL = LTP × (1 − band/100) rounded
 * down, but never below one tick (an exchange refuses a zero price; one tick is the most marketable SELL limit).
 * Throws on a non-positive LTP: callers must not price orders from zero or missing quotes.
 */
export function protectedLimitPrice(
  ltp: Decimal,
  bandPercent: Decimal,
  action: OrderAction,
  tick: Decimal.Value,
): Decimal {
  assertPositive("LTP", ltp);
  if (!bandPercent.isFinite() || bandPercent.lte(0) || bandPercent.gte(100)) {
    throw new RangeError(`band must be above 0 and below 100 %, got ${bandPercent.toString()}`);
  }
  const factor = action === "BUY" ? new Decimal(100).plus(bandPercent) : new Decimal(100).minus(bandPercent);
  const raw = ltp.mul(factor).div(100);
  if (action === "BUY") return roundToTick(raw, tick, "up");
  return Decimal.max(roundToTick(raw, tick, "down"), new Decimal(tick));
}
