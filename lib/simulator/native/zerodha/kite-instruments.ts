/**
 * The simulated market's instruments as Kite Connect names them (docs/brokers/zerodha.md "Instrument master"): Kite's
 * trading symbols (weekly options `NIFTY26D0824500CE`, monthly `NIFTY26DEC24500CE`, futures `NIFTY26DECFUT`, indices
 * `NIFTY 50`), segments (`NFO-OPT`, `INDICES`, ...), instrument tokens (exchange token × 256 + segment id) and the
 * instruments CSV, built from `MarketView.instruments()`.
 */
import type { Exchange, Instrument, MarketView } from "@/lib/simulator/types";

/** Kite's index trading symbols where they differ from OpenAlgo's index symbol. */
const INDEX_NAMES: Record<string, string> = {
  NIFTY: "NIFTY 50",
  BANKNIFTY: "NIFTY BANK",
  FINNIFTY: "NIFTY FIN SERVICE",
  MIDCPNIFTY: "NIFTY MID SELECT",
  INDIAVIX: "INDIA VIX",
};

/** Segment ids in the low byte of an instrument token. */
const SEGMENT_IDS: Record<string, number> = { NSE: 1, NFO: 2, CDS: 3, BSE: 4, BFO: 5, BCD: 6, MCX: 7, INDICES: 9 };

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
/** Weekly option month letters: 1-9 for January-September, O, N, D for October-December. */
const WEEKLY_MONTH = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "O", "N", "D"];

export interface KiteInstrument {
  instrumentToken: number;
  exchangeToken: number;
  tradingsymbol: string;
  /** Kite's exchange column (`NSE` for NSE indices too). */
  exchange: string;
  segment: string;
  instrumentType: string;
  /** ISO date or empty. */
  expiry: string;
  sim: Instrument;
}

function isoOf(ddMmmYy: string): string {
  const [dd, mmm, yy] = ddMmmYy.split("-");
  return `20${yy}-${String(MONTHS.indexOf(mmm.toUpperCase()) + 1).padStart(2, "0")}-${dd}`;
}

function kiteExchange(e: Exchange): string | undefined {
  if (e === "NSE_INDEX") return "NSE";
  if (e === "BSE_INDEX") return "BSE";
  return ["NSE", "BSE", "NFO", "BFO", "CDS", "BCD", "MCX"].includes(e) ? e : undefined;
}

function strikeText(strike: number): string {
  return String(strike);
}

/** Translates every instrument Kite would list; `monthly` says whether an option expiry is its month's last. */
function translate(i: Instrument, monthly: (i: Instrument) => boolean): KiteInstrument | undefined {
  const exchange = kiteExchange(i.exchange);
  const exchangeToken = Number(i.token);
  if (!exchange || !Number.isSafeInteger(exchangeToken)) return undefined;
  const expiry = i.expiry ? isoOf(i.expiry) : "";
  const yy = expiry.slice(2, 4);
  const month = Number(expiry.slice(5, 7)) - 1;
  let tradingsymbol: string;
  let segment: string;
  let instrumentType: string = i.instrumenttype;
  if (i.instrumenttype === "INDEX") {
    tradingsymbol = INDEX_NAMES[i.symbol] ?? i.symbol;
    segment = "INDICES";
    instrumentType = "EQ";
  } else if (i.instrumenttype === "EQ") {
    tradingsymbol = i.symbol;
    segment = exchange;
  } else if (i.instrumenttype === "FUT") {
    tradingsymbol = `${i.underlying}${yy}${MONTHS[month]}FUT`;
    segment = `${exchange}-FUT`;
  } else {
    const when = monthly(i) ? `${yy}${MONTHS[month]}` : `${yy}${WEEKLY_MONTH[month]}${expiry.slice(8, 10)}`;
    tradingsymbol = `${i.underlying}${when}${strikeText(i.strike)}${i.instrumenttype}`;
    segment = `${exchange}-OPT`;
  }
  const segmentId = SEGMENT_IDS[segment === "INDICES" ? "INDICES" : exchange];
  return {
    instrumentToken: exchangeToken * 256 + segmentId,
    exchangeToken,
    tradingsymbol,
    exchange,
    segment,
    instrumentType,
    expiry,
    sim: i,
  };
}

export interface KiteCatalog {
  list: readonly KiteInstrument[];
  /** By `EXCHANGE:TRADINGSYMBOL`. */
  byKey: ReadonlyMap<string, KiteInstrument>;
  byToken: ReadonlyMap<number, KiteInstrument>;
  /** By the simulator's `EXCHANGE:SYMBOL`. */
  bySim: ReadonlyMap<string, KiteInstrument>;
}

const catalogs = new WeakMap<MarketView, { stamp: string; catalog: KiteCatalog }>();

/** The market's instruments in Kite's terms, rebuilt when the listed instruments change (expiries roll). */
export function kiteCatalog(market: MarketView): KiteCatalog {
  const all = market.instruments();
  const stamp = `${all.length}:${all[all.length - 1]?.symbol ?? ""}:${all.find((i) => i.expiry)?.expiry ?? ""}`;
  const hit = catalogs.get(market);
  if (hit && hit.stamp === stamp) return hit.catalog;
  // An option expiry is monthly when a future of the same underlying expires that day (the month's last expiry).
  const futureDays = new Set(all.filter((i) => i.instrumenttype === "FUT").map((i) => `${i.underlying}|${i.expiry}`));
  const monthly = (i: Instrument) => futureDays.has(`${i.underlying}|${i.expiry}`);
  const list: KiteInstrument[] = [];
  for (const i of all) {
    const k = translate(i, monthly);
    if (k) list.push(k);
  }
  const catalog: KiteCatalog = {
    list,
    byKey: new Map(list.map((k) => [`${k.exchange}:${k.tradingsymbol}`, k])),
    byToken: new Map(list.map((k) => [k.instrumentToken, k])),
    bySim: new Map(list.map((k) => [`${k.sim.exchange}:${k.sim.symbol}`, k])),
  };
  catalogs.set(market, { stamp, catalog });
  return catalog;
}

const COLUMNS =
  "instrument_token,exchange_token,tradingsymbol,name,last_price,expiry,strike,tick_size,lot_size,instrument_type,segment,exchange";

function quoted(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** Kite's instruments CSV (optionally one exchange): names quoted, strikes in rupees, expiry `YYYY-MM-DD`. */
export function instrumentsCsv(catalog: KiteCatalog, exchange?: string): string {
  const lines = [COLUMNS];
  for (const k of catalog.list) {
    if (exchange && k.exchange !== exchange) continue;
    const i = k.sim;
    const index = k.segment === "INDICES";
    const name = index ? k.tradingsymbol : i.instrumenttype === "EQ" ? i.name : i.underlying;
    lines.push(
      [
        k.instrumentToken,
        k.exchangeToken,
        k.tradingsymbol,
        quoted(name),
        0,
        k.expiry,
        i.instrumenttype === "CE" || i.instrumenttype === "PE" ? strikeText(i.strike) : "0",
        index ? "0" : String(i.tickSize),
        index ? "0" : String(i.lotsize),
        k.instrumentType,
        k.segment,
        k.exchange,
      ].join(","),
    );
  }
  return lines.join("\n") + "\n";
}
