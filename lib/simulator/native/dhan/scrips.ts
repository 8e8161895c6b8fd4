/**
 * The simulated Dhan's instruments (docs/brokers/dhan.md "Instrument master"): every instrument of the simulated
 * market gets a Dhan exchange segment and security id, and the detailed scrip master CSV is generated from them in
 * Dhan's own shape (segment letters, `NIFTY-Dec2026-24500-CE` trading symbols, tick sizes in paise, strikes in rupees).
 *
 * The market's OpenAlgo tokens are not unique within a segment, so derivatives get their own ids: sequential in a
 * stable order (underlying, expiry, type, strike). The index is rebuilt when the instrument list changes (a new day).
 */
import type { Exchange, Instrument, MarketView } from "@/lib/simulator/types";

/** Dhan's exchange segment of each simulated exchange. */
const SEGMENT_OF: Partial<Record<Exchange, string>> = {
  NSE: "NSE_EQ",
  BSE: "BSE_EQ",
  NFO: "NSE_FNO",
  BFO: "BSE_FNO",
  MCX: "MCX_COMM",
  CDS: "NSE_CURRENCY",
  NSE_INDEX: "IDX_I",
  BSE_INDEX: "IDX_I",
};
/** The master's EXCH_ID and SEGMENT letter of each exchange. */
const CSV_CODES: Partial<Record<Exchange, [string, string]>> = {
  NSE: ["NSE", "E"],
  BSE: ["BSE", "E"],
  NFO: ["NSE", "D"],
  BFO: ["BSE", "D"],
  MCX: ["MCX", "M"],
  CDS: ["NSE", "C"],
  NSE_INDEX: ["NSE", "I"],
  BSE_INDEX: ["BSE", "I"],
};
/** Dhan's own security ids of the indices (so an index quote looks like the real one). */
const INDEX_IDS: Record<string, string> = {
  NIFTY: "13",
  BANKNIFTY: "25",
  FINNIFTY: "27",
  MIDCPNIFTY: "442",
  SENSEX: "51",
};
const INDICES = new Set(Object.keys(INDEX_IDS));
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const IST_OFFSET_MS = 19_800_000;

export interface Scrip {
  inst: Instrument;
  segment: string;
  securityId: string;
  tradingSymbol: string;
  /** ISO date of expiry (IST), null for equities and indices. */
  expiry: string | null;
  /** W or M for derivatives, NA otherwise. */
  expiryFlag: string;
}

export interface ScripIndex {
  all: readonly Scrip[];
  byId(segment: string, securityId: string): Scrip | undefined;
  of(inst: Instrument): Scrip | undefined;
}

const isoOf = (ms: number) => new Date(ms + IST_OFFSET_MS).toISOString().slice(0, 10);

function tradingSymbol(inst: Instrument, expiry: string | null): string {
  if (!expiry) return inst.symbol;
  const mon = `${MONTHS[Number(expiry.slice(5, 7)) - 1]}${expiry.slice(0, 4)}`;
  if (inst.instrumenttype === "FUT") return `${inst.underlying}-${mon}-FUT`;
  return `${inst.underlying}-${mon}-${inst.strike}-${inst.instrumenttype}`;
}

const cache = new WeakMap<MarketView, { count: number; first: string; index: ScripIndex }>();

/**
 * Ids handed out per market, by `exchange:symbol`. The listed strikes follow the spot, so the instrument list changes
 * as prices move; an id once given keeps its contract across rebuilds (a master read earlier still names the same
 * contracts), and a newly listed contract gets the next free one.
 */
interface Ids {
  bySymbol: Map<string, string>;
  next: number;
}
const issued = new WeakMap<MarketView, Ids>();

export function scripIndex(market: MarketView): ScripIndex {
  const list = market.instruments();
  const hit = cache.get(market);
  if (hit && hit.count === list.length && hit.first === list[0]?.symbol) return hit.index;
  let ids = issued.get(market);
  if (!ids) issued.set(market, (ids = { bySymbol: new Map(), next: 35_000 }));
  const index = buildIndex(list, ids);
  cache.set(market, { count: list.length, first: list[0]?.symbol ?? "", index });
  return index;
}

function buildIndex(list: readonly Instrument[], ids: Ids): ScripIndex {
  const idOf = (inst: Instrument) => {
    const key = `${inst.exchange}:${inst.symbol}`;
    let id = ids.bySymbol.get(key);
    if (id === undefined) ids.bySymbol.set(key, (id = String(ids.next++)));
    return id;
  };
  const scrips: Scrip[] = [];
  const derivatives = list
    .filter((i) => i.expiryTs !== null && SEGMENT_OF[i.exchange])
    .sort(
      (a, b) =>
        a.exchange.localeCompare(b.exchange) ||
        a.underlying.localeCompare(b.underlying) ||
        a.expiryTs! - b.expiryTs! ||
        a.instrumenttype.localeCompare(b.instrumenttype) ||
        a.strike - b.strike,
    );
  // The last expiry of a month, per underlying and exchange, is the monthly one.
  const lastOfMonth = new Map<string, string>();
  for (const i of derivatives) {
    const e = isoOf(i.expiryTs!);
    const k = `${i.exchange}:${i.underlying}:${e.slice(0, 7)}`;
    if ((lastOfMonth.get(k) ?? "") < e) lastOfMonth.set(k, e);
  }
  for (const inst of derivatives) {
    const expiry = isoOf(inst.expiryTs!);
    const monthly = lastOfMonth.get(`${inst.exchange}:${inst.underlying}:${expiry.slice(0, 7)}`) === expiry;
    scrips.push({
      inst,
      segment: SEGMENT_OF[inst.exchange]!,
      securityId: idOf(inst),
      tradingSymbol: tradingSymbol(inst, expiry),
      expiry,
      expiryFlag: monthly ? "M" : "W",
    });
  }
  for (const inst of list) {
    if (inst.expiryTs !== null || !SEGMENT_OF[inst.exchange]) continue;
    const isIndex = inst.instrumenttype === "INDEX";
    scrips.push({
      inst,
      segment: SEGMENT_OF[inst.exchange]!,
      securityId: isIndex ? (INDEX_IDS[inst.symbol] ?? idOf(inst)) : inst.token,
      tradingSymbol: inst.symbol,
      expiry: null,
      expiryFlag: "NA",
    });
  }
  const byId = new Map(scrips.map((s) => [`${s.segment}:${s.securityId}`, s]));
  const byInst = new Map(scrips.map((s) => [`${s.inst.exchange}:${s.inst.symbol}`, s]));
  return {
    all: scrips,
    byId: (segment, securityId) => byId.get(`${segment}:${securityId}`),
    of: (inst) => byInst.get(`${inst.exchange}:${inst.symbol}`),
  };
}

/** The detailed master's columns, in Dhan's order (the real file ends each line with a comma: an unnamed column). */
export const MASTER_COLUMNS = [
  "EXCH_ID",
  "SEGMENT",
  "SECURITY_ID",
  "ISIN",
  "INSTRUMENT",
  "UNDERLYING_SECURITY_ID",
  "UNDERLYING_SYMBOL",
  "SYMBOL_NAME",
  "DISPLAY_NAME",
  "INSTRUMENT_TYPE",
  "SERIES",
  "LOT_SIZE",
  "SM_EXPIRY_DATE",
  "STRIKE_PRICE",
  "OPTION_TYPE",
  "TICK_SIZE",
  "EXPIRY_FLAG",
  "BRACKET_FLAG",
  "COVER_FLAG",
  "ASM_GSM_FLAG",
  "ASM_GSM_CATEGORY",
  "BUY_SELL_INDICATOR",
  "BUY_CO_MIN_MARGIN_PER",
  "BUY_CO_SL_RANGE_MAX_PERC",
  "BUY_CO_SL_RANGE_MIN_PERC",
  "BUY_BO_MIN_MARGIN_PER",
  "BUY_BO_PROFIT_RANGE_MAX_PERC",
  "BUY_BO_PROFIT_RANGE_MIN_PERC",
  "MTF_LEVERAGE",
  "SM_UPPER_LIMIT",
  "SM_LOWER_LIMIT",
  "SM_FREEZE_QTY",
] as const;

const csvField = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

function instrumentName(s: Scrip): string {
  const { inst } = s;
  const onIndex = INDICES.has(inst.underlying);
  switch (inst.instrumenttype) {
    case "EQ":
      return "EQUITY";
    case "INDEX":
      return "INDEX";
    case "FUT":
      return onIndex ? "FUTIDX" : "FUTSTK";
    default:
      return onIndex ? "OPTIDX" : "OPTSTK";
  }
}

function displayName(s: Scrip): string {
  const { inst, expiry } = s;
  if (!expiry) return inst.name;
  const mon = MONTHS[Number(expiry.slice(5, 7)) - 1].toUpperCase();
  if (inst.instrumenttype === "FUT") return `${inst.underlying} ${mon} FUT`;
  return `${inst.underlying} ${expiry.slice(8, 10)} ${mon} ${inst.strike} ${inst.instrumenttype === "CE" ? "CALL" : "PUT"}`;
}

/** The detailed scrip master CSV (CRLF-free, header first). */
export function masterCsv(index: ScripIndex): string {
  const underlyingIds = new Map<string, string>();
  for (const s of index.all) if (s.inst.instrumenttype === "INDEX") underlyingIds.set(s.inst.symbol, s.securityId);
  for (const s of index.all)
    if (s.inst.instrumenttype === "EQ" && s.segment === "NSE_EQ") underlyingIds.set(s.inst.symbol, s.securityId);
  const lines = [MASTER_COLUMNS.join(",") + ","];
  for (const s of index.all) {
    const { inst } = s;
    const [exch, seg] = CSV_CODES[inst.exchange]!;
    const derivative = s.expiry !== null;
    const option = inst.instrumenttype === "CE" || inst.instrumenttype === "PE";
    const row: Record<(typeof MASTER_COLUMNS)[number], string> = {
      EXCH_ID: exch,
      SEGMENT: seg,
      SECURITY_ID: s.securityId,
      ISIN: inst.instrumenttype === "EQ" ? `INE${inst.token.padStart(6, "0")}01` : "NA",
      INSTRUMENT: instrumentName(s),
      UNDERLYING_SECURITY_ID: derivative ? (underlyingIds.get(inst.underlying) ?? "") : s.securityId,
      UNDERLYING_SYMBOL: derivative ? inst.underlying : inst.symbol,
      SYMBOL_NAME: derivative ? s.tradingSymbol : inst.name,
      DISPLAY_NAME: displayName(s),
      INSTRUMENT_TYPE: option
        ? "OP"
        : inst.instrumenttype === "FUT"
          ? "FUT"
          : inst.instrumenttype === "EQ"
            ? "ES"
            : "INDEX",
      SERIES: inst.instrumenttype === "EQ" ? "EQ" : "NA",
      LOT_SIZE: `${inst.lotsize}.0`,
      SM_EXPIRY_DATE: derivative ? `${s.expiry} 14:30:00` : "",
      STRIKE_PRICE: option ? inst.strike.toFixed(5) : "-0.01000",
      OPTION_TYPE: option ? inst.instrumenttype : "XX",
      // Paise, as Dhan's master states tick sizes.
      TICK_SIZE: (inst.tickSize * 100).toFixed(4),
      EXPIRY_FLAG: s.expiryFlag,
      BRACKET_FLAG: "N",
      COVER_FLAG: "N",
      ASM_GSM_FLAG: "N",
      ASM_GSM_CATEGORY: "NA",
      BUY_SELL_INDICATOR: "A",
      BUY_CO_MIN_MARGIN_PER: "0.00",
      BUY_CO_SL_RANGE_MAX_PERC: "0.00",
      BUY_CO_SL_RANGE_MIN_PERC: "0.00",
      BUY_BO_MIN_MARGIN_PER: "0.00",
      BUY_BO_PROFIT_RANGE_MAX_PERC: "0.00",
      BUY_BO_PROFIT_RANGE_MIN_PERC: "0.00",
      MTF_LEVERAGE: "0.00",
      SM_UPPER_LIMIT: "",
      SM_LOWER_LIMIT: "",
      SM_FREEZE_QTY: inst.freezeQty > 1 ? String(inst.freezeQty) : "0",
    };
    lines.push(MASTER_COLUMNS.map((c) => csvField(row[c])).join(",") + ",");
  }
  return lines.join("\n") + "\n";
}
