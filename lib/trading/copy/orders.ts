/**
 * ORDERS mode, pure (docs/copy-trading.md "ORDERS mode"): the children's orders for a new master order, and how a
 * master modification is re-proportioned over a child's slices.
 */
import type { ChildOrder, ContractSizes, CopyChildRule, Side } from "./types";

/** A new master order as detection recorded it. */
export interface MasterPlacement {
  action: Side;
  /** Units. */
  quantity: number;
}

/**
 * Each child's order for a new master order: quantity × multiplier rounded to whole lots by the child's rule (0 →
 * skipped with the reason, or 1 lot with minOneLot), side reversed for a reverse child, cut by maxLotsPerOrder
 * (and the reason says so). Paused children get quantity 0 with reason "child paused".
 */
export function placeChildOrders(
  placement: MasterPlacement,
  children: readonly CopyChildRule[],
  sizes: ContractSizes,
): ChildOrder[] {
  void placement;
  void children;
  void sizes;
  throw new Error("placeChildOrders: contract stub, implemented with ORDERS mode");
}
