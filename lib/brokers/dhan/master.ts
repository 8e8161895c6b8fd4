/**
 * Dhan's detailed scrip master (`api-scrip-master-detailed.csv`) → MasterRows (docs/brokers/dhan.md "Instrument
 * master"). Columns are read by header name. Units: strikes in rupees, TICK_SIZE in paise, LOT_SIZE a decimal text
 * (`65.0`), SM_EXPIRY_DATE `YYYY-MM-DD` optionally followed by a time; SM_FREEZE_QTY the largest quantity per order.
 *
 * The OpenAlgo symbol is built from UNDERLYING_SYMBOL, the expiry, the strike and OPTION_TYPE — never from Dhan's
 * trading symbol, whose month-only form (`NIFTY-Dec2026-24500-CE`) is the same for a weekly and the monthly contract.
 */
import Papa from "papaparse";
import Decimal from "decimal.js";
import type { MasterRow } from "@/lib/brokers/instruments";
import type { Exchange } from "@/lib/brokers/market-types";
import { futureSymbol, optionSymbol } from "@/lib/trading/symbols";

/**
 * OpenAlgo exchange and Dhan exchange segment of each EXCH_ID + SEGMENT letter pair (the order-update stream names
 * instruments by the same pair).
 */
export const SEGMENTS: Record<string, { exchange: Exchange; segment: string }> = {
  "NSE:E": { exchange: "NSE", segment: "NSE_EQ" },
  "BSE:E": { exchange: "BSE", segment: "BSE_EQ" },
  "NSE:D": { exchange: "NFO", segment: "NSE_FNO" },
  "BSE:D": { exchange: "BFO", segment: "BSE_FNO" },
  "NSE:I": { exchange: "NSE_INDEX", segment: "IDX_I" },
  "BSE:I": { exchange: "BSE_INDEX", segment: "IDX_I" },
  "MCX:M": { exchange: "MCX", segment: "MCX_COMM" },
  "NSE:C": { exchange: "CDS", segment: "NSE_CURRENCY" },
  "BSE:C": { exchange: "BCD", segment: "BSE_CURRENCY" },
};

/** CSV text as rows of fields (RFC 4180 quotes; blank lines skipped). */
export function parseCsv(text: string): string[][] {
  return Papa.parse<string[]>(text, { skipEmptyLines: true }).data;
}

const wholeNumber = (text: string): number => {
  const n = Number(text);
  return Number.isFinite(n) ? Math.round(n) : 0;
};

/** One master row, or null for a segment or instrument MirrorDesk does not trade through Dhan. */
function toRow(get: (column: string) => string): MasterRow | null {
  const seg = SEGMENTS[`${get("EXCH_ID")}:${get("SEGMENT")}`];
  const token = get("SECURITY_ID");
  if (!seg || !token) return null;
  const instrument = get("INSTRUMENT");
  const optionType = get("OPTION_TYPE");
  const lotSize = Math.max(1, wholeNumber(get("LOT_SIZE")));
  const tickPaise = new Decimal(get("TICK_SIZE") || "5");
  const freeze = wholeNumber(get("SM_FREEZE_QTY"));
  const base = {
    exchange: seg.exchange,
    brokerExchange: seg.segment,
    token,
    instrumentType: instrument,
    lotSize,
    freezeQty: freeze > 1 ? freeze : null,
    tickSize: tickPaise.div(100),
  };
  const underlying = get("UNDERLYING_SYMBOL").toUpperCase();
  if (instrument.startsWith("FUT") || instrument.startsWith("OPT")) {
    const expiry = get("SM_EXPIRY_DATE").slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(expiry) || !underlying) return null;
    if (instrument.startsWith("FUT")) {
      return {
        ...base,
        symbol: futureSymbol(underlying, expiry),
        name: underlying,
        brokerSymbol: get("SYMBOL_NAME"),
        expiry,
        strike: null,
        underlying,
        optionType: null,
      };
    }
    if (optionType !== "CE" && optionType !== "PE") return null;
    const strike = new Decimal(get("STRIKE_PRICE") || "0");
    if (!strike.isFinite() || strike.lte(0)) return null;
    return {
      ...base,
      symbol: optionSymbol(underlying, expiry, strike, optionType),
      name: underlying,
      brokerSymbol: get("SYMBOL_NAME"),
      expiry,
      strike,
      underlying,
      optionType,
    };
  }
  if (instrument !== "EQUITY" && instrument !== "INDEX") return null;
  // Only the regular equity series trades as a plain OpenAlgo symbol.
  if (instrument === "EQUITY" && get("SERIES") !== "EQ") return null;
  const symbol = underlying || get("SYMBOL_NAME").toUpperCase();
  return {
    ...base,
    symbol,
    name: get("SYMBOL_NAME") || symbol,
    brokerSymbol: symbol,
    expiry: null,
    strike: null,
    underlying: null,
    optionType: null,
  };
}

/** Parses the whole detailed master. Throws a TypeError when the header lacks a column the mapping needs. */
export function parseDhanMaster(csv: string): MasterRow[] {
  const [header, ...lines] = parseCsv(csv);
  if (!header) return [];
  const col = new Map(header.map((h, i) => [h.trim(), i]));
  for (const needed of ["EXCH_ID", "SEGMENT", "SECURITY_ID", "INSTRUMENT", "UNDERLYING_SYMBOL", "LOT_SIZE"])
    if (!col.has(needed)) throw new TypeError(`Dhan scrip master without column ${needed}`);
  const rows: MasterRow[] = [];
  for (const line of lines) {
    const row = toRow((c) => {
      const i = col.get(c);
      return i === undefined ? "" : (line[i] ?? "").trim();
    });
    if (row) rows.push(row);
  }
  return rows;
}
