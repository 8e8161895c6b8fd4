/**
 * Detection (docs/copy-trading.md "Detection"): the master's order book (and, where rows carry no fill quantities,
 * the trade book's filled units per order) compared with what the group has recorded, as a list of changes to
 * record. Pure: the engine reads the books and the records and applies each change with a compare-and-set.
 */
import type Decimal from "decimal.js";
import { INTENT_ID_PATTERN } from "@/lib/trading/intents";
import { copyFilterVerdict } from "./filters";
import type { CopyEventKind, CopyFilters, CopyMode, Side } from "./types";

/** One row of the master's order book, as the broker adapter normalises it (lib/brokers/types.ts `Order`). */
export interface MasterBookOrder {
  orderId: string;
  symbol: string;
  exchange: string;
  action: Side;
  product: string;
  quantity: number;
  /** Units filled; a lower bound derived from the status when `fillsReported` is false. */
  filledQuantity: number;
  fillsReported?: boolean;
  price: Decimal;
  triggerPrice: Decimal;
  priceType: string;
  /** open, trigger_pending, complete, rejected, cancelled. */
  status: string;
  strategy: string | null;
  placedAt: Date | null;
}

/** A `copy_master_orders` row as the engine read it. */
export interface RecordedMasterOrder {
  masterOrderId: string;
  priceType: string;
  price: Decimal | null;
  triggerPrice: Decimal | null;
  quantity: number;
  filledQty: number;
  status: string;
  ignoredReason: string | null;
  seq: number;
}

/** One of the master account's own intents not yet resolved to a broker order (claimed, sending, unknown). */
export interface UnresolvedIntent {
  symbol: string;
  exchange: string;
  action: Side;
  quantity: number;
  /** Its send time, or its claim time before a send; epoch ms. */
  since: number;
}

export interface DetectInput {
  mode: CopyMode;
  filters: CopyFilters;
  /** Epoch ms when copying (re)started: orders placed before are baseline. */
  startedAt: number;
  orders: readonly MasterBookOrder[];
  /** Filled units per order from the trade book; null when it was not read. */
  tradeFilled: ReadonlyMap<string, number> | null;
  recorded: ReadonlyMap<string, RecordedMasterOrder>;
  /** Broker order ids of the master account's intents (MirrorDesk's own orders there). */
  ownOrderIds: ReadonlySet<string>;
  unresolved: readonly UnresolvedIntent[];
  /** Allowance for the broker's clock and its second-resolution timestamps, ms. */
  clockSkewMs: number;
}

/** An event to insert for a master order (seq is assigned in order after the row's current seq). */
export interface EventDraft {
  kind: Exclude<CopyEventKind, "SYNC">;
  action: Side;
  /** FILL: units filled since the previous event; PLACE/MODIFY: the order's quantity; CANCEL: 0. */
  quantity: number;
  priceType: string | null;
  price: Decimal | null;
  triggerPrice: Decimal | null;
  /** Recorded SKIPPED with this reason, never copied (an order the filters refuse). */
  skipped?: string;
}

export type MasterChange =
  | { kind: "held"; orderId: string; reason: string }
  | {
      kind: "record";
      order: MasterBookOrder;
      /** The row as read (null: a new row), for the compare-and-set. */
      prev: RecordedMasterOrder | null;
      next: Omit<RecordedMasterOrder, "seq" | "masterOrderId">;
      events: EventDraft[];
      /**
       * FILLS mode: signed units an order that is never copied (own, filtered, from before copying started) filled
       * since it was last recorded. The children get nothing, but the master's position moved (docs/copy-trading.md
       * "Fills never copied").
       */
      uncopiedFill: number;
    };

const WORKING = new Set(["open", "trigger_pending"]);
const DEAD = new Set(["cancelled", "rejected"]);
const FILTERED = "filtered: ";
/**
 * Whether detection still follows the order: not yet recorded, or copied; in a FILLS group every order, those never
 * copied too (their fills still move the master's position: docs/copy-trading.md "Fills never copied").
 */
const followed = (mode: CopyMode, r: RecordedMasterOrder | undefined | null) =>
  r?.ignoredReason == null || mode === "FILLS";
const samePrice = (a: Decimal | null, b: Decimal | null) =>
  (a === null || a.isZero()) && (b === null || b.isZero()) ? true : a !== null && b !== null && a.equals(b);

/**
 * Whether some row needs the trade book to know its fills (OpenAlgo live rows carry no fill quantities). ORDERS
 * groups count the master's fills of copied orders too (the drift board's master position).
 */
export function needsTradeBook(
  mode: CopyMode,
  orders: readonly MasterBookOrder[],
  recorded: ReadonlyMap<string, RecordedMasterOrder>,
) {
  // A dead order already recorded dead cannot fill more.
  return orders.some((o) => {
    const r = recorded.get(o.orderId);
    return (
      o.fillsReported === false &&
      o.status !== "complete" &&
      followed(mode, r) &&
      !(DEAD.has(o.status) && r?.status === o.status)
    );
  });
}

/** Units filled of `o`: the book's figure, or the trade book's where the row reports none; never below `floor`. */
function filledOf(o: MasterBookOrder, tradeFilled: DetectInput["tradeFilled"], floor: number): number {
  const book = o.filledQuantity;
  const traded = o.fillsReported === false ? (tradeFilled?.get(o.orderId) ?? 0) : 0;
  return Math.max(floor, Math.min(o.quantity, Math.max(book, traded)));
}

function ignoredReasonOf(o: MasterBookOrder, input: DetectInput): string | null {
  if (input.ownOrderIds.has(o.orderId) || (o.strategy !== null && INTENT_ID_PATTERN.test(o.strategy))) return "own";
  if (o.placedAt !== null && o.placedAt.getTime() + input.clockSkewMs < input.startedAt) return "baseline";
  const verdict = copyFilterVerdict(input.filters, o, { opening: false, istMinutes: 0 });
  return verdict === null ? null : `${FILTERED}${verdict}`;
}

/** The unresolved intent that could have placed `o`, if any (same contract, side and size, placed at/after it). */
function couldBeOurs(o: MasterBookOrder, input: DetectInput): UnresolvedIntent | undefined {
  return input.unresolved.find(
    (i) =>
      i.symbol.toUpperCase() === o.symbol.toUpperCase() &&
      i.exchange.toUpperCase() === o.exchange.toUpperCase() &&
      i.action === o.action &&
      i.quantity === o.quantity &&
      (o.placedAt === null || o.placedAt.getTime() >= i.since - input.clockSkewMs),
  );
}

function eventsFor(o: MasterBookOrder, prev: RecordedMasterOrder | null, filled: number, mode: CopyMode): EventDraft[] {
  const base = { action: o.action, priceType: o.priceType, price: o.price, triggerPrice: o.triggerPrice };
  if (mode === "FILLS") {
    const delta = filled - (prev?.filledQty ?? 0);
    return delta > 0
      ? [{ ...base, kind: "FILL", quantity: delta, priceType: null, price: null, triggerPrice: null }]
      : [];
  }
  if (prev === null) return DEAD.has(o.status) ? [] : [{ ...base, kind: "PLACE", quantity: o.quantity }];
  if (!WORKING.has(prev.status)) return [];
  if (DEAD.has(o.status)) return [{ ...base, kind: "CANCEL", quantity: 0 }];
  const modified =
    o.quantity !== prev.quantity || !samePrice(o.price, prev.price) || !samePrice(o.triggerPrice, prev.triggerPrice);
  return WORKING.has(o.status) && modified ? [{ ...base, kind: "MODIFY", quantity: o.quantity }] : [];
}

const NUMERIC_ID = /^\d+$/;

/**
 * Oldest first: by the broker's time, then, within its whole second, by order id where both are numbers (brokers
 * number orders in sequence). Fills in the same contract must be counted in the order they happened.
 */
function placedOrder(a: MasterBookOrder, b: MasterBookOrder): number {
  const ta = a.placedAt?.getTime() ?? Infinity;
  const tb = b.placedAt?.getTime() ?? Infinity;
  if (ta !== tb) return ta < tb ? -1 : 1;
  if (!NUMERIC_ID.test(a.orderId) || !NUMERIC_ID.test(b.orderId)) return 0;
  return a.orderId.length - b.orderId.length || (a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0);
}

/**
 * The one SKIPPED event of an order the filters refuse: its PLACE (ORDERS) or its first fill (FILLS), so the log
 * shows it with the reason. Its row moves to seq 1 with it (the compare-and-set); nothing follows in the log (its
 * later fills only move the master's count, as `uncopiedFill`).
 */
function filteredEvents(
  o: MasterBookOrder,
  prev: RecordedMasterOrder | null,
  filled: number,
  mode: CopyMode,
  reason: string,
): EventDraft[] {
  if ((prev?.seq ?? 0) > 0) return [];
  const skipped = reason.slice(FILTERED.length);
  return eventsFor(o, prev, filled, mode)
    .slice(0, 1)
    .map((e) => ({ ...e, skipped }));
}

/** Every change the book shows against the records, oldest order first. */
export function detectChanges(input: DetectInput): MasterChange[] {
  const out: MasterChange[] = [];
  const oldestFirst = [...input.orders].sort(placedOrder);
  for (const o of oldestFirst) {
    const prev = input.recorded.get(o.orderId) ?? null;
    if (!followed(input.mode, prev)) continue;
    let ignoredReason: string | null = prev?.ignoredReason ?? null;
    if (prev === null) {
      ignoredReason = ignoredReasonOf(o, input);
      const intent = ignoredReason === null ? couldBeOurs(o, input) : undefined;
      if (intent) {
        out.push({
          kind: "held",
          orderId: o.orderId,
          reason: `could be our ${intent.action} ${intent.quantity} ${intent.symbol}`,
        });
        continue;
      }
    }
    // Filled quantity never decreases: a book that shows less than recorded is behind, not right.
    const filled = filledOf(o, input.tradeFilled, prev?.filledQty ?? 0);
    const events =
      ignoredReason === null
        ? eventsFor(o, prev, filled, input.mode)
        : ignoredReason.startsWith(FILTERED)
          ? filteredEvents(o, prev, filled, input.mode, ignoredReason)
          : [];
    // A baseline order seen first now: what it filled is in the baseline's positions already.
    const counted =
      ignoredReason !== null && input.mode === "FILLS" && !(prev === null && ignoredReason === "baseline");
    const uncopied = counted ? filled - (prev?.filledQty ?? 0) : 0;
    const next = {
      priceType: o.priceType,
      price: o.price,
      triggerPrice: o.triggerPrice,
      quantity: o.quantity,
      filledQty: filled,
      status: o.status,
      ignoredReason,
    };
    const same =
      prev !== null &&
      events.length === 0 &&
      prev.status === next.status &&
      prev.filledQty === next.filledQty &&
      prev.quantity === next.quantity &&
      samePrice(prev.price, next.price) &&
      samePrice(prev.triggerPrice, next.triggerPrice);
    if (!same)
      out.push({
        kind: "record",
        order: o,
        prev,
        next,
        events,
        uncopiedFill: o.action === "BUY" ? uncopied : 0 - uncopied,
      });
  }
  return out;
}
