/**
 * The simulated Fyers symbology (docs/brokers/fyers.md "Symbols"): every instrument of the simulated market gets the
 * ticker, fyToken and master entry Fyers would give it, and a per-day index turns tickers back into the engine's
 * OpenAlgo symbols.
 */
import type { Exchange, Instrument, MarketView } from "@/lib/simulator/types";
import { istDateOf } from "@/lib/trading/calendar";

/** Fyers' exchange and segment numbers. */
export const FY_EXCHANGE = { NSE: 10, MCX: 11, BSE: 12 } as const;
export const FY_SEGMENT = { CM: 10, FO: 11, CD: 12, COM: 20 } as const;

/** Fyers' own index names where they differ from OpenAlgo's. */
const INDEX_NAMES: Readonly<Record<string, string>> = {
  NIFTY: "NIFTY50",
  BANKNIFTY: "NIFTYBANK",
  NIFTYNXT50: "NIFTYNXT50",
  INDIAVIX: "INDIAVIX",
};

/** Weekly option month letters: 1-9 for January to September, then O, N, D. */
const WEEKLY_MONTH = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "O", "N", "D"];
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const MONTHS_TITLE = MONTHS.map((m) => m[0] + m.slice(1).toLowerCase());

/** One row of Fyers' symbol master, as the JSON master names its keys. */
export interface FyersMasterEntry {
  fyToken: string;
  isin: string;
  symDetails: string;
  symTicker: string;
  minLotSize: number;
  tickSize: number;
  tradingSession: string;
  lastUpdate: string;
  expiryDate: string;
  strikePrice: number;
  optType: "CE" | "PE" | "XX";
  underSym: string;
  underFyTok: string;
  exSymbol: string;
  exSeries: string;
  exToken: number;
  exchange: number;
  segment: number;
  exInstType: number;
  upperPrice: number;
  lowerPrice: number;
  qtyFreeze: string;
  tradeStatus: number;
  currencyCode: string;
  originalExpDate: string | null;
  is_mtf_tradable: number;
  mtf_margin: number;
  exchangeName: string;
  symbolDesc: string;
}

export interface FyersSymbol {
  instrument: Instrument;
  entry: FyersMasterEntry;
  /** The master file it is listed in (`NSE_FO`, `BSE_CM`, ...). */
  file: string;
}

const FO_EXCHANGES: ReadonlySet<Exchange> = new Set(["NFO", "BFO"]);

function isoOf(epochMs: number): string {
  return istDateOf(epochMs);
}

function file(inst: Instrument): string | undefined {
  switch (inst.exchange) {
    case "NFO":
      return "NSE_FO";
    case "BFO":
      return "BSE_FO";
    case "NSE":
    case "NSE_INDEX":
      return "NSE_CM";
    case "BSE":
    case "BSE_INDEX":
      return "BSE_CM";
    default:
      return undefined;
  }
}

/** Monthly expiries: the last listed option (or future) expiry of each calendar month, per underlying. */
function monthlyExpiries(instruments: readonly Instrument[]): Set<string> {
  const last = new Map<string, string>();
  for (const i of instruments) {
    if (!FO_EXCHANGES.has(i.exchange) || i.expiryTs === null) continue;
    const iso = isoOf(i.expiryTs);
    const k = `${i.exchange}:${i.underlying}:${iso.slice(0, 7)}`;
    const seen = last.get(k);
    if (!seen || iso > seen) last.set(k, iso);
  }
  return new Set([...last].map(([k, iso]) => `${k.slice(0, k.lastIndexOf(":"))}:${iso}`));
}

function ticker(inst: Instrument, monthly: boolean): string {
  const ex = inst.exchange.startsWith("BSE") || inst.exchange === "BFO" ? "BSE" : "NSE";
  if (inst.instrumenttype === "INDEX") return `${ex}:${INDEX_NAMES[inst.symbol] ?? inst.symbol}-INDEX`;
  if (inst.instrumenttype === "EQ") return `${ex}:${inst.symbol}-${ex === "NSE" ? "EQ" : "A"}`;
  const iso = isoOf(inst.expiryTs!);
  const yy = iso.slice(2, 4);
  const month = Number(iso.slice(5, 7)) - 1;
  if (inst.instrumenttype === "FUT") return `${ex}:${inst.underlying}${yy}${MONTHS[month]}FUT`;
  const expiry = monthly ? `${yy}${MONTHS[month]}` : `${yy}${WEEKLY_MONTH[month]}${iso.slice(8, 10)}`;
  return `${ex}:${inst.underlying}${expiry}${inst.strike}${inst.instrumenttype}`;
}

function details(inst: Instrument): string {
  if (inst.instrumenttype === "INDEX" || inst.instrumenttype === "EQ") return inst.name;
  const iso = isoOf(inst.expiryTs!);
  const head = `${inst.underlying} ${iso.slice(2, 4)} ${MONTHS_TITLE[Number(iso.slice(5, 7)) - 1]} ${iso.slice(8, 10)}`;
  return inst.instrumenttype === "FUT" ? `${head} FUT` : `${head} ${inst.strike} ${inst.instrumenttype}`;
}

function instType(inst: Instrument): number {
  switch (inst.instrumenttype) {
    case "EQ":
      return 0;
    case "INDEX":
      return 10;
    case "FUT":
      return 11;
    default:
      return 14;
  }
}

function entryOf(inst: Instrument, monthly: boolean, indexTokens: Map<string, string>, day: string): FyersMasterEntry {
  const fo = FO_EXCHANGES.has(inst.exchange);
  const exchange = inst.exchange.startsWith("BSE") || inst.exchange === "BFO" ? FY_EXCHANGE.BSE : FY_EXCHANGE.NSE;
  const segment = fo ? FY_SEGMENT.FO : FY_SEGMENT.CM;
  const iso = inst.expiryTs === null ? null : isoOf(inst.expiryTs);
  // fyToken = exchange (2) + segment (2) + expiry YYMMDD (6, zeros without one) + the exchange's token.
  const yymmdd = iso ? iso.slice(2).replace(/-/g, "") : "000000";
  const fyToken = `${exchange}${segment}${yymmdd}${inst.token}`;
  const underlying = fo
    ? inst.underlying
    : inst.instrumenttype === "INDEX"
      ? (INDEX_NAMES[inst.symbol] ?? inst.symbol)
      : inst.symbol;
  return {
    fyToken,
    isin: inst.instrumenttype === "EQ" ? `INE${inst.token.padStart(6, "0")}01` : "",
    symDetails: details(inst),
    symTicker: ticker(inst, monthly),
    minLotSize: inst.lotsize,
    tickSize: inst.tickSize,
    tradingSession: "0915-1530|1815-1915:",
    lastUpdate: day,
    expiryDate: inst.expiryTs === null ? "" : String(Math.floor(inst.expiryTs / 1000)),
    strikePrice: inst.instrumenttype === "CE" || inst.instrumenttype === "PE" ? inst.strike : -1,
    optType: inst.instrumenttype === "CE" || inst.instrumenttype === "PE" ? inst.instrumenttype : "XX",
    underSym: underlying,
    underFyTok: fo ? (indexTokens.get(`${exchange}:${inst.underlying}`) ?? "") : "",
    exSymbol: fo ? inst.underlying : inst.symbol,
    exSeries: fo ? "XX" : inst.instrumenttype === "EQ" ? "EQ" : "INDEX",
    exToken: Number(inst.token),
    exchange,
    segment,
    exInstType: instType(inst),
    upperPrice: 0,
    lowerPrice: 0,
    qtyFreeze: fo ? String(inst.freezeQty) : "",
    tradeStatus: 1,
    currencyCode: "INR",
    originalExpDate: null,
    is_mtf_tradable: inst.instrumenttype === "EQ" ? 1 : 0,
    mtf_margin: 0,
    exchangeName: exchange === FY_EXCHANGE.BSE ? "BSE" : "NSE",
    symbolDesc: details(inst),
  };
}

export interface FyersSymbology {
  day: string;
  all: readonly FyersSymbol[];
  byTicker: ReadonlyMap<string, FyersSymbol>;
  /** By the engine's `${exchange}:${symbol}`. */
  byOpenAlgo: ReadonlyMap<string, FyersSymbol>;
}

const cache = new WeakMap<MarketView, FyersSymbology>();

/** The day's symbology of a simulated market (rebuilt when the simulated IST day changes). */
export function symbology(market: MarketView): FyersSymbology {
  const day = istDateOf(market.clock.now());
  const hit = cache.get(market);
  if (hit && hit.day === day) return hit;
  const instruments = market.instruments().filter((i) => file(i) !== undefined);
  const monthly = monthlyExpiries(instruments);
  const indexTokens = new Map<string, string>();
  for (const i of instruments)
    if (i.instrumenttype === "INDEX") {
      const ex = i.exchange === "BSE_INDEX" ? FY_EXCHANGE.BSE : FY_EXCHANGE.NSE;
      indexTokens.set(`${ex}:${i.symbol}`, `${ex}${FY_SEGMENT.CM}000000${i.token}`);
    }
  const all: FyersSymbol[] = instruments.map((i) => {
    const isMonthly = i.expiryTs !== null && monthly.has(`${i.exchange}:${i.underlying}:${isoOf(i.expiryTs)}`);
    return { instrument: i, entry: entryOf(i, isMonthly, indexTokens, day), file: file(i)! };
  });
  const built: FyersSymbology = {
    day,
    all,
    byTicker: new Map(all.map((s) => [s.entry.symTicker, s])),
    byOpenAlgo: new Map(all.map((s) => [`${s.instrument.exchange}:${s.instrument.symbol}`, s])),
  };
  cache.set(market, built);
  return built;
}

/** The header-less CSV master's 21 columns for one entry (docs/brokers/fyers.md "Instrument master"). */
export function csvLine(e: FyersMasterEntry): string {
  const strike = e.strikePrice.toFixed(1);
  return [
    e.fyToken,
    e.symDetails,
    e.exInstType,
    e.minLotSize,
    e.tickSize,
    e.isin,
    e.tradingSession,
    e.lastUpdate,
    e.expiryDate,
    e.symTicker,
    e.exchange,
    e.segment,
    e.exToken,
    e.underSym,
    e.underFyTok ? Number(e.underFyTok.slice(10)) : "",
    strike,
    e.optType,
    e.underFyTok,
    "None",
    "0",
    "0.0",
  ].join(",");
}
