/**
 * Live state of the quoted underlyings (indices and equities): a geometric Brownian motion per symbol with the
 * day's open/high/low/previous close and volume.
 */
import type { Exchange, Quote } from "@/lib/simulator/types";
import type { SpotSeed } from "./catalog";
import { hashString, hashUnit } from "./prng";
import { bookTop, roundTick } from "./quote-shape";

/** Trading time per year used to scale the walk: 252 sessions of 375 minutes. */
export const TRADING_YEAR_MS = 252 * 375 * 60_000;

export interface SpotState {
  readonly seed: SpotSeed;
  readonly symbolHash: number;
  /** Unrounded walk level; `ltp` is this rounded to the tick. */
  raw: number;
  ltp: number;
  /** Annualised volatility (fraction), drives the walk and the ATM implied vol. */
  vol: number;
  open: number;
  high: number;
  low: number;
  prevClose: number;
  /** Units traded today (0 for indices). */
  volume: number;
  /** Epoch ms of the last change. */
  ts: number;
  /** Tick number of the last change. */
  seq: number;
  /** Last quote per listing exchange (equities are quoted on NSE and BSE), valid while `seq` is unchanged. */
  quoteCache: Map<Exchange, { seq: number; quote: Quote }>;
}

export function createSpotState(seed: SpotSeed, now: number): SpotState {
  const ltp = roundTick(seed.spot);
  return {
    seed,
    symbolHash: hashString(seed.symbol),
    raw: seed.spot,
    ltp,
    vol: seed.vol,
    open: ltp,
    high: ltp,
    low: ltp,
    prevClose: ltp,
    volume: 0,
    ts: now,
    seq: 0,
    quoteCache: new Map(),
  };
}

/** One GBM step over `dtYears` of trading time with standard normal shock `z`; volume grows for equities. */
export function stepSpot(s: SpotState, z: number, dtYears: number, volumeDraw: number, now: number, seq: number): void {
  s.raw *= Math.exp(-0.5 * s.vol * s.vol * dtYears + s.vol * Math.sqrt(dtYears) * z);
  applyLtp(s, roundTick(s.raw), now, seq);
  if (s.seed.kind === "EQ") s.volume += 1 + Math.floor(volumeDraw * 2_000);
}

/** Moves the price to `price` now (control API). */
export function setSpotPrice(s: SpotState, price: number, now: number, seq: number): void {
  if (!Number.isFinite(price) || price <= 0) throw new RangeError(`Spot must be a positive price, got ${price}`);
  s.raw = price;
  applyLtp(s, roundTick(price), now, seq);
}

function applyLtp(s: SpotState, ltp: number, now: number, seq: number): void {
  s.ltp = ltp;
  if (ltp > s.high) s.high = ltp;
  if (ltp < s.low) s.low = ltp;
  s.ts = now;
  s.seq = seq;
}

/** Starts a new session: yesterday's last price becomes the previous close and today's open (cached quotes go). */
export function rollSpotDay(s: SpotState): void {
  s.prevClose = s.ltp;
  s.open = s.ltp;
  s.high = s.ltp;
  s.low = s.ltp;
  s.volume = 0;
  s.quoteCache.clear();
}

/** Quote of the underlying on one of its listings (equities are quoted on NSE and BSE from one state). */
export function spotQuote(s: SpotState, exchange: Exchange, seedHash: number): Quote {
  const cached = s.quoteCache.get(exchange);
  if (cached && cached.seq === s.seq) return cached.quote;
  const top = bookTop({
    ltp: s.ltp,
    halfSpreadFraction: s.seed.kind === "EQ" ? 0.0001 : 0,
    minHalfTicks: 1,
    tick: 0.05,
    lot: 1,
    seedHash,
    symbolHash: s.symbolHash,
    seq: s.seq,
  });
  const scale = s.seed.kind === "EQ" ? 1 + Math.floor(hashUnit(seedHash, s.symbolHash, s.seq, 3) * 50) : 1;
  const quote: Quote = Object.freeze({
    symbol: s.seed.symbol,
    exchange,
    ltp: s.ltp,
    open: s.open,
    high: s.high,
    low: s.low,
    prevClose: s.prevClose,
    bid: top.bid,
    ask: top.ask,
    bidQty: top.bidQty * scale,
    askQty: top.askQty * scale,
    volume: s.volume,
    oi: 0,
    ts: s.ts,
  });
  s.quoteCache.set(exchange, { seq: s.seq, quote });
  return quote;
}
