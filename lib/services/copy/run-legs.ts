/**
 * The legs of one COPY run (docs/copy-trading.md "Events, runs and exactly once"): the FILL and SYNC events of one
 * contract become ONE leg, each child's order the net of its shares of them (lib/trading/copy/combine.ts), with
 * intent ids derived from the first event the leg carries; each ORDERS-mode PLACE event keeps a leg of its own (its
 * child orders are modified and cancelled by its key).
 */
import Decimal from "decimal.js";
import type { ScanGroup } from "@/lib/db/queries/copy-engine";
import type { EventChild, PendingEvent } from "@/lib/db/queries/copy-events";
import { combinedSlices, combineShares, type CombinedOrder } from "@/lib/trading/copy/combine";
import { placeChildOrders } from "@/lib/trading/copy/orders";
import { clampClose } from "@/lib/trading/copy/sizing";
import {
  copyContractKey,
  copyIntentKey,
  type ContractSizes,
  type CopyContract,
  type Side,
} from "@/lib/trading/copy/types";
import { sliceQuantities } from "@/lib/trading/instruments";
import type { PlannedLeg } from "@/lib/trading/plan-account";
import { legOfSymbol, type ResolvedLeg } from "@/lib/trading/resolve-legs";
import type { ExposureBook } from "./exposure";

export interface EventMark {
  id: string;
  legIndex: number;
  children: EventChild[];
}

export interface RunLegs {
  legs: ResolvedLeg[];
  /** Per child account, its legs (in hedge-first phases: withPhases). */
  plans: Map<string, PlannedLeg[]>;
  /** Events the run carries, with the leg that carries each. */
  marks: EventMark[];
  failed: { id: string; reason: string }[];
  skipped: { id: string; reason: string }[];
  /** Combined orders refused by the flip check (a defect: logged loudly by the caller). */
  refused: { accountId: string; symbol: string; reason: string }[];
}

type Sized = { e: PendingEvent; children: EventChild[]; sizes: ContractSizes };
/** Each child's legs with their closing parts, before the phases are set. */
type Drafts = Map<string, { leg: PlannedLeg; closes: number }[]>;
/** A combined order after the hand-on's cut of its closing part: `cut` says how, null when not cut. */
type Clamped = CombinedOrder & { cut: string | null };

const skipReason = (children: readonly EventChild[]) =>
  children.length === 0
    ? "no child to copy to"
    : [...new Set(children.map((c) => c.reason ?? "nothing to send"))].join("; ");

function childrenFor(e: PendingEvent, group: ScanGroup, sizes: ContractSizes | undefined): EventChild[] | string {
  const paused = new Set(group.children.filter((c) => !c.enabled).map((c) => c.accountId));
  let children = e.children;
  if (e.kind === "PLACE") {
    if (!sizes) return `lot size of ${e.symbol} unknown`;
    children = placeChildOrders({ action: e.action, quantity: e.quantity }, group.children, sizes);
  }
  // A child paused after detection gets nothing.
  return children.map((c) =>
    paused.has(c.accountId) && c.quantity > 0 ? { ...c, quantity: 0, reason: "child paused" } : c,
  );
}

/**
 * Plans the run's legs over `events` (in detection order, no MODIFY or CANCEL among them). `held`: the children's
 * exposure now without the pending events (null when no event closes anything); each child order's closing part is
 * cut to it (lib/trading/copy/sizing.ts clampClose), the legs before it counted.
 */
export function planRunLegs(
  group: ScanGroup,
  events: readonly PendingEvent[],
  sizes: ReadonlyMap<string, ContractSizes>,
  held: ExposureBook | null = null,
): RunLegs {
  const out: RunLegs = { legs: [], plans: new Map(), marks: [], failed: [], skipped: [], refused: [] };
  const drafts: Drafts = new Map();
  // Legs in order of first appearance: a PLACE event each, the FILL and SYNC events one per contract.
  const order: (Sized | Sized[])[] = [];
  const byContract = new Map<string, Sized[]>();
  for (const e of events) {
    const s = sizes.get(copyContractKey(e));
    let children: EventChild[] | string;
    try {
      children = childrenFor(e, group, s);
    } catch (err) {
      children = err instanceof Error ? err.message : String(err);
    }
    if (typeof children === "string" || !s) {
      out.failed.push({
        id: e.id,
        reason: typeof children === "string" ? children : `lot size of ${e.symbol} unknown`,
      });
      continue;
    }
    if (!children.some((c) => c.quantity > 0)) {
      out.skipped.push({ id: e.id, reason: skipReason(children) });
      continue;
    }
    const sized = { e, children, sizes: s };
    if (e.kind === "PLACE") {
      order.push(sized);
      continue;
    }
    const bucket = byContract.get(copyContractKey(e));
    if (bucket) bucket.push(sized);
    else {
      byContract.set(copyContractKey(e), [sized]);
      order.push(byContract.get(copyContractKey(e))!);
    }
  }
  for (const item of order) {
    if (Array.isArray(item)) addCombinedLeg(out, drafts, group, item, held);
    else addPlaceLeg(out, drafts, group, item, held);
  }
  out.plans = new Map([...drafts].map(([accountId, legs]) => [accountId, withPhases(legs)]));
  return out;
}

function addLegFor(drafts: Drafts, accountId: string, leg: PlannedLeg, closes: number) {
  drafts.set(accountId, [...(drafts.get(accountId) ?? []), { leg, closes }]);
}

/**
 * Hedge-first phases of one child's legs: BUYs first, SELLs once they are confirmed — except a SELL that only closes
 * a long the child holds, when the child buys nothing back in this run: it goes with the BUYs, so an opening BUY the
 * child's broker refuses (a roll into a contract it cannot afford) never holds back the close of what the master
 * closed. With a buy-back in the run the closing SELL stays behind it: selling a wing first leaves the short naked.
 */
function withPhases(legs: readonly { leg: PlannedLeg; closes: number }[]): PlannedLeg[] {
  const buysBack = legs.some((l) => l.leg.action === "BUY" && l.closes > 0);
  return legs.map(({ leg, closes }) => ({
    ...leg,
    phase: leg.action === "BUY" || (!buysBack && closes >= leg.quantity) ? 1 : 2,
  }));
}

function addPlaceLeg(out: RunLegs, drafts: Drafts, group: ScanGroup, sized: Sized, held: ExposureBook | null) {
  const { e, children, sizes } = sized;
  const legIndex = out.legs.length;
  out.legs.push(resolvedLeg(e, legIndex, sizes, e.action));
  out.marks.push({ id: e.id, legIndex, children });
  for (const c of children.filter((x) => x.quantity > 0)) {
    held?.add(c.accountId, e, c.action === "BUY" ? c.quantity : -c.quantity);
    addLegFor(
      drafts,
      c.accountId,
      {
        ...plannedLeg(group.id, e, c.action, c.quantity, legIndex, sizes),
        slices: sliceQuantities(c.quantity, sizes.lotSize, sizes.freezeQty ?? 1),
      },
      c.closes ?? 0,
    );
  }
}

/** A child's combined order with its closing part cut to what the child holds now, counted in `held`. */
function clampCombined(o: CombinedOrder, contract: CopyContract, held: ExposureBook | null): Clamped {
  if (!held || o.quantity === 0) return { ...o, cut: null };
  const c = clampClose({ ...o, reason: null }, held.exposure(o.accountId, contract));
  held.add(o.accountId, contract, c.action === "BUY" ? c.quantity : -c.quantity);
  if (c.quantity === o.quantity) return { ...o, cut: null };
  const cut = c.quantity === 0 ? "nothing left to close" : `close cut to what the child holds (${c.quantity} units)`;
  return { ...o, quantity: c.quantity, closes: c.closes ?? 0, cut };
}

function addCombinedLeg(out: RunLegs, drafts: Drafts, group: ScanGroup, bucket: Sized[], held: ExposureBook | null) {
  const first = bucket[0];
  const reverse = new Set(group.children.filter((c) => c.reverse).map((c) => c.accountId));
  const orders = combineShares(
    bucket.map((b) => ({ masterAfter: b.e.masterAfter, children: b.children })),
    reverse,
  ).map((o) => clampCombined(o, first.e, held));
  const byAccount = new Map(orders.map((o) => [o.accountId, o]));
  for (const o of orders)
    if (o.refused) out.refused.push({ accountId: o.accountId, symbol: first.e.symbol, reason: o.refused });
  const sending = orders.filter((o) => o.quantity > 0);
  if (sending.length === 0) {
    const refused = orders.find((o) => o.refused)?.refused;
    const list = refused ? out.failed : out.skipped;
    const cut = orders.find((o) => o.cut)?.cut;
    const reason = refused ?? cut ?? `netted to zero with the run's other ${first.e.symbol} events: nothing to send`;
    for (const b of bucket) list.push({ id: b.e.id, reason });
    return;
  }
  const legIndex = out.legs.length;
  const net = bucket.reduce((n, b) => n + (b.e.action === "BUY" ? b.e.quantity : -b.e.quantity), 0);
  out.legs.push(resolvedLeg(first.e, legIndex, first.sizes, net < 0 ? "SELL" : net > 0 ? "BUY" : first.e.action));
  for (const b of bucket)
    out.marks.push({
      id: b.e.id,
      legIndex,
      children: b.children.map((c) => withCombined(c, byAccount.get(c.accountId))),
    });
  const rules = new Map(group.children.map((c) => [c.accountId, c]));
  for (const o of sending) {
    // A combined order is assembled from shares already cut to maxLotsPerOrder; its slices keep to it too.
    const slices = combinedSlices(o.quantity, first.sizes, rules.get(o.accountId)?.maxLotsPerOrder ?? null);
    addLegFor(
      drafts,
      o.accountId,
      { ...plannedLeg(group.id, first.e, o.action, o.quantity, legIndex, first.sizes), slices },
      o.closes,
    );
  }
}

/**
 * The child's share annotated with its one order of the leg, when that order is not just this share; a lone share
 * whose close was cut reads as cut (its quantity what goes out).
 */
function withCombined(c: EventChild, o: Clamped | undefined): EventChild {
  if (!o || c.quantity === 0) return c;
  if (o.events <= 1 && o.refused === null)
    return o.cut === null
      ? c
      : { ...c, quantity: o.quantity, closes: o.closes, reason: o.quantity === 0 ? o.cut : c.reason };
  const netted = o.quantity === 0 && o.refused === null && o.cut === null;
  const others = o.events - 1;
  const reason =
    o.refused ?? o.cut ?? (netted ? `netted to zero with ${others} other event${others === 1 ? "" : "s"}` : null);
  return {
    ...c,
    reason: reason && c.reason ? `${c.reason}; ${reason}` : (reason ?? c.reason),
    combined: { events: o.events, action: o.action, quantity: o.quantity },
  };
}

function resolvedLeg(e: PendingEvent, legIndex: number, s: ContractSizes, action: Side): ResolvedLeg {
  return legOfSymbol({
    legIndex,
    symbol: e.symbol,
    exchange: e.exchange,
    action,
    ...s,
    // The run-wide leg is for display; each child's own leg carries the exact price type (SL, SL-M too).
    priceType: e.priceType === "LIMIT" || e.priceType === "SL" ? "LIMIT" : "MARKET",
    price: e.price === null ? null : new Decimal(e.price),
  });
}

/** A child's leg keyed on event `e` (the first the leg carries); the caller sets its slices. */
function plannedLeg(
  groupId: string,
  e: PendingEvent,
  action: Side,
  quantity: number,
  legIndex: number,
  s: ContractSizes,
): PlannedLeg {
  const priceType = (e.kind === "PLACE" ? (e.priceType ?? "MARKET") : "MARKET") as PlannedLeg["priceType"];
  const priced = priceType === "LIMIT" || priceType === "SL";
  const triggered = priceType === "SL" || priceType === "SL-M";
  return {
    legIndex,
    symbol: e.symbol,
    exchange: e.exchange,
    action,
    product: e.product as PlannedLeg["product"],
    priceType,
    price: priced && e.price !== null ? new Decimal(e.price) : null,
    triggerPrice: triggered && e.triggerPrice !== null ? new Decimal(e.triggerPrice) : null,
    intentKey: copyIntentKey(groupId, e.masterOrderId, e.seq),
    phase: action === "BUY" ? 1 : 2,
    lots: quantity / s.lotSize,
    lotSize: s.lotSize,
    quantity,
    slices: [],
    marginKind: "wing",
    marginNeeded: null,
    marginAvailable: null,
    warnings: [],
  };
}
