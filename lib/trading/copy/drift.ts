/**
 * When a child counts as off its share for the copy_drift alert (docs/copy-trading.md "Alerts and automatic
 * pauses"). Pure. The drift board shows every difference; the alert ignores the ones the rules explain: a position
 * held at maxOpenLots, and for a fractional multiplier up to one lot (a partial close reduces the child by the same
 * fraction of its OWN position, rounded, which may leave it up to a lot from its rounded share).
 */
import type { CopyChildRule } from "./types";

export interface ChildDrift {
  /** The child's share (signed units, its own side). */
  expectedQty: number;
  /** Broker-confirmed position and working copy orders (signed units). */
  actualQty: number;
  workingQty: number;
}

/** Whether the child, with nothing working, is off its share by more than its rules explain. */
export function offShare(
  c: ChildDrift,
  rule: Pick<CopyChildRule, "multiplier" | "maxOpenLots">,
  lotSize: number | null,
): boolean {
  if (c.workingQty !== 0 || lotSize === null) return false;
  const cap = rule.maxOpenLots === null ? Infinity : rule.maxOpenLots * lotSize;
  const expected = Math.sign(c.expectedQty) * Math.min(Math.abs(c.expectedQty), cap);
  const slack = rule.multiplier.isInteger() ? 0 : lotSize;
  return Math.abs(expected - c.actualQty) > slack;
}
