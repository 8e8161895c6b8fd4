/**
 * FILLS mode sizing (docs/copy-trading.md "FILLS mode"): a master fill split against the master's position into
 * the part that reduces it (each child reduces by the same fraction of its own position) and the part that opens or
 * adds (each child brought towards its rounded share, cumulatively), plus "sync now" for one child. Pure.
 */
import { childLots, ratioLots, roundRatio } from "./rounding";
import type { ChildOrder, ContractSizes, CopyChildRule, Side } from "./types";

/** The master's position in one contract as the group counts it: signed units, and the part never copied. */
export interface MasterPosition {
  masterQty: number;
  /** Signed like `masterQty` (or 0): units the children never had. */
  uncopiedQty: number;
}

/** A child with its exposure in the contract: signed units, confirmed plus working (its own side, not mirrored). */
export interface ChildExposure {
  rule: CopyChildRule;
  exposure: number;
}

export interface FillSizing {
  before: MasterPosition;
  after: MasterPosition;
  /** One order (or nothing, with the reason) per child, in the children's order. */
  orders: ChildOrder[];
}

const sideOf = (signed: number): Side => (signed > 0 ? "BUY" : "SELL");
const flip = (s: Side): Side => (s === "BUY" ? "SELL" : "BUY");

/**
 * The child's share of the copied master position `copied` (signed units), in the master's coordinates (a reverse
 * child's own position is negated before it is compared with this).
 */
export function childShare(copied: number, rule: CopyChildRule, sizes: ContractSizes): number {
  if (copied === 0) return 0;
  const lots = childLots(Math.abs(copied), sizes.lotSize, rule.multiplier, rule.rounding, rule.minOneLot);
  return Math.sign(copied) * lots * sizes.lotSize;
}

/** How a child order's reason starts when a limit (maxLotsPerOrder, maxOpenLots) cut it: the copy_limit alert's test. */
export const LIMIT_CUT = "cut to max";
export const isLimitCut = (reason: string | null | undefined): boolean => reason?.startsWith(LIMIT_CUT) ?? false;

/** Caps an order at the child's maxLotsPerOrder; returns the units and the reason when cut. */
function perOrderCap(units: number, rule: CopyChildRule, lotSize: number): { units: number; reason: string | null } {
  if (rule.maxLotsPerOrder === null || units <= rule.maxLotsPerOrder * lotSize) return { units, reason: null };
  return { units: rule.maxLotsPerOrder * lotSize, reason: `${LIMIT_CUT} ${rule.maxLotsPerOrder} lots per order` };
}

/** Opening units allowed by maxOpenLots for a child already holding `held` units (mirrored) in the master's direction. */
function openCap(open: number, held: number, rule: CopyChildRule, lotSize: number) {
  if (rule.maxOpenLots === null) return { units: open, reason: null };
  const room = Math.max(0, rule.maxOpenLots * lotSize - Math.abs(held));
  return open <= room
    ? { units: open, reason: null }
    : { units: room, reason: `${LIMIT_CUT} ${rule.maxOpenLots} open lots` };
}

/**
 * Sizes one master fill (`action`, `quantity` units) for every child. `copyOpening` false (group paused, outside the
 * window) sends no opening part and adds it to `uncopiedQty` instead; `openingReason` says why.
 */
export function sizeFill(
  fill: { action: Side; quantity: number },
  before: MasterPosition,
  children: readonly ChildExposure[],
  sizes: ContractSizes,
  opening: { copy: boolean; reason: string | null } = { copy: true, reason: null },
): FillSizing {
  if (!Number.isSafeInteger(fill.quantity) || fill.quantity <= 0)
    throw new RangeError(`fill quantity must be a positive integer, got ${fill.quantity}`);
  const signed = fill.action === "BUY" ? fill.quantity : -fill.quantity;
  const m0 = before.masterQty;
  const m1 = m0 + signed;
  const reducing = m0 !== 0 && Math.sign(signed) !== Math.sign(m0);
  const reduceUnits = reducing ? Math.min(fill.quantity, Math.abs(m0)) : 0;
  const openUnits = fill.quantity - reduceUnits;
  // The fill closed reduceUnits / |m0| of the master's position (all of it when it went flat or flipped); the
  // children's parts are computed as exact ratios, never through a rounded decimal quotient.
  const masterFlat = reducing && reduceUnits === Math.abs(m0);
  let uncopied = before.uncopiedQty;
  if (reducing)
    uncopied = masterFlat
      ? 0
      : Math.sign(uncopied) * roundRatio(Math.abs(uncopied) * (Math.abs(m0) - reduceUnits), Math.abs(m0), "NEAREST");
  if (openUnits > 0 && !opening.copy) uncopied += Math.sign(m1) * openUnits;
  const copied = m1 - uncopied;
  const orders = children.map((c): ChildOrder => {
    const { rule } = c;
    const side = rule.reverse ? flip(fill.action) : fill.action;
    if (!rule.enabled) return { accountId: rule.accountId, action: side, quantity: 0, reason: "child paused" };
    // Mirrored: a reverse child's position in the master's coordinates.
    const held = rule.reverse ? -c.exposure : c.exposure;
    let close = 0;
    if (reducing && held !== 0 && Math.sign(held) === Math.sign(m0)) {
      const lots = ratioLots(Math.abs(held), reduceUnits, Math.abs(m0), sizes.lotSize, rule.rounding);
      close = masterFlat ? Math.abs(held) : Math.min(lots * sizes.lotSize, Math.abs(held));
    }
    const heldAfterClose = held - Math.sign(held) * close;
    let open = 0;
    let reason: string | null = null;
    if (openUnits > 0 && opening.copy) {
      const want = childShare(copied, rule, sizes) - heldAfterClose;
      if (want !== 0 && Math.sign(want) === Math.sign(m1)) {
        const capped = openCap(Math.abs(want), heldAfterClose, rule, sizes.lotSize);
        open = capped.units;
        reason = capped.reason;
      }
    } else if (openUnits > 0) reason = opening.reason;
    // maxLotsPerOrder cuts the opening part only: a close is never cut (the child must not keep what the master closed).
    const cut = perOrderCap(close + open, rule, sizes.lotSize);
    const quantity = Math.max(cut.units, close);
    if (quantity === 0)
      return { accountId: rule.accountId, action: side, quantity: 0, reason: reason ?? "below one lot after rounding" };
    return {
      accountId: rule.accountId,
      action: side,
      quantity,
      reason: (quantity < close + open ? cut.reason : null) ?? reason,
      closes: Math.min(close, quantity),
    };
  });
  return { before, after: { masterQty: m1, uncopiedQty: uncopied }, orders };
}

/**
 * The master's position after a fill no child copies (MirrorDesk's own order in the master, a filtered one, one
 * from before copying started): the position and its uncopied part move alike, the uncopied part kept between zero
 * and the position, so the children's share is unchanged by an opening and never grows by a closing.
 */
export function applyUncopiedFill(before: MasterPosition, signed: number): MasterPosition {
  const masterQty = before.masterQty + signed;
  const moved = before.uncopiedQty + signed;
  const uncopiedQty =
    masterQty > 0
      ? Math.min(Math.max(moved, 0), masterQty)
      : masterQty < 0
        ? Math.max(Math.min(moved, 0), masterQty)
        : 0;
  return { masterQty, uncopiedQty };
}

/**
 * A child order as it is handed on: its closing part cut to what the child holds now (`held`, signed, its own side:
 * confirmed plus working). The order was sized when recorded, against openings then on their way; one the child's
 * broker refused since must not turn the close into a short (or a close too big to be accepted at all).
 */
export function clampClose(order: ChildOrder, held: number): ChildOrder {
  const closes = order.closes ?? 0;
  const holds = Math.max(order.action === "SELL" ? held : -held, 0);
  if (closes <= holds) return order;
  const quantity = order.quantity - (closes - holds);
  return { ...order, quantity, closes: holds, reason: quantity === 0 ? "nothing left to close" : order.reason };
}

/**
 * "Sync now" for one child: the order that brings it to its share of the master's copied position. A reduction
 * never flips the child: a child on the wrong side is closed first, and a later sync opens its share.
 */
export function syncOrder(master: MasterPosition, child: ChildExposure, sizes: ContractSizes): ChildOrder {
  const { rule } = child;
  const held = rule.reverse ? -child.exposure : child.exposure;
  const target = childShare(master.masterQty - master.uncopiedQty, rule, sizes);
  let want = target - held;
  let reason: string | null = null;
  if (held !== 0 && Math.sign(want) !== Math.sign(held) && Math.abs(want) > Math.abs(held)) {
    want = -held;
    reason = "closed first: the child held the other side";
  }
  // Mirrored side of the order, then back to the child's own side.
  const side = want === 0 ? "BUY" : sideOf(rule.reverse ? -want : want);
  if (want === 0) return { accountId: rule.accountId, action: side, quantity: 0, reason: "at parity" };
  const opensMore = Math.sign(want) === Math.sign(target) && Math.abs(target) > Math.abs(held);
  const capped = opensMore
    ? openCap(Math.abs(want), held, rule, sizes.lotSize)
    : { units: Math.abs(want), reason: null };
  // A reduction is never cut by maxLotsPerOrder (as in sizeFill).
  const cut = opensMore ? perOrderCap(capped.units, rule, sizes.lotSize) : { units: capped.units, reason: null };
  if (cut.units === 0) return { accountId: rule.accountId, action: side, quantity: 0, reason: capped.reason };
  return {
    accountId: rule.accountId,
    action: side,
    quantity: cut.units,
    reason: cut.reason ?? capped.reason ?? reason,
    closes: held !== 0 && Math.sign(want) !== Math.sign(held) ? Math.min(cut.units, Math.abs(held)) : 0,
  };
}
