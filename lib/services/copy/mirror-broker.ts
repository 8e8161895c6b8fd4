/**
 * ORDERS mode's broker side for one child (docs/copy-trading.md "ORDERS mode"): its order book as slices, and the
 * modifies and cancels of a re-proportioned master change. Cancels go through dispatch's cancel (the run view's);
 * what they leave filled is recorded by fill tracking from the books, as for any cancelled order.
 */
import Decimal from "decimal.js";
import {
  type BrokerAdapter,
  type Exchange,
  isFinalStatus,
  type Order,
  type PriceType,
  type Product,
} from "@/lib/brokers/types";
import { type IntentRow, updateIntentTerms } from "@/lib/db/queries/intents";
import { log } from "@/lib/log";
import { cancelIntentOrders } from "@/lib/services/dispatch";
import { syncAccountFills } from "@/lib/services/fills";
import { withEntriesAllowed } from "@/lib/services/kill-switch";
import type { ChildSlice, SliceChange } from "@/lib/trading/copy/orders";
import type { IntentState } from "@/lib/trading/intents";
import type { MirrorContext, MirroredSlice } from "./mirror-types";

const OPEN: ReadonlySet<IntentState> = new Set(["accepted", "reconciled_accepted", "partially_filled"]);
const text = (e: unknown) => (e instanceof Error ? e.message : String(e));
const positive = (v: Decimal | null) => (v && v.gt(0) ? v : null);
const dec = (v: { toString(): string } | null) => (v === null ? null : new Decimal(v.toString()));

/**
 * The child's order book by broker order id, read once. Where a working order of `open` carries no fill quantities
 * (OpenAlgo live rows), the trade book is read once too and its fills stand in.
 */
export async function readBook(adapter: BrokerAdapter, open: readonly IntentRow[]): Promise<Map<string, Order>> {
  const book = new Map((await adapter.orders()).map((o) => [o.orderId, o]));
  const ids = new Set(open.map((r) => r.brokerOrderId));
  if (![...book.values()].some((o) => ids.has(o.orderId) && o.fillsReported === false)) return book;
  const traded = new Map<string, number>();
  for (const t of await adapter.trades()) traded.set(t.orderId, (traded.get(t.orderId) ?? 0) + t.quantity);
  for (const [id, o] of book)
    if (o.fillsReported === false)
      book.set(id, { ...o, filledQuantity: Math.max(o.filledQuantity, traded.get(id) ?? 0) });
  return book;
}

/** One intent as a slice: a working order as its broker shows it now, anything else by what it filled. */
export function sliceOf(r: IntentRow, o: Order | undefined): ChildSlice {
  const bookFilled = o ? (o.status === "complete" ? Math.max(o.quantity, o.filledQuantity) : o.filledQuantity) : 0;
  const filled = Math.max(r.filledQuantity, bookFilled);
  if (o && OPEN.has(r.state) && !isFinalStatus(o.status))
    return {
      intentId: r.id,
      quantity: o.quantity,
      filled,
      working: true,
      price: positive(o.price),
      triggerPrice: positive(o.triggerPrice),
      priceType: o.priceType,
    };
  return { intentId: r.id, quantity: r.quantity, filled, working: false, price: dec(r.price), triggerPrice: null };
}

interface Terms {
  quantity: number;
  price: string | null;
  triggerPrice: string | null;
  priceType: string;
}

const termsOf = (o: Order): Terms => ({
  quantity: o.quantity,
  price: positive(o.price)?.toFixed() ?? null,
  triggerPrice: positive(o.triggerPrice)?.toFixed() ?? null,
  priceType: o.priceType,
});

const sameTerms = (a: Terms, b: Terms) =>
  a.quantity === b.quantity && a.price === b.price && a.triggerPrice === b.triggerPrice && a.priceType === b.priceType;

/**
 * After a refused (or unanswered) modify or cancel: the order as the broker shows it now decides. Final → a note
 * (it filled or died meanwhile); already holding what was asked → done; else the broker's refusal.
 */
async function settle(
  adapter: BrokerAdapter,
  row: IntentRow,
  error: string,
  wanted: Terms | null,
): Promise<Omit<MirroredSlice, "intentId" | "brokerOrderId">> {
  const now = await adapter.orderStatus(row.brokerOrderId as string, row.id).catch(() => null);
  if (now) await updateIntentTerms(row.id, termsOf(now));
  if (now && isFinalStatus(now.status)) return { did: "done", detail: `already ${now.status}` };
  if (now && wanted && sameTerms(termsOf(now), wanted)) return { did: "modified", detail: describe(wanted) };
  return { did: "failed", detail: error };
}

const describe = (t: Terms) =>
  [`quantity ${t.quantity}`, t.price && `price ${t.price}`, t.triggerPrice && `trigger ${t.triggerPrice}`]
    .filter(Boolean)
    .join(", ");

async function modifyOne(
  ctx: MirrorContext,
  adapter: BrokerAdapter,
  row: IntentRow,
  change: Extract<SliceChange, { kind: "modify" }>,
  order: Order,
): Promise<MirroredSlice> {
  const priceType = (ctx.change.priceType ?? order.priceType) as PriceType;
  const wanted: Terms = {
    quantity: change.quantity,
    price: change.price?.toFixed() ?? null,
    triggerPrice: change.triggerPrice?.toFixed() ?? null,
    priceType,
  };
  const send = () =>
    adapter.modifyOrder({
      orderId: order.orderId,
      symbol: row.symbol,
      exchange: row.exchange as Exchange,
      action: row.action as "BUY" | "SELL",
      product: row.product as Product,
      priceType,
      quantity: change.quantity,
      price: change.price ?? new Decimal(0),
      triggerPrice: change.triggerPrice ?? new Decimal(0),
      strategy: row.id,
    });
  const ids = { intentId: row.id, brokerOrderId: order.orderId };
  // A raise is stored first: fill tracking must never take the old, smaller quantity filled for the whole order.
  if (change.raises) await updateIntentTerms(row.id, wanted);
  try {
    // A raise adds exposure, like an entry: refused while a kill switch covers the owner.
    await (change.raises ? withEntriesAllowed(ctx.ownerId, send) : send());
    if (!change.raises) await updateIntentTerms(row.id, wanted);
    return { ...ids, did: "modified", detail: describe(wanted) };
  } catch (e) {
    return { ...ids, ...(await settle(adapter, row, text(e), wanted)) };
  }
}

/** Sends a child's slice changes concurrently (the adapter's governor spaces them); one result per change. */
export async function applyChanges(
  ctx: MirrorContext,
  adapter: BrokerAdapter,
  changes: readonly SliceChange[],
  rows: ReadonlyMap<string, IntentRow>,
  book: ReadonlyMap<string, Order>,
): Promise<MirroredSlice[]> {
  const row = (id: string) => rows.get(id) as IntentRow;
  const toCancel = changes.filter((c) => c.kind === "cancel").map((c) => row(c.intentId));
  const reason = ctx.kind === "CANCEL" ? "master order cancelled" : "master order reduced";
  const [cancels, modifies] = await Promise.all([
    toCancel.length === 0
      ? []
      : cancelIntentOrders(toCancel, reason, { record: false }).then(async ({ cancelled, failed }) => {
          const out: MirroredSlice[] = cancelled.map((id) => ({
            intentId: id,
            brokerOrderId: row(id).brokerOrderId,
            did: "cancelled",
            detail: null,
          }));
          for (const f of failed)
            out.push({
              intentId: f.intentId,
              brokerOrderId: row(f.intentId).brokerOrderId,
              ...(await settle(adapter, row(f.intentId), f.reason, null)),
            });
          return out;
        }),
    Promise.all(
      changes
        .filter((c) => c.kind === "modify")
        .map((c) => modifyOne(ctx, adapter, row(c.intentId), c, book.get(row(c.intentId).brokerOrderId!)!)),
    ),
  ]);
  // Fill tracking records the cancellations from the books, with whatever filled before them.
  if (toCancel.length > 0)
    await syncAccountFills(toCancel[0].accountId).catch((err) =>
      log().warn({ err, accountId: toCancel[0].accountId }, "fills not synced after copy cancels"),
    );
  const kept = changes
    .filter((c) => c.kind === "keep")
    .map((c): MirroredSlice => ({
      intentId: c.intentId,
      brokerOrderId: row(c.intentId).brokerOrderId,
      did: "kept",
      detail: null,
    }));
  return [...cancels, ...modifies, ...kept];
}
