/**
 * Kite's instrument master (docs/brokers/zerodha.md "Instrument master") as MirrorDesk's `MasterRow`s. The CSV's columns
 * are instrument_token, exchange_token, tradingsymbol, name, last_price, expiry (`YYYY-MM-DD`, empty for cash and
 * indices), strike (rupees), tick_size (rupees), lot_size, instrument_type (EQ, FUT, CE, PE; indices are EQ), segment
 * (`NFO-OPT`, `INDICES`, ...) and exchange. Derivative symbols are built from name + expiry + strike + type with
 * lib/trading/symbols.ts, never from Kite's trading symbol (whose weekly/monthly forms differ).
 */
import Papa from "papaparse";
import Decimal from "decimal.js";
import { z } from "zod";
import { type MasterRow, seededFreezeQty } from "@/lib/brokers/instruments";
import type { Exchange } from "@/lib/brokers/market-types";
import { futureSymbol, optionSymbol } from "@/lib/trading/symbols";

const text = z.union([z.string(), z.number()]);
/** One master row as Kite's CSV has it (strings), or as the SDK's parser returns it (numbers, expiry as a Date). */
export const kiteInstrumentSchema = z.object({
  instrument_token: text,
  tradingsymbol: z.string().min(1),
  name: z.string(),
  expiry: z.union([z.string(), z.date()]).nullish(),
  strike: text,
  tick_size: text,
  lot_size: text,
  instrument_type: z.string(),
  segment: z.string(),
  exchange: z.string(),
});
export type KiteInstrumentRecord = z.infer<typeof kiteInstrumentSchema>;

/** The rows of a master that have Kite's columns; malformed rows are left out. */
export function kiteRecords(rows: readonly unknown[]): KiteInstrumentRecord[] {
  const out: KiteInstrumentRecord[] = [];
  for (const row of rows) {
    const parsed = kiteInstrumentSchema.safeParse(row);
    if (parsed.success) out.push(parsed.data);
  }
  return out;
}

/** Kite's index trading symbols → OpenAlgo's index symbols; others drop their spaces (`NIFTY IT` → `NIFTYIT`). */
const INDEX_SYMBOLS: Record<string, string> = {
  "NIFTY 50": "NIFTY",
  "NIFTY BANK": "BANKNIFTY",
  "NIFTY FIN SERVICE": "FINNIFTY",
  "NIFTY MID SELECT": "MIDCPNIFTY",
  "INDIA VIX": "INDIAVIX",
};

const DERIVATIVE_EXCHANGES = new Set(["NFO", "BFO", "CDS", "BCD", "MCX"]);
const CASH_EXCHANGES = new Set(["NSE", "BSE"]);

/** Kite's CSV as records keyed by the header (rows with a wrong field count are dropped). */
export function parseKiteCsv(text: string): Record<string, string>[] {
  const { data, meta } = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  return data.filter((r) => Object.keys(r).length === meta.fields?.length && !("__parsed_extra" in r));
}

/** `YYYY-MM-DD`; the SDK's parser turns the text into a Date at UTC midnight, which gives the same day back. */
function isoExpiry(value: KiteInstrumentRecord["expiry"]): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10);
  return value && /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : null;
}

function decimal(value: string | number): Decimal {
  try {
    const d = new Decimal(String(value === "" ? 0 : value));
    return d.isFinite() ? d : new Decimal(0);
  } catch {
    return new Decimal(0);
  }
}

/** One Kite row → a MasterRow, or null for rows MirrorDesk does not trade (spreads, unknown segments). */
export function masterRowOf(r: KiteInstrumentRecord): MasterRow | null {
  const exchange = r.exchange;
  const type = r.instrument_type;
  const expiry = isoExpiry(r.expiry);
  const lot = Number(r.lot_size);
  const common = {
    brokerSymbol: r.tradingsymbol,
    brokerExchange: exchange,
    token: String(r.instrument_token),
    instrumentType: type,
    tickSize: decimal(r.tick_size),
    lotSize: Number.isSafeInteger(lot) && lot > 0 ? lot : 1,
    freezeQty: null,
  };
  if (r.segment === "INDICES") {
    if (!CASH_EXCHANGES.has(exchange)) return null;
    return {
      ...common,
      symbol: INDEX_SYMBOLS[r.tradingsymbol] ?? r.tradingsymbol.replace(/\s+/g, "").toUpperCase(),
      exchange: `${exchange}_INDEX` as Exchange,
      name: r.name,
      expiry: null,
      strike: null,
      underlying: null,
      optionType: null,
    };
  }
  if (type === "EQ" && CASH_EXCHANGES.has(exchange) && r.segment === exchange)
    return {
      ...common,
      symbol: r.tradingsymbol,
      exchange: exchange as Exchange,
      name: r.name,
      expiry: null,
      strike: null,
      underlying: null,
      optionType: null,
    };
  if (!DERIVATIVE_EXCHANGES.has(exchange) || !expiry || !r.name) return null;
  const underlying = r.name.toUpperCase();
  if (type === "FUT")
    return {
      ...common,
      symbol: futureSymbol(underlying, expiry),
      exchange: exchange as Exchange,
      name: r.name,
      expiry,
      strike: null,
      underlying,
      optionType: null,
    };
  if (type === "CE" || type === "PE") {
    const strike = decimal(r.strike);
    if (strike.lte(0)) return null;
    return {
      ...common,
      symbol: optionSymbol(underlying, expiry, strike, type),
      exchange: exchange as Exchange,
      name: r.name,
      expiry,
      strike,
      underlying,
      optionType: type,
    };
  }
  return null;
}

/**
 * Every row MirrorDesk can use, with `freezeQty` from `freezeQtyOf` (Kite's master does not carry exchange freeze
 * limits; see docs/brokers/zerodha.md "Freeze quantities").
 */
export function masterRows(
  records: readonly KiteInstrumentRecord[],
  freezeQtyOf: (underlying: string) => number | null = seededFreezeQty,
): MasterRow[] {
  const out: MasterRow[] = [];
  for (const r of records) {
    const row = masterRowOf(r);
    if (!row) continue;
    if (row.underlying) row.freezeQty = freezeQtyOf(row.underlying);
    out.push(row);
  }
  return out;
}
