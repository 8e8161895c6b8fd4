/**
 * Angel One's stream messages into the contract's types (docs/brokers/angel.md "Market data stream", "Order
 * updates"): SmartStream's little-endian binary packets into `FeedTick`s, and the order-status stream's JSON into
 * `OrderUpdate`s. Prices arrive as integers in paise and become decimal strings; a price of 0 means "none".
 */
import Decimal from "decimal.js";
import { z } from "zod";
import { setBook } from "@/lib/brokers/feed-ticks";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import type { FeedLevel, FeedTick } from "@/lib/brokers/market-types";
import { orderUpdateOf } from "@/lib/brokers/order-updates";
import type { OrderUpdate } from "@/lib/brokers/types";
import { mapOrders } from "./map";

/** Packet sizes per subscription mode: LTP, Quote, SnapQuote. */
export const PACKET_BYTES: Record<number, number> = { 1: 51, 2: 123, 3: 379 };

/** SmartStream's exchange types of Angel's segments (`exch_seg` in the scrip master). */
export const EXCHANGE_TYPES: Record<string, number> = { NSE: 1, NFO: 2, BSE: 3, BFO: 4, MCX: 5, NCDEX: 7, CDS: 13 };

export interface SmartPacket {
  mode: number;
  exchangeType: number;
  token: string;
  /** Epoch ms. */
  exchangeTime: number;
  tick: Omit<FeedTick, "exchange" | "symbol" | "receivedAt" | "exchangeTs">;
}

/** Paise → rupees as a plain decimal string; null for 0 or less (no price). */
function rupees(paise: bigint): string | null {
  return paise > 0n ? new Decimal(paise.toString()).div(100).toFixed() : null;
}
const count = (v: bigint | number) => (v < 0 ? null : Number(v));

function levels(b: Buffer, from: number): FeedLevel[] {
  const out: FeedLevel[] = [];
  for (let i = 0; i < 5; i++) {
    const at = from + i * 20;
    const price = rupees(b.readBigInt64LE(at + 10));
    const quantity = Number(b.readBigInt64LE(at + 2));
    // Empty levels are zero-filled: not a book.
    if (price === null || quantity <= 0) continue;
    out.push({ price, quantity, orders: b.readUInt16LE(at + 18) });
  }
  return out;
}

/**
 * One binary packet, or null when it is not one (unknown mode, short) or carries no last price. Only what the
 * packet's mode carries is filled in; the rest stays null.
 */
export function readPacket(b: Buffer): SmartPacket | null {
  if (b.length < 51) return null;
  const mode = b.readUInt8(0);
  const size = PACKET_BYTES[mode];
  if (size === undefined || b.length < size) return null;
  const ltp = rupees(b.readBigInt64LE(43));
  if (ltp === null) return null;
  const nul = b.indexOf(0, 2);
  const tokenEnd = nul < 0 || nul > 27 ? 27 : nul;
  const tick: SmartPacket["tick"] = {
    ltp,
    prevClose: null,
    open: null,
    high: null,
    low: null,
    bid: null,
    bidQty: null,
    ask: null,
    askQty: null,
    depth: null,
    volume: null,
    oi: null,
  };
  if (mode >= 2) {
    tick.volume = count(b.readBigInt64LE(67));
    tick.open = rupees(b.readBigInt64LE(91));
    tick.high = rupees(b.readBigInt64LE(99));
    tick.low = rupees(b.readBigInt64LE(107));
    tick.prevClose = rupees(b.readBigInt64LE(115));
  }
  if (mode === 3) {
    tick.oi = count(b.readBigInt64LE(131));
    // Five bids then five asks, best first.
    const buy = levels(b, 147);
    const sell = levels(b, 247);
    setBook(tick, buy, sell);
  }
  return {
    mode,
    exchangeType: b.readUInt8(1),
    token: b.subarray(2, tokenEnd).toString("latin1"),
    exchangeTime: Number(b.readBigInt64LE(35)),
    tick,
  };
}

/** The normalised tick of a packet for the contract it was subscribed as. */
export function feedTick(p: SmartPacket, exchange: string, symbol: string, receivedAt: Date): FeedTick {
  const t = p.exchangeTime > 0 ? new Date(p.exchangeTime) : null;
  return {
    exchange,
    symbol,
    ...p.tick,
    exchangeTs: t && !Number.isNaN(t.getTime()) ? t.toISOString() : null,
    receivedAt: receivedAt.toISOString(),
  };
}

/** An order-status message: the status code and its `orderData` (an order-book row). */
export const orderStatusMessage = z.object({
  "order-status": z.string(),
  "error-message": z.string().nullish(),
  orderData: z.record(z.string(), z.unknown()).nullish(),
});

/**
 * The update in an order-status message's `orderData`, read as an order-book row (the same fields); null for the
 * greeting (`AB00`) and messages without an order id.
 */
export function mapOrderStatus(master: InstrumentMaster, msg: z.infer<typeof orderStatusMessage>): OrderUpdate | null {
  const row = msg.orderData;
  if (msg["order-status"] === "AB00" || !row || !row.orderid) return null;
  return orderUpdateOf(mapOrders(master, [row])[0]);
}
