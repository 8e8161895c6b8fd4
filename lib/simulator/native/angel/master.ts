/**
 * The simulated Angel One scrip master (docs/brokers/angel.md "Instrument master"): the market's instruments in the
 * shape of Angel's `OpenAPIScripMaster.json` — one JSON array of objects whose values are all strings, strikes and
 * tick sizes in paise with six decimals, expiries as `DDMMMYYYY`, indices as `AMXIDX` rows on the cash segment with
 * a `999` token prefix — plus the index back from Angel's (segment, token) to the engine's symbol.
 */
import type { Instrument, MarketView } from "@/lib/simulator/types";
import { istDateOf } from "@/lib/trading/calendar";
import { formatExpiry, parseExpiry } from "@/lib/trading/symbols";

export interface AngelScrip {
  token: string;
  symbol: string;
  name: string;
  expiry: string;
  strike: string;
  lotsize: string;
  instrumenttype: string;
  exch_seg: string;
  tick_size: string;
}

/** Angel's display names of the index rows (their `symbol`); `name` carries the underlying. */
const INDEX_NAMES: Record<string, string> = {
  NIFTY: "Nifty 50",
  BANKNIFTY: "Nifty Bank",
  FINNIFTY: "Nifty Fin Service",
  MIDCPNIFTY: "NIFTY MID SELECT",
  SENSEX: "SENSEX",
};

const paise = (rupees: number) => Math.round(rupees * 100).toFixed(6);

function segmentOf(i: Instrument): string | undefined {
  switch (i.exchange) {
    case "NSE":
    case "NSE_INDEX":
      return "NSE";
    case "BSE":
    case "BSE_INDEX":
      return "BSE";
    case "NFO":
    case "BFO":
    case "MCX":
    case "CDS":
      return i.exchange;
    default:
      return undefined;
  }
}

function scripOf(i: Instrument): AngelScrip | undefined {
  const seg = segmentOf(i);
  if (!seg) return undefined;
  const base = { lotsize: String(i.lotsize), exch_seg: seg, tick_size: paise(i.tickSize) };
  if (i.instrumenttype === "INDEX")
    return {
      ...base,
      token: `999${i.token}`,
      symbol: INDEX_NAMES[i.symbol] ?? i.symbol,
      name: i.symbol,
      expiry: "",
      strike: "0.000000",
      instrumenttype: "AMXIDX",
      tick_size: "0.000000",
    };
  if (i.instrumenttype === "EQ")
    return {
      ...base,
      token: i.token,
      symbol: seg === "NSE" ? `${i.symbol}-EQ` : i.symbol,
      name: i.symbol,
      expiry: "",
      strike: "-1.000000",
      instrumenttype: "",
    };
  const iso = parseExpiry(i.expiry);
  if (!iso) return undefined;
  const short = formatExpiry(iso, "DDMMMYY");
  const long = short.slice(0, 5) + iso.slice(0, 4);
  const fut = i.instrumenttype === "FUT";
  return {
    ...base,
    token: i.token,
    symbol: fut ? `${i.underlying}${short}FUT` : `${i.underlying}${short}${i.strike}${i.instrumenttype}`,
    name: i.underlying,
    expiry: long,
    strike: fut ? "-1.000000" : paise(i.strike),
    instrumenttype: fut ? "FUTIDX" : "OPTIDX",
  };
}

export interface AngelMaster {
  rows: AngelScrip[];
  /** The engine's instrument of an Angel (segment, token). */
  byToken(segment: string, token: string): { scrip: AngelScrip; instrument: Instrument } | undefined;
  /** The Angel row of an engine symbol. */
  bySymbol(symbol: string, exchange: string): AngelScrip | undefined;
}

const cache = new WeakMap<MarketView, { day: string; size: number; master: AngelMaster }>();

/** The master of the market's current listing, rebuilt when the simulated IST day or the listing changes. */
export function angelMaster(market: MarketView): AngelMaster {
  const day = istDateOf(market.clock.now());
  const size = market.instruments().length;
  const hit = cache.get(market);
  if (hit && hit.day === day && hit.size === size) return hit.master;
  const master = buildMaster(market);
  cache.set(market, { day, size, master });
  return master;
}

function buildMaster(market: MarketView): AngelMaster {
  const rows: AngelScrip[] = [];
  const tokens = new Map<string, { scrip: AngelScrip; instrument: Instrument }>();
  const symbols = new Map<string, AngelScrip>();
  for (const instrument of market.instruments()) {
    const scrip = scripOf(instrument);
    if (!scrip) continue;
    rows.push(scrip);
    tokens.set(`${scrip.exch_seg}:${scrip.token}`, { scrip, instrument });
    symbols.set(`${instrument.exchange}:${instrument.symbol}`, scrip);
  }
  return {
    rows,
    byToken: (segment, token) => tokens.get(`${segment}:${token}`),
    bySymbol: (symbol, exchange) => symbols.get(`${exchange}:${symbol}`),
  };
}
