/**
 * Combining a run's FILL and SYNC events per child and contract into one order (docs/copy-trading.md "Events, runs
 * and exactly once"): a child's order is the net of its signed shares of the events, nothing when they net to zero.
 * Pure.
 */
import { sliceQuantityFor } from "@/lib/trading/instruments";
import type { ContractSizes, Side } from "./types";

/** One child's share of one event as the hand-on reads it from `copy_events.children`. */
export interface ShareInput {
  accountId: string;
  action: Side;
  /** Units; 0 = nothing for this child in this event. */
  quantity: number;
  /** The child's exposure (signed units, its own side) when the event was sized; absent on older rows. */
  held?: number;
  /** Units of `quantity` that reduce the child's own position (lib/trading/copy/sizing.ts). */
  closes?: number;
}

/** One event of a combined leg. */
export interface CombineInput {
  /** The master's position as the group counted it after the event (null for events without one). */
  masterAfter: number | null;
  children: readonly ShareInput[];
}

/** One child's order of the combined leg. */
export interface CombinedOrder {
  accountId: string;
  /** The net side (BUY when the shares net to zero). */
  action: Side;
  /** Units of the one order; 0 when the shares net to zero or the order is refused. */
  quantity: number;
  /**
   * Units of the order that bring the child back towards flat from what it held before its first share (the shares'
   * own `closes` on the net side when a row carries no `held`): the part the hand-on cuts to what it holds then.
   */
  closes: number;
  /** Events whose share for this child is not zero. */
  events: number;
  /** Why a non-zero net is not sent (the check below failed); null otherwise. */
  refused: string | null;
}

const signedShare = (s: ShareInput) => (s.action === "BUY" ? s.quantity : -s.quantity);

/**
 * Whether a share breaks what the per-event sizing guarantees: after it the child is flat, on the master's new side
 * (mirrored for a reverse child), or closer to flat on the side it held. Anything else — a child pushed onto (or
 * further onto) the side the master is not on — is a reduction beyond what it held: never sent.
 */
function breaksSizing(masterAfter: number | null, s: ShareInput, reverse: boolean): boolean {
  if (s.quantity === 0 || s.held === undefined || masterAfter === null) return false;
  const after = s.held + signedShare(s);
  if (after === 0) return false;
  if (Math.sign(after) === Math.sign(s.held) && Math.abs(after) <= Math.abs(s.held)) return false;
  return masterAfter === 0 || Math.sign(reverse ? -after : after) !== Math.sign(masterAfter);
}

/**
 * Per child (in order of first appearance), the net of its shares over `events` (a sum, in detection order: the first
 * share's `held` is what the order's closing part counts from). A child whose share of any event breaks the sizing's
 * guarantee (`breaksSizing`) gets nothing and the reason; the per-event sizing never produces one, so a net reduction
 * is never more than the child held: the check keeps a defect from ever overselling a child. `reverse` names the
 * reverse children.
 */
export function combineShares(events: readonly CombineInput[], reverse: ReadonlySet<string>): CombinedOrder[] {
  type Acc = { net: number; events: number; broken: boolean; held: number | undefined; closes: number[] };
  const acc = new Map<string, Acc>();
  for (const e of events)
    for (const s of e.children) {
      const a = acc.get(s.accountId) ?? { net: 0, events: 0, broken: false, held: undefined, closes: [] };
      if (s.quantity > 0) {
        if (a.events === 0) a.held = s.held;
        a.net += signedShare(s);
        a.events += 1;
        a.broken ||= breaksSizing(e.masterAfter, s, reverse.has(s.accountId));
        a.closes.push(Math.sign(signedShare(s)) * (s.closes ?? 0));
      }
      acc.set(s.accountId, a);
    }
  return [...acc].map(([accountId, a]) => {
    const action: Side = a.net < 0 ? "SELL" : "BUY";
    const quantity = Math.abs(a.net);
    if (a.broken)
      return {
        accountId,
        action,
        quantity: 0,
        closes: 0,
        events: a.events,
        refused: `not sent: a share of the combined ${action} ${quantity} would reduce the child beyond what it held`,
      };
    return {
      accountId,
      action,
      quantity,
      closes: closingPart(a.net, a.held, a.closes),
      events: a.events,
      refused: null,
    };
  });
}

/** The closing part of a net order `net` (signed) from `held` before its first share, else from the shares' closes. */
function closingPart(net: number, held: number | undefined, shareCloses: readonly number[]): number {
  if (net === 0) return 0;
  if (held !== undefined) return Math.sign(net) === -Math.sign(held) ? Math.min(Math.abs(net), Math.abs(held)) : 0;
  const sameSide = shareCloses.filter((c) => Math.sign(c) === Math.sign(net)).reduce((t, c) => t + Math.abs(c), 0);
  return Math.min(Math.abs(net), sameSide);
}

/**
 * The order quantities of a combined child order: slices no larger than the freeze quantity allows, nor than the
 * child's maxLotsPerOrder (a combined order never exceeds what one event may send).
 */
export function combinedSlices(units: number, sizes: ContractSizes, maxLotsPerOrder: number | null): number[] {
  const caps = [
    sizes.freezeQty === null ? null : sliceQuantityFor(sizes.lotSize, sizes.freezeQty),
    maxLotsPerOrder === null ? null : maxLotsPerOrder * sizes.lotSize,
  ].filter((c): c is number => c !== null && c > 0);
  const slice = caps.length > 0 ? Math.min(...caps) : units;
  const out: number[] = [];
  for (let left = units; left > 0; left -= out[out.length - 1]) out.push(Math.min(slice, left));
  return out;
}

/**
 * Whether a run's child orders may go while earlier copy orders are still unacknowledged: only when every child's
 * new orders are all on the side of every one of its orders in flight (two BUYs, or two SELLs, land the same in
 * either order; a SELL must never overtake a BUY, nor a BUY a SELL: a close or a hedge would arrive out of turn).
 */
export function sidesAgree(
  planned: readonly { accountId: string; action: Side }[],
  inFlight: readonly { accountId: string; action: Side }[],
): boolean {
  const sides = new Map<string, Set<Side>>();
  for (const o of [...inFlight, ...planned])
    sides.set(o.accountId, (sides.get(o.accountId) ?? new Set()).add(o.action));
  return [...sides.values()].every((s) => s.size === 1);
}
