/**
 * A leg's own stop-loss and take-profit (docs/risk.md "Leg rules"), in premium per unit, measured from the leg's
 * average entry price: a short (SELL) leg loses when the premium rises, so its stop sits above the entry and its
 * target below; a long (BUY) leg the other way round. `premium` is an absolute level. Pure.
 */
import Decimal from "decimal.js";
import type { LevelSpec } from "./rules";

export type LegSide = "long" | "short";
export type LegRuleKind = "stopLoss" | "takeProfit";

/** The premium at which the rule fires; null for a spec that has no meaning for a leg (a ₹ amount). */
export function legLevel(spec: LevelSpec, entry: Decimal, side: LegSide, kind: LegRuleKind): Decimal | null {
  // +1: the level sits above the entry; −1: below.
  const up = (kind === "stopLoss") === (side === "short") ? 1 : -1;
  switch (spec.kind) {
    case "percent":
      return entry.mul(new Decimal(100).plus(spec.value.mul(up))).div(100);
    case "points":
      return entry.plus(spec.value.mul(up));
    case "premium":
      return spec.value;
    case "amount":
      return null;
  }
}

/** Whether premium `ltp` has reached the level (at the level counts). */
export function legBreached(ltp: Decimal, level: Decimal, side: LegSide, kind: LegRuleKind): boolean {
  const up = (kind === "stopLoss") === (side === "short");
  return up ? ltp.gte(level) : ltp.lte(level);
}

/** How far `ltp` is from the level in premium points, positive while not reached. */
export function legDistance(ltp: Decimal, level: Decimal, side: LegSide, kind: LegRuleKind): Decimal {
  const up = (kind === "stopLoss") === (side === "short");
  return up ? level.minus(ltp) : ltp.minus(level);
}

/** Quantity-weighted average entry of positions in one contract, and their side; null when one has no average. */
export function legEntry(
  positions: readonly { netQty: number; avgPrice: Decimal | null }[],
): { entry: Decimal; side: LegSide; quantity: number } | null {
  const open = positions.filter((p) => p.netQty !== 0);
  const net = open.reduce((n, p) => n + p.netQty, 0);
  if (open.length === 0 || net === 0 || open.some((p) => p.avgPrice === null)) return null;
  const side: LegSide = net < 0 ? "short" : "long";
  const same = open.filter((p) => Math.sign(p.netQty) === Math.sign(net));
  const units = same.reduce((n, p) => n + Math.abs(p.netQty), 0);
  const cost = same.reduce((s, p) => s.plus(p.avgPrice!.mul(Math.abs(p.netQty))), new Decimal(0));
  return { entry: cost.div(units), side, quantity: Math.abs(net) };
}
