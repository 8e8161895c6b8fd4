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
}

/** One event of a combined leg, in detection order. */
export interface CombineInput {
  /** The master's position as the group counted it before and after the event (null for events without one). */
  masterBefore: number | null;
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
  /** Events whose share for this child is not zero. */
  events: number;
  /** Why a non-zero net is not sent (the assertion below failed); null otherwise. */
  refused: string | null;
}

const signedShare = (s: ShareInput) => (s.action === "BUY" ? s.quantity : -s.quantity);
const crosses = (from: number, to: number) => from !== 0 && to !== 0 && Math.sign(from) !== Math.sign(to);

/**
 * Per child (in order of first appearance), the net of its shares over `events`. A net that reduces the child's
 * holding by more than it held before the first event — it would flip the child — is refused unless the master's own
 * position crossed zero over these events (a master flip gives each child its close plus its share of the new side).
 * The per-event sizing guarantees this never happens; the check keeps a defect from ever overselling a child.
 */
export function combineShares(events: readonly CombineInput[]): CombinedOrder[] {
  const acc = new Map<string, { net: number; events: number; held: number | undefined }>();
  for (const e of events)
    for (const s of e.children) {
      const a = acc.get(s.accountId) ?? { net: 0, events: 0, held: s.held };
      if (s.quantity > 0) {
        a.net += signedShare(s);
        a.events += 1;
      }
      acc.set(s.accountId, a);
    }
  const first = events.find((e) => e.masterBefore !== null)?.masterBefore ?? 0;
  const last = events.findLast((e) => e.masterAfter !== null)?.masterAfter ?? 0;
  const masterCrossed = crosses(first, last);
  return [...acc].map(([accountId, a]) => {
    const action: Side = a.net < 0 ? "SELL" : "BUY";
    const quantity = Math.abs(a.net);
    const held = a.held ?? 0;
    const flips = a.held !== undefined && crosses(held, held + a.net);
    if (flips && !masterCrossed)
      return {
        accountId,
        action,
        quantity: 0,
        events: a.events,
        refused: `not sent: the combined ${action} ${quantity} would reduce more than the child held (${held})`,
      };
    return { accountId, action, quantity, events: a.events, refused: null };
  });
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
