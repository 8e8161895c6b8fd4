/**
 * Angel One's scrip master (`OpenAPIScripMaster.json`, docs/brokers/angel.md "Instrument master") into `MasterRow`s:
 * derivatives get MirrorDesk's OpenAlgo symbol built from name + expiry + strike + type (never from Angel's symbol
 * text); strikes and tick sizes arrive in paise; expiries as `DDMMMYYYY`; indices are `AMXIDX` rows on the cash
 * segment. Rows of other kinds (bonds, commodities, currency, stock derivatives) are left out.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import { type MasterRow, seededFreezeQty } from "@/lib/brokers/instruments";
import type { Exchange } from "@/lib/brokers/market-types";
import { futureSymbol, optionSymbol, parseExpiry } from "@/lib/trading/symbols";

const scrip = z.object({
  token: z.string(),
  symbol: z.string(),
  name: z.string(),
  expiry: z.string(),
  strike: z.string(),
  lotsize: z.string(),
  instrumenttype: z.string(),
  exch_seg: z.string(),
  tick_size: z.string(),
});
export type AngelScrip = z.infer<typeof scrip>;

const DERIVATIVE_EXCHANGES: Record<string, Exchange> = { NFO: "NFO", BFO: "BFO" };
const INDEX_EXCHANGES: Record<string, Exchange> = { NSE: "NSE_INDEX", BSE: "BSE_INDEX" };
const paise = (text: string) => new Decimal(text).div(100);

/** Angel's `26DEC2024` (day, month code, four-digit year) as an ISO date. */
export function parseAngelExpiry(text: string): string | undefined {
  const m = /^(\d{2})([A-Za-z]{3})(\d{4})$/.exec(text.trim());
  return m ? parseExpiry(`${m[1]}-${m[2]}-${m[3]}`) : undefined;
}

/** One Angel row in MirrorDesk's terms, or null for a row kind MirrorDesk does not trade. */
export function masterRowOf(s: AngelScrip): MasterRow | null {
  const lotSize = Number.parseInt(s.lotsize, 10) || 1;
  const common = { brokerSymbol: s.symbol, token: s.token, brokerExchange: s.exch_seg, lotSize };
  const tick = paise(s.tick_size || "0");
  if (s.instrumenttype === "AMXIDX") {
    const exchange = INDEX_EXCHANGES[s.exch_seg];
    if (!exchange) return null;
    const name = s.name.toUpperCase();
    return {
      ...common,
      symbol: name,
      exchange,
      name,
      instrumentType: "INDEX",
      expiry: null,
      strike: null,
      freezeQty: null,
      tickSize: tick.gt(0) ? tick : new Decimal("0.05"),
      underlying: null,
      optionType: null,
    };
  }
  if (s.instrumenttype === "" && (s.exch_seg === "NSE" || s.exch_seg === "BSE")) {
    // NSE lists series as a suffix (`SBIN-EQ`); only the EQ series is the plain OpenAlgo symbol.
    if (s.exch_seg === "NSE" && !s.symbol.endsWith("-EQ")) return null;
    return {
      ...common,
      symbol: s.name.toUpperCase(),
      exchange: s.exch_seg as Exchange,
      name: s.name,
      instrumentType: "EQ",
      expiry: null,
      strike: null,
      freezeQty: null,
      tickSize: tick,
      underlying: null,
      optionType: null,
    };
  }
  const exchange = DERIVATIVE_EXCHANGES[s.exch_seg];
  const expiry = parseAngelExpiry(s.expiry);
  if (!exchange || !expiry) return null;
  const underlying = s.name.toUpperCase();
  const base = { ...common, exchange, name: underlying, expiry, tickSize: tick, underlying };
  const freezeQty = seededFreezeQty(underlying);
  if (s.instrumenttype === "FUTIDX")
    return {
      ...base,
      symbol: futureSymbol(underlying, expiry),
      instrumentType: "FUT",
      strike: null,
      freezeQty,
      optionType: null,
    };
  if (s.instrumenttype === "OPTIDX") {
    const optionType = s.symbol.endsWith("CE") ? "CE" : s.symbol.endsWith("PE") ? "PE" : null;
    const strike = paise(s.strike);
    if (!optionType || !strike.gt(0)) return null;
    return {
      ...base,
      symbol: optionSymbol(underlying, expiry, strike, optionType),
      instrumentType: optionType,
      strike,
      freezeQty,
      optionType,
    };
  }
  return null;
}

/** Parses the whole download; malformed rows are skipped, a body that is not an array throws. */
export function parseAngelMaster(body: unknown): MasterRow[] {
  if (!Array.isArray(body)) throw new TypeError("Angel One scrip master is not a JSON array");
  const rows: MasterRow[] = [];
  for (const raw of body) {
    const parsed = scrip.safeParse(raw);
    if (!parsed.success) continue;
    const row = masterRowOf(parsed.data);
    if (row) rows.push(row);
  }
  return rows;
}
