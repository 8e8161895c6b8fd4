/**
 * The simulated Upstox instrument master (docs/brokers/upstox.md "Instrument master"): the market's instruments as
 * Upstox's BOD JSON rows (`complete.json.gz`), and the index from Upstox's `instrument_key` (`NSE_FO|<token>`,
 * `NSE_INDEX|Nifty 50`, `NSE_EQ|<ISIN>`) back to the simulator's instrument.
 */
import { gzipSync } from "node:zlib";
import type { Exchange, Instrument, MarketView } from "@/lib/simulator/types";
import { istDateOf } from "@/lib/trading/calendar";

/** Upstox's segment code of each simulated exchange. */
const SEGMENT: Partial<Record<Exchange, string>> = {
  NSE: "NSE_EQ",
  BSE: "BSE_EQ",
  NFO: "NSE_FO",
  BFO: "BSE_FO",
  NSE_INDEX: "NSE_INDEX",
  BSE_INDEX: "BSE_INDEX",
  MCX: "MCX_FO",
  CDS: "NCD_FO",
  BCD: "BCD_FO",
};

/** Upstox names indices by their exchange names in the key (`NSE_INDEX|Nifty 50`), not by the trading symbol. */
const INDEX_NAMES: Record<string, string> = {
  NIFTY: "Nifty 50",
  BANKNIFTY: "Nifty Bank",
  FINNIFTY: "Nifty Fin Service",
  MIDCPNIFTY: "NIFTY MID SELECT",
  SENSEX: "SENSEX",
  BANKEX: "BANKEX",
};

export type UpstoxRow = Record<string, string | number | boolean>;

export interface UpstoxIndex {
  day: string;
  rows: UpstoxRow[];
  gz: Buffer;
  byKey: Map<string, Instrument>;
  keyOf: Map<string, string>;
  /** Upstox's trading symbol of an instrument (the master's `trading_symbol`). */
  symbolOf: Map<string, string>;
}

const ref = (i: { symbol: string; exchange: string }) => `${i.exchange}:${i.symbol}`;
const paise = (rupees: number) => Math.round(rupees * 100);
/** Upstox states a contract's expiry as the last millisecond-second of its IST expiry day. */
const expiryMs = (isoDate: string) => Date.parse(`${isoDate}T23:59:59+05:30`);

/** A stable ISIN-shaped id per company (the simulator has no ISINs): same on NSE and BSE, as Upstox's keys are. */
function isinOf(symbol: string): string {
  let h = 7;
  for (const c of symbol) h = (h * 31 + c.charCodeAt(0)) % 99_991;
  return `INE${String(h).padStart(5, "0")}A01${h % 10}`;
}

function indexKey(symbol: string, exchange: Exchange): string {
  return `${SEGMENT[exchange]}|${INDEX_NAMES[symbol] ?? symbol}`;
}

function keyOf(i: Instrument): string | undefined {
  const seg = SEGMENT[i.exchange];
  if (!seg) return undefined;
  if (i.instrumenttype === "INDEX") return indexKey(i.symbol, i.exchange);
  if (i.instrumenttype === "EQ") return `${seg}|${isinOf(i.symbol)}`;
  return `${seg}|${i.token}`;
}

/** Option expiries that are the last of their month per underlying and exchange (monthly); the rest are weekly. */
function monthlyExpiries(all: Instrument[]): Set<string> {
  const last = new Map<string, string>();
  for (const i of all) {
    if (i.expiryTs === null || (i.instrumenttype !== "CE" && i.instrumenttype !== "PE")) continue;
    const date = istDateOf(i.expiryTs);
    const k = `${i.exchange}:${i.underlying}:${date.slice(0, 7)}`;
    if ((last.get(k) ?? "") < date) last.set(k, date);
  }
  return new Set([...last].map(([k, d]) => `${k.split(":").slice(0, 2).join(":")}:${d}`));
}

function row(i: Instrument, key: string, monthly: Set<string>): UpstoxRow {
  const seg = SEGMENT[i.exchange]!;
  const exchange = seg.split("_")[0] === "NCD" ? "NSE" : seg.split("_")[0] === "BCD" ? "BSE" : seg.split("_")[0];
  if (i.instrumenttype === "INDEX")
    return {
      segment: seg,
      name: INDEX_NAMES[i.symbol] ?? i.name,
      exchange,
      instrument_type: "INDEX",
      instrument_key: key,
      exchange_token: i.token,
      trading_symbol: i.symbol,
    };
  if (i.instrumenttype === "EQ")
    return {
      segment: seg,
      name: i.name,
      exchange,
      isin: key.split("|")[1],
      instrument_type: "EQ",
      instrument_key: key,
      lot_size: i.lotsize,
      freeze_quantity: 100000,
      exchange_token: i.token,
      tick_size: paise(i.tickSize),
      trading_symbol: i.symbol,
      short_name: i.name,
      security_type: "NORMAL",
    };
  const date = istDateOf(i.expiryTs!);
  const isOption = i.instrumenttype !== "FUT";
  const indexExchange: Exchange = i.exchange === "BFO" ? "BSE_INDEX" : "NSE_INDEX";
  return {
    weekly: isOption && !monthly.has(`${i.exchange}:${i.underlying}:${date}`),
    segment: seg,
    name: i.underlying,
    exchange,
    expiry: expiryMs(date),
    instrument_type: i.instrumenttype,
    underlying_symbol: i.underlying,
    instrument_key: key,
    lot_size: i.lotsize,
    freeze_quantity: i.freezeQty,
    exchange_token: i.token,
    minimum_lot: i.lotsize,
    underlying_key: indexKey(i.underlying, indexExchange),
    tick_size: paise(i.tickSize),
    underlying_type: "INDEX",
    trading_symbol: i.brsymbol,
    strike_price: isOption ? i.strike : 0,
  };
}

const cache = new WeakMap<MarketView, UpstoxIndex>();

/** The day's master of a market (rebuilt when the simulated IST day changes: contracts expire and list). */
export function upstoxIndex(market: MarketView): UpstoxIndex {
  const day = istDateOf(market.clock.now());
  const hit = cache.get(market);
  if (hit && hit.day === day) return hit;
  const all = market.instruments();
  const monthly = monthlyExpiries(all);
  const rows: UpstoxRow[] = [];
  const byKey = new Map<string, Instrument>();
  const keys = new Map<string, string>();
  const symbolOf = new Map<string, string>();
  for (const i of all) {
    const key = keyOf(i);
    if (!key) continue;
    const r = row(i, key, monthly);
    rows.push(r);
    byKey.set(key, i);
    keys.set(ref(i), key);
    symbolOf.set(ref(i), String(r.trading_symbol));
  }
  const index: UpstoxIndex = { day, rows, gz: gzipSync(JSON.stringify(rows)), byKey, keyOf: keys, symbolOf };
  cache.set(market, index);
  return index;
}

/** Upstox's segment of an exchange (`NFO` → `NSE_FO`). */
export function segmentOf(exchange: string): string {
  return SEGMENT[exchange as Exchange] ?? exchange;
}

/** The instrument key and trading symbol of an engine row (`symbol`, `exchange`), or empty strings when unlisted. */
export function describe(index: UpstoxIndex, symbol: string, exchange: string): { key: string; tradingSymbol: string } {
  const r = ref({ symbol, exchange });
  return { key: index.keyOf.get(r) ?? "", tradingSymbol: index.symbolOf.get(r) ?? symbol };
}
