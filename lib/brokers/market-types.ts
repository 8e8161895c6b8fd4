/**
 * Market-data and reference types of the BrokerAdapter contract (lib/brokers/types.ts): quotes, depth, symbol
 * reference data and option chains. Prices are `Decimal`; quantities, volumes and open interest are integers.
 */
import type Decimal from "decimal.js";

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
