/**
 * Market-data and reference types of the BrokerAdapter contract (lib/brokers/types.ts): quotes, depth, symbol
 * reference data and option chains. Prices are `Decimal`; quantities, volumes and open interest are integers.
 */
import type Decimal from "decimal.js";

// The market calendar's shapes belong to the pure core (lib/trading/session-sources.ts), which turns them into sessions.
export type { MarketHoliday, SessionTiming } from "@/lib/trading/session-sources";

/** Exchange codes as OpenAlgo names them (segments, plus the index quote exchanges). */
export type Exchange =
  | "NSE"
  | "BSE"
  | "NFO"
  | "BFO"
  | "CDS"
  | "BCD"
  | "MCX"
  | "NCDEX"
  | "NCO"
  | "NSE_INDEX"
  | "BSE_INDEX"
  | "MCX_INDEX"
  | "GLOBAL_INDEX"
  | "CRYPTO";

/** A snapshot quote. */
export interface Quote {
  ltp: Decimal;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  prevClose: Decimal;
  /** Best bid; null when the broker sends 0 (no bid). */
  bid: Decimal | null;
  /** Best ask; null when the broker sends 0 (no ask). */
  ask: Decimal | null;
  volume: number;
  oi: number;
}

export interface DepthLevel {
  price: Decimal;
  quantity: number;
}

/** Market depth. The broker's `{price:0, quantity:0}` padding levels are dropped. */
export interface Depth {
  ltp: Decimal;
  /** Best first. */
  bids: DepthLevel[];
  /** Best first. */
  asks: DepthLevel[];
  totalBuyQuantity: number;
  totalSellQuantity: number;
}

/** Reference data of one symbol. */
export interface SymbolInfo {
  symbol: string;
  exchange: Exchange;
  /** Underlying or company name. */
  name: string;
  brokerSymbol: string;
  token: string;
  /** Broker-specific type text (`EQ`, `INDEX`, `FUT`, `CE`, `PE`, `OPTIDX`, ...). */
  instrumentType: string;
  /** Expiry as an ISO date, null for instruments without one. */
  expiry: string | null;
  /** Strike, null for non-options. */
  strike: Decimal | null;
  /** Units per lot; order quantities must be multiples of it. */
  lotSize: number;
  /** Largest quantity per order, units; null when the broker does not know it (OpenAlgo sends 1) — not a limit. */
  freezeQty: number | null;
  /** Price step, rupees. */
  tickSize: Decimal;
}

export type InstrumentKind = "options" | "futures";

export interface OptionLeg {
  symbol: string;
  /** `ATM`, `ITMn` or `OTMn`. */
  label: string;
  ltp: Decimal;
  bid: Decimal | null;
  ask: Decimal | null;
  volume: number;
  oi: number;
  lotSize: number;
  tickSize: Decimal;
}

export interface OptionChainRow {
  strike: Decimal;
  ce: OptionLeg | null;
  pe: OptionLeg | null;
}

export interface OptionChain {
  underlying: string;
  underlyingLtp: Decimal;
  /** ISO date. */
  expiry: string;
  atmStrike: Decimal;
  /** Ascending by strike. */
  rows: OptionChainRow[];
}

/** Market-data stream modes: 1 LTP, 2 quote (OHLC, volume, OI), 3 depth (five levels each side with sizes). */
export type FeedMode = 1 | 2 | 3;

/** One contract on a market-data stream, at the mode it is (to be) subscribed in. */
export interface FeedItem {
  exchange: string;
  symbol: string;
  mode: FeedMode;
}

/** One level of a streamed order book (prices as decimal strings). */
export interface FeedLevel {
  price: string;
  quantity: number;
  orders: number | null;
}

/**
 * One tick of a market-data stream, normalised: prices as decimal strings (they travel as JSON to Redis and
 * browsers), null for everything the broker did not send. Nothing is invented: no bid without a book or a bid field.
 */
export interface FeedTick {
  exchange: string;
  symbol: string;
  ltp: string;
  prevClose: string | null;
  open: string | null;
  high: string | null;
  low: string | null;
  bid: string | null;
  bidQty: number | null;
  ask: string | null;
  askQty: number | null;
  depth: { buy: FeedLevel[]; sell: FeedLevel[] } | null;
  volume: number | null;
  oi: number | null;
  /** Exchange time of the tick (ISO, UTC), when the broker sends one. */
  exchangeTs: string | null;
  /** When this process received it (ISO, UTC). */
  receivedAt: string;
}

/** What a subscribe request achieved: contracts the broker refused (unknown symbol, …) with its reason. */
export interface FeedSubscribeResult {
  refused: { exchange: string; symbol: string; reason: string }[];
}

/** An open, authenticated market-data stream of one account. */
export interface MarketFeed {
  /** `host:port` of the stream (status display; never the key). */
  readonly host: string;
  /** Subscribes `items` (each at its own mode); resolves once the broker acknowledged every batch. */
  subscribe(items: readonly FeedItem[]): Promise<FeedSubscribeResult>;
  /** Unsubscribes `items`, each at the mode it was subscribed in. */
  unsubscribe(items: readonly FeedItem[]): Promise<void>;
  /** Closes the stream; `onClose` is not called for a close asked for here. */
  close(): Promise<void>;
}

export interface MarketFeedHandlers {
  onTick(tick: FeedTick): void;
  /** The stream ended without `close()` (dropped, refused, silent past the heartbeat): open a new one. */
  onClose(error: Error): void;
}

export interface MarketFeedTimings {
  /** Time allowed to connect and authenticate, ms. */
  setupTimeoutMs?: number;
  /** A JSON ping is sent this often and must be answered before the next one, ms. */
  heartbeatMs?: number;
}
