/**
 * ORDERS mode, pure (docs/copy-trading.md "ORDERS mode"): the children's orders for a new master order, and how a
 * master modification is re-proportioned over a child's slices.
 */
import Decimal from "decimal.js";
import { sliceQuantityFor } from "@/lib/trading/instruments";
import { childLots } from "./rounding";
import type { ChildOrder, ContractSizes, CopyChildRule, Side } from "./types";

/** A new master order as detection recorded it. */
export interface MasterPlacement {
  action: Side;
  /** Units. */
  quantity: number;
}

const flip = (side: Side): Side => (side === "BUY" ? "SELL" : "BUY");

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
  return children.map((child) => {
    const action = child.reverse ? flip(placement.action) : placement.action;
    if (!child.enabled) return { accountId: child.accountId, action, quantity: 0, reason: "child paused" };
    const lots = childLots(placement.quantity, sizes.lotSize, child.multiplier, child.rounding, child.minOneLot);
    if (lots === 0) {
      const reason = `${placement.quantity} units × ${child.multiplier.toString()} is less than one lot of ${sizes.lotSize}`;
      return { accountId: child.accountId, action, quantity: 0, reason };
    }
    const raised =
      lots === 1 && childLots(placement.quantity, sizes.lotSize, child.multiplier, child.rounding, false) === 0;
    const cap = child.maxLotsPerOrder;
    if (cap !== null && lots > cap) {
      const reason = `cut to max ${cap} lots per order (share ${lots} lots)`;
      return { accountId: child.accountId, action, quantity: cap * sizes.lotSize, reason };
    }
    const reason = raised ? "raised to 1 lot (minimum one lot)" : null;
    return { accountId: child.accountId, action, quantity: lots * sizes.lotSize, reason };
  });
}

/** One of a child's orders (slices) of a copied master order, as its broker shows it now. */
export interface ChildSlice {
  intentId: string;
  /** Units ordered (the broker's current quantity while it works). */
  quantity: number;
  /** Units filled so far. */
  filled: number;
  /** Still working at the broker (open or trigger pending); false once filled, cancelled or rejected. */
  working: boolean;
  /** Limit price; null (or 0) for MARKET and SL-M. */
  price: Decimal | null;
  /** Trigger price; null (or 0) for MARKET and LIMIT. */
  triggerPrice: Decimal | null;
  /** The order's price type, where known. */
  priceType?: string;
}

/** A master modification as detection recorded it: the order's quantity before and after, and its new prices. */
export interface MasterModification {
  action: Side;
  /** Units before and after the modification. */
  oldQuantity: number;
  newQuantity: number;
  /** Limit price (LIMIT, SL); null for MARKET and SL-M. */
  price: Decimal | null;
  /** Trigger price (SL, SL-M); null for MARKET and LIMIT. */
  triggerPrice: Decimal | null;
  /** The order's price type after the modification, where known (a master may change LIMIT to MARKET). */
  priceType?: string;
}

/** What to do to one working slice. */
export type SliceChange =
  | { intentId: string; kind: "keep" }
  /** Restate the order with these values; `raises` when its quantity grows (new exposure: an entry). */
  | {
      intentId: string;
      kind: "modify";
      quantity: number;
      price: Decimal | null;
      triggerPrice: Decimal | null;
      raises: boolean;
    }
  /** Cancel what is left of it (a slice whose quantity drops to what already filled, or to 0). */
  | { intentId: string; kind: "cancel" };

export interface ChildModification {
  accountId: string;
  /** The child's units of this order afterwards: filled units plus what stays working. */
  total: number;
  /** One change per working slice, in slice order. */
  changes: SliceChange[];
  /** Units of the child's new share it does not get (no room in its working slices, or blocked). */
  notMirrored: number;
  /** What cut, raised or limited the child's share; null when the plain share holds. */
  reason: string | null;
}

const samePrice = (a: Decimal | null, b: Decimal | null) => (a ?? new Decimal(0)).eq(b ?? new Decimal(0));

/**
 * A master modification applied to one child's slices of that order. When the master's quantity is unchanged only
 * prices move. Otherwise the child's new total is the placement rule on the new quantity (placeChildOrders); a
 * decrease is taken from the last working slices (a slice left with only its filled part, or nothing, is
 * cancelled), never below what already filled; an increase goes to the last working slice up to the slice size
 * (freeze), the rest is reported as not mirrored. A paused child, or one whose increases are blocked
 * (`increaseBlocked`, the kill switch), is never raised. Every working slice gets the master's price and trigger.
 */
export function reproportionChild(
  change: MasterModification,
  child: CopyChildRule,
  slices: readonly ChildSlice[],
  sizes: ContractSizes,
  increaseBlocked: string | null = null,
): ChildModification {
  const lot = sizes.lotSize;
  const current = slices.reduce((t, s) => t + (s.working ? s.quantity : s.filled), 0);
  const reasons: string[] = [];
  let target = current;
  if (change.oldQuantity !== change.newQuantity) {
    const [share] = placeChildOrders(
      { action: change.action, quantity: change.newQuantity },
      [{ ...child, enabled: true }],
      sizes,
    );
    target = share.quantity;
    if (share.reason) reasons.push(share.reason);
  }
  let notMirrored = 0;
  if (target > current && (!child.enabled || increaseBlocked)) {
    notMirrored = target - current;
    reasons.push(!child.enabled ? "child paused: not raised" : (increaseBlocked as string));
    target = current;
  }
  const quantities = new Map(slices.filter((s) => s.working).map((s) => [s.intentId, s.quantity]));
  const working = slices.filter((s) => s.working);
  if (target < current) {
    let need = current - target;
    for (const s of [...working].reverse()) {
      const reducible = Math.floor(Math.max(s.quantity - s.filled, 0) / lot) * lot;
      const take = Math.min(reducible, need);
      quantities.set(s.intentId, s.quantity - take);
      need -= take;
    }
    if (need > 0) reasons.push(`${need} units already filled: the child keeps them`);
    target += need;
  } else if (target > current) {
    const last = working.at(-1);
    const sliceSize = sizes.freezeQty === null ? null : sliceQuantityFor(lot, sizes.freezeQty);
    const room = last ? (sliceSize === null ? Infinity : Math.max(sliceSize - last.quantity, 0)) : 0;
    const add = Math.min(room, target - current);
    if (last) quantities.set(last.intentId, last.quantity + add);
    const rest = target - current - add;
    if (rest > 0) {
      notMirrored += rest;
      reasons.push(
        last
          ? `${rest} units not mirrored: the last working order is at the slice size of ${sliceSize}`
          : `${rest} units not mirrored: no working order to add them to`,
      );
      target -= rest;
    }
  }
  const changes = working.map((s): SliceChange => {
    const quantity = quantities.get(s.intentId) as number;
    if (quantity <= s.filled) return { intentId: s.intentId, kind: "cancel" };
    const sameType = !s.priceType || !change.priceType || s.priceType === change.priceType;
    const samePrices = sameType && samePrice(s.price, change.price) && samePrice(s.triggerPrice, change.triggerPrice);
    if (quantity === s.quantity && samePrices) return { intentId: s.intentId, kind: "keep" };
    return {
      intentId: s.intentId,
      kind: "modify",
      quantity,
      price: change.price,
      triggerPrice: change.triggerPrice,
      raises: quantity > s.quantity,
    };
  });
  return { accountId: child.accountId, total: target, changes, notMirrored, reason: reasons.join("; ") || null };
}
