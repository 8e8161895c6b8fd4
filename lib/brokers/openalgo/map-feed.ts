/**
 * OpenAlgo `market_data` frames → normalised ticks (docs/openalgo.md "WebSocket"). The frame's `data` is not
 * trimmed to the subscriber's mode (a mode-1 subscriber may see mode-3 data), so whatever is present is mapped and
 * whatever is absent stays null. As in OpenAlgo's REST quotes, a price of 0 means "none" (an empty book level, no
 * previous close); it is never shown as a price.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import type { FeedLevel, FeedTick } from "@/lib/brokers/market-types";

/** A number, or a numeric string (some brokers send prices as text). */
const numeric = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform(Number);
const opt = numeric.nullable().optional().catch(undefined);

const levelSchema = z.object({ price: numeric, quantity: numeric, orders: opt });
const sideSchema = z.array(z.unknown()).catch([]);

const dataSchema = z.object({
  ltp: opt,
  ltt: opt,
  timestamp: opt,
  open: opt,
  high: opt,
  low: opt,
  close: opt,
  volume: opt,
  oi: opt,
  bid: opt,
  ask: opt,
  bid_qty: opt,
  ask_qty: opt,
  bid_quantity: opt,
  ask_quantity: opt,
  depth: z.object({ buy: sideSchema, sell: sideSchema }).nullable().optional().catch(undefined),
});

export const marketDataFrameSchema = z.object({
  type: z.literal("market_data"),
  symbol: z.string().min(1),
  exchange: z.string().min(1),
  data: dataSchema,
});

/** A positive price as a plain decimal string (no exponent); null for 0, negative, absent or not finite. */
function price(v: number | null | undefined): string | null {
  if (v === null || v === undefined || !Number.isFinite(v) || v <= 0) return null;
  return new Decimal(v).toFixed();
}

/** A whole non-negative count; null when absent or not a count. */
function count(v: number | null | undefined): number | null {
  if (v === null || v === undefined || !Number.isFinite(v) || v < 0) return null;
  return Math.trunc(v);
}

/**
 * Exchange time as ISO. OpenAlgo sends epoch milliseconds; a value below 10^12 can only be epoch seconds (a date in
 * 1973 as milliseconds) and is read as such.
 */
function exchangeTime(v: number | null | undefined): string | null {
  if (v === null || v === undefined || !Number.isFinite(v) || v <= 0) return null;
  const ms = v < 1e12 ? v * 1000 : v;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function levels(side: unknown[]): FeedLevel[] {
  const out: FeedLevel[] = [];
  for (const raw of side.slice(0, 5)) {
    const r = levelSchema.safeParse(raw);
    if (!r.success) continue;
    const p = price(r.data.price);
    const quantity = count(r.data.quantity);
    // Padding levels ({price: 0, quantity: 0}) are not a book.
    if (p === null || quantity === null) continue;
    out.push({ price: p, quantity, orders: count(r.data.orders) });
  }
  return out;
}

/**
 * The tick in a `market_data` frame, or null when the frame is not one or carries no usable last price (a tick
 * without a price is nothing to show or to value a position with).
 */
export function mapMarketData(frame: unknown, receivedAt: Date): FeedTick | null {
  const r = marketDataFrameSchema.safeParse(frame);
  if (!r.success) return null;
  const { symbol, exchange, data } = r.data;
  const ltp = price(data.ltp);
  if (ltp === null) return null;
  const depth = data.depth ? { buy: levels(data.depth.buy), sell: levels(data.depth.sell) } : null;
  const bestBid = depth?.buy[0];
  const bestAsk = depth?.sell[0];
  // Best bid/ask: the book's first level when a book came, else the quote's own fields, else none.
  const bid = bestBid ? bestBid.price : price(data.bid);
  const ask = bestAsk ? bestAsk.price : price(data.ask);
  const bidQty = bestBid ? bestBid.quantity : bid === null ? null : count(data.bid_qty ?? data.bid_quantity);
  const askQty = bestAsk ? bestAsk.quantity : ask === null ? null : count(data.ask_qty ?? data.ask_quantity);
  return {
    exchange,
    symbol,
    ltp,
    prevClose: price(data.close),
    open: price(data.open),
    high: price(data.high),
    low: price(data.low),
    bid,
    bidQty,
    ask,
    askQty,
    depth: depth && (depth.buy.length > 0 || depth.sell.length > 0) ? depth : null,
    volume: count(data.volume),
    oi: count(data.oi),
    exchangeTs: exchangeTime(data.ltt ?? data.timestamp),
    receivedAt: receivedAt.toISOString(),
  };
}
