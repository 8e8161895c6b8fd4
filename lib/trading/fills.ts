/**
 * Fill tracking (docs/architecture.md "Fills and the ledger"), pure: from a stored intent and its broker order as the
 * order book shows it (plus that order's trades, when the trade book was read) to the intent events that bring the
 * intent up to date.
 *
 * Rules (docs/trading-facts.md "Orders and products"):
 * - A fill is only known from the books; its price is the broker's AVERAGE price (order row, else the trades'
 *   quantity-weighted average) — never the LTP, never the order's limit price.
 * - Some order books report no fill quantities at all (OpenAlgo live rows: docs/openalgo.md "Account reads"). Then a
 *   complete row means everything filled, and for any other row the trade book alone says what filled: it is read
 *   before deciding.
 * - Filled quantity never decreases: a book that shows less than already recorded changes nothing.
 * - Statuses flap. A `rejected` row is only a rejection when the trade book shows no fills for the order; with
 *   trades it is a (partial) fill. An accepted order that later shows a rejection becomes `rejected_late` (shown as
 *   a rejection, not a success); `rejected_late` followed by `complete` ends filled.
 * - A rejected or cancelled order that had partly filled ends `cancelled` with its filled quantity kept: the rest of
 *   the slice is dead at the broker and must show as missing, not as still working.
 */
import Decimal from "decimal.js";
import { istDateOf, istInstant, addDays } from "./calendar";
import type { IntentEvent, IntentState } from "./intents";

/** States whose broker order may still change: the fill poller reads the book for these. */
export const FILL_TRACKED_STATES: readonly IntentState[] = [
  "accepted",
  "reconciled_accepted",
  "partially_filled",
  "rejected_late",
];

/** How long a `rejected_late` intent is still watched for a flap back to complete, ms after its rejection. */
export const REJECTED_LATE_WATCH_MS = 5 * 60_000;

/** The stored intent, as far as fill tracking needs it. */
export interface TrackedIntent {
  state: IntentState;
  /** Units of the slice. */
  quantity: number;
  /** Units recorded as filled so far. */
  filledQuantity: number;
}

/** The intent's broker order as the order book shows it (normalised by the adapter). */
export interface BookRow {
  status: "open" | "trigger_pending" | "complete" | "rejected" | "cancelled";
  /** Ordered units (may differ from the slice if the order was modified at the broker). */
  quantity: number;
  /** Units filled as the book shows them; null when the book does not report fills (see the rules above). */
  filledQuantity: number | null;
  /** The broker's average fill price; null (or ≤ 0) when it did not report one. */
  averagePrice: Decimal | null;
  rejectionReason: string | null;
}

/** One trade of the order from the trade book. */
export interface TradeFill {
  quantity: number;
  /** ₹ per unit. */
  averagePrice: Decimal;
}

export type FillOutcome =
  /** Nothing to record. */
  | { kind: "none" }
  /** The trade book must be read before deciding (a rejection to confirm, unreported fills, or a fill without a price). */
  | { kind: "need_trades" }
  /**
   * Apply `events` in order; store `averagePrice` (₹ per unit over everything filled) when not null.
   * `priceMissing`: units were filled but neither book gave a price.
   */
  | { kind: "events"; events: IntentEvent[]; averagePrice: Decimal | null; priceMissing: boolean };

const NONE: FillOutcome = { kind: "none" };
const CAN_REJECT_LATE: ReadonlySet<IntentState> = new Set(["accepted", "reconciled_accepted"]);
const CAN_CANCEL: ReadonlySet<IntentState> = new Set(["accepted", "reconciled_accepted", "partially_filled"]);

const positive = (d: Decimal | null): Decimal | null => (d && d.gt(0) ? d : null);

/** Quantity-weighted average price of trades, or null when there are none. */
export function tradesAverage(trades: readonly TradeFill[]): Decimal | null {
  const qty = trades.reduce((t, x) => t + x.quantity, 0);
  if (qty <= 0) return null;
  return trades.reduce((v, x) => v.plus(x.averagePrice.times(x.quantity)), new Decimal(0)).div(qty);
}

/**
 * The events that bring `intent` in line with its broker order. `trades` is that order's trades when the trade book
 * was read this cycle, else null (the answer may then be `need_trades`). `at` is the event time (epoch ms).
 */
export function fillEvents(
  intent: TrackedIntent,
  row: BookRow,
  trades: readonly TradeFill[] | null,
  at: number,
): FillOutcome {
  if (!FILL_TRACKED_STATES.includes(intent.state)) return NONE;
  const tradedQty = trades?.reduce((t, x) => t + x.quantity, 0) ?? 0;
  const shownFilled = row.filledQuantity ?? 0;
  const shown = row.status === "complete" ? Math.max(row.quantity, shownFilled) : shownFilled;
  const brokerFilled = Math.max(shown, tradedQty);

  if (row.status === "rejected") {
    // A rejection already recorded, with nothing new filled: keep watching for a flap, without the trade book.
    if (intent.state === "rejected_late" && brokerFilled <= intent.filledQuantity) return NONE;
    if (trades === null) return { kind: "need_trades" };
    if (brokerFilled === 0) {
      const reason = row.rejectionReason?.trim() || "rejected by the broker after acceptance";
      return CAN_REJECT_LATE.has(intent.state) ? events([{ type: "reject_late", at, reason }], null, false) : NONE;
    }
  }
  // Working, cancelled: what filled (a partial fill, the part filled before a cancellation) is only in the trade book.
  if (row.filledQuantity === null && row.status !== "complete" && trades === null) return { kind: "need_trades" };

  // Filled units as far as both books show them; never below what is recorded.
  const filled = Math.max(intent.filledQuantity, brokerFilled);
  const final = row.status === "complete" || row.status === "rejected" || row.status === "cancelled";
  const out: IntentEvent[] = [];
  if (filled >= intent.quantity && (final || (filled === intent.quantity && row.quantity <= intent.quantity))) {
    // Complete, or a working order that already filled the whole slice. An order still working beyond the slice
    // (enlarged at the broker, or a copy modified upwards while this intent was read) is left until it ends, so its
    // final excess is recorded once and the slice is not called filled while part of it still works.
    out.push(filled > intent.quantity ? { type: "fill", at, filledQuantity: filled } : { type: "fill", at });
  } else if (filled > intent.filledQuantity && filled < intent.quantity) {
    out.push({ type: "partial_fill", at, filledQuantity: filled });
  }
  const filledAll = filled >= intent.quantity;
  if ((row.status === "cancelled" || row.status === "rejected") && !filledAll) {
    const stateAfter = out.length > 0 ? "partially_filled" : intent.state;
    if (CAN_CANCEL.has(stateAfter)) {
      const why = row.rejectionReason?.trim();
      const reason =
        row.status === "rejected"
          ? `rejected by the broker after ${filled} of ${intent.quantity} filled${why ? `: ${why}` : ""}`
          : why || "cancelled at the broker";
      out.push({ type: "cancel", at, reason });
    }
  }
  if (out.length === 0) return NONE;
  if (!out.some((e) => e.type === "fill" || e.type === "partial_fill")) return events(out, null, false);
  // The trades' average when they account for every filled unit; else the order row's; else whatever trades show.
  const fromTrades = trades ? tradesAverage(trades) : null;
  const price = (tradedQty >= filled ? fromTrades : null) ?? positive(row.averagePrice) ?? fromTrades;
  if (price === null && trades === null) return { kind: "need_trades" };
  return events(out, price, price === null);
}

function events(list: IntentEvent[], averagePrice: Decimal | null, priceMissing: boolean): FillOutcome {
  return { kind: "events", events: list, averagePrice, priceMissing };
}

/** The broker day's order books start at 03:00 IST (OpenAlgo's daily session roll), as epoch ms. */
export const BOOK_DAY_START = "03:00";

/**
 * Start (epoch ms) of the order-book day containing `now`: orders placed before it are no longer in the broker's
 * books, so intents older than it can no longer be tracked from them.
 */
export function bookDayStart(now: number): number {
  const today = istDateOf(now);
  const start = istInstant(today, BOOK_DAY_START);
  return now >= start ? start : istInstant(addDays(today, -1), BOOK_DAY_START);
}
