/**
 * Turning a model price into what a broker shows: tick rounding, a bid/ask spread, queue sizes and a
 * five-level ladder. Quantities are deterministic functions of (seed, symbol, tick number), so a replay with the
 * same seed shows the same book.
 */
import type { Depth, DepthLevel, Quote } from "@/lib/simulator/types";
import { hashUnit } from "./prng";

/** Rounds to the nearest tick. Dividing an integer by 1/tick gives the shortest decimal float (123.45, not 123.4500001). */
export function roundTick(price: number, tick = 0.05): number {
  const inv = Math.round(1 / tick);
  return Math.round(price * inv) / inv;
}
export function floorTick(price: number, tick = 0.05): number {
  const inv = Math.round(1 / tick);
  return Math.floor(price * inv + 1e-9) / inv;
}
export function ceilTick(price: number, tick = 0.05): number {
  const inv = Math.round(1 / tick);
  return Math.ceil(price * inv - 1e-9) / inv;
}

export interface SpreadInput {
  ltp: number;
  /** Half-spread as a fraction of price before the tick floor. */
  halfSpreadFraction: number;
  /** Minimum half-spread in ticks. */
  minHalfTicks: number;
  tick: number;
  /** Quantity unit of the book (lot size). */
  lot: number;
  /** Hash inputs that make queue sizes stable per tick. */
  seedHash: number;
  symbolHash: number;
  seq: number;
}

export interface BookTop {
  bid: number;
  ask: number;
  bidQty: number;
  askQty: number;
}

/** Bid/ask around the ltp with bid ≤ ltp ≤ ask, bid never below one tick (options cannot trade at 0). */
export function bookTop(i: SpreadInput): BookTop {
  const half = Math.max(i.ltp * i.halfSpreadFraction, i.minHalfTicks * i.tick);
  const bid = Math.min(i.ltp, Math.max(i.tick, floorTick(i.ltp - half, i.tick)));
  const ask = Math.max(i.ltp, ceilTick(i.ltp + half, i.tick));
  return {
    bid,
    ask,
    bidQty: i.lot * (1 + Math.floor(hashUnit(i.seedHash, i.symbolHash, i.seq, 1) * 40)),
    askQty: i.lot * (1 + Math.floor(hashUnit(i.seedHash, i.symbolHash, i.seq, 2) * 40)),
  };
}

/**
 * Half-spread fraction for an option: widens with |standardised moneyness| and for cheap premiums
 * (a ₹3 option trades a tick or two wide, i.e. several percent).
 */
export function optionHalfSpreadFraction(moneyness: number, premium: number): number {
  const wing = 0.0015 + 0.0015 * Math.min(Math.abs(moneyness), 4);
  return premium < 5 ? wing + 0.02 : premium < 20 ? wing + 0.004 : wing;
}

/** Five levels each side from the top of book; levels that would go below one tick are padded with zeros. */
export function depthOf(q: Quote, tick: number, lot: number, seedHash: number, symbolHash: number, seq: number): Depth {
  const bids: DepthLevel[] = [];
  const asks: DepthLevel[] = [];
  const inv = Math.round(1 / tick);
  for (let level = 0; level < 5; level++) {
    const bq = level === 0 ? q.bidQty : lot * (1 + Math.floor(hashUnit(seedHash, symbolHash, seq, 10 + level) * 60));
    const aq = level === 0 ? q.askQty : lot * (1 + Math.floor(hashUnit(seedHash, symbolHash, seq, 20 + level) * 60));
    const bidPrice = Math.round(q.bid * inv - level) / inv;
    bids.push(
      bidPrice >= tick && q.bid > 0
        ? { price: bidPrice, quantity: bq, orders: Math.max(1, Math.ceil(bq / lot / 4)) }
        : { price: 0, quantity: 0, orders: 0 },
    );
    const askPrice = Math.round(q.ask * inv + level) / inv;
    asks.push(
      q.ask > 0
        ? { price: askPrice, quantity: aq, orders: Math.max(1, Math.ceil(aq / lot / 4)) }
        : { price: 0, quantity: 0, orders: 0 },
    );
  }
  return { bids, asks, quote: q };
}
