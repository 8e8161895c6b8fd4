/**
 * Decoded Dhan feed packets → normalised ticks (docs/brokers/dhan.md "Market data stream"). A tick carries what the
 * OpenAlgo feed's tick of the same mode carries: ticker (mode 1) the price and its time; quote (mode 2) also open,
 * high, low, previous close, volume and open interest; full (mode 3) also the five-level book with best bid/ask.
 * Dhan sends the previous close and (in quote mode) the open interest in packets of their own, so the stream keeps
 * the latest of each per instrument and adds them to the ticks. Float32 prices are rounded to paise; 0 means none.
 */
import Decimal from "decimal.js";
import { lastPriceTick, setBook } from "@/lib/brokers/feed-ticks";
import type { FeedLevel, FeedTick } from "@/lib/brokers/market-types";
import type { FeedPacket } from "./feed-packets";

/** What the stream remembers of one subscribed instrument. */
export interface Subscribed {
  exchange: string;
  symbol: string;
  prevClose: string | null;
  oi: number | null;
}

const IST_OFFSET_S = 19_800;

/** A positive float32 price as a decimal string rounded to paise; null for 0, negative or not finite. */
export function feedPrice(v: number): string | null {
  if (!Number.isFinite(v) || v <= 0) return null;
  return new Decimal(v.toFixed(2)).toFixed();
}

/** Dhan's trade time counts seconds in IST wall-clock time: back to UTC; null when absent. */
export function feedTime(ltt: number): string | null {
  if (!Number.isFinite(ltt) || ltt <= IST_OFFSET_S) return null;
  return new Date((ltt - IST_OFFSET_S) * 1000).toISOString();
}

function levels(packet: Extract<FeedPacket, { kind: "full" }>): { buy: FeedLevel[]; sell: FeedLevel[] } {
  const buy: FeedLevel[] = [];
  const sell: FeedLevel[] = [];
  for (const l of packet.levels) {
    const bid = feedPrice(l.bidPrice);
    const ask = feedPrice(l.askPrice);
    // Empty levels ({price 0, quantity 0}) are padding, not a book.
    if (bid !== null && l.bidQty > 0) buy.push({ price: bid, quantity: l.bidQty, orders: l.bidOrders });
    if (ask !== null && l.askQty > 0) sell.push({ price: ask, quantity: l.askQty, orders: l.askOrders });
  }
  return { buy, sell };
}

/**
 * Applies `packet` to `sub` (previous close, open interest) and returns the tick it makes, or null when it makes none
 * (a state-only packet, or no usable last price).
 */
export function tickOf(packet: FeedPacket, sub: Subscribed, receivedAt: Date): FeedTick | null {
  if (packet.kind === "prevClose") {
    sub.prevClose = feedPrice(packet.prevClose);
    return null;
  }
  if (packet.kind === "oi") {
    sub.oi = packet.oi;
    return null;
  }
  if (packet.kind !== "ticker" && packet.kind !== "quote" && packet.kind !== "full") return null;
  const ltp = feedPrice(packet.ltp);
  if (ltp === null) return null;
  const tick = lastPriceTick({ ...sub, ltp, prevClose: null, exchangeTs: feedTime(packet.ltt), receivedAt });
  if (packet.kind === "ticker") return tick;
  tick.prevClose = sub.prevClose;
  tick.open = feedPrice(packet.open);
  tick.high = feedPrice(packet.high);
  tick.low = feedPrice(packet.low);
  tick.volume = packet.volume;
  if (packet.kind === "quote") {
    tick.oi = sub.oi;
    return tick;
  }
  sub.oi = packet.oi;
  tick.oi = packet.oi;
  const book = levels(packet);
  setBook(tick, book.buy, book.sell);
  return tick;
}
