/**
 * Pure mapping of OpenAlgo market-data and reference answers (quotes, depth, symbol, expiry, option chain) to the
 * normalised types; same rules as `map.ts` (unreadable answer → `BrokerUnavailableError`).
 */
import type Decimal from "decimal.js";
import { z } from "zod";
import { BrokerUnavailableError } from "@/lib/errors";
import type { Depth, OptionChain, OptionLeg, Quote, SymbolInfo } from "@/lib/brokers/market-types";
import type { Exchange } from "@/lib/brokers/types";
import { parseExpiry } from "@/lib/trading/symbols";
import { parseAnswer, success } from "./map";
import { count, dec, exchange, int, optDec, optInt } from "./wire";

// ---- market data --------------------------------------------------------------------------------------------
const quoteData = z.object({
  ltp: dec,
  open: dec,
  high: dec,
  low: dec,
  prev_close: dec,
  bid: optDec,
  ask: optDec,
  volume: count,
  oi: count,
});
const quoteSchema = success.extend({ data: quoteData });
export function mapQuote(body: unknown): Quote {
  const d = parseAnswer(quoteSchema, body, "quotes").data;
  return {
    ltp: d.ltp,
    open: d.open,
    high: d.high,
    low: d.low,
    prevClose: d.prev_close,
    bid: d.bid,
    ask: d.ask,
    volume: d.volume,
    oi: d.oi,
  };
}

const level = z.object({ price: dec, quantity: count });
const depthSchema = success.extend({
  data: z.object({ ltp: dec, bids: z.array(level), asks: z.array(level), totalbuyqty: count, totalsellqty: count }),
});
export function mapDepth(body: unknown): Depth {
  const d = parseAnswer(depthSchema, body, "depth").data;
  // Brokers pad the ladder to five rows with {price: 0, quantity: 0}.
  const real = (l: { price: Decimal; quantity: number }) => !l.price.isZero() && l.quantity > 0;
  return {
    ltp: d.ltp,
    bids: d.bids.filter(real),
    asks: d.asks.filter(real),
    totalBuyQuantity: d.totalbuyqty,
    totalSellQuantity: d.totalsellqty,
  };
}

// Exchanges where no instrument has a tick of a rupee or more: a tick ≥ 1 there is a master contract in paise
// (docs/openalgo.md "Market data": `tick_size: 5.0` for SBIN). MCX and currencies are left alone (crude oil ticks by
// ₹1).
const PAISE_TICK_EXCHANGES: ReadonlySet<Exchange> = new Set(["NSE", "BSE", "NFO", "BFO", "NSE_INDEX", "BSE_INDEX"]);

const symbolData = z.object({
  symbol: z.string().min(1),
  exchange,
  name: z.string().nullish(),
  brsymbol: z.string().nullish(),
  token: z.union([z.string(), z.number()]).nullish(),
  instrumenttype: z.string().nullish(),
  expiry: z.string().nullish(),
  strike: optDec,
  lotsize: int,
  tick_size: dec,
  freeze_qty: optInt,
});
const symbolSchema = success.extend({ data: symbolData });
export function mapSymbol(body: unknown): SymbolInfo {
  return symbolRow(parseAnswer(symbolSchema, body, "symbol").data);
}

const searchSchema = success.extend({ data: z.array(symbolData) });
/** `/search` rows (at most 500; an empty list when nothing matches). */
export function mapSearch(body: unknown): SymbolInfo[] {
  return parseAnswer(searchSchema, body, "search").data.map(symbolRow);
}

function symbolRow(d: z.infer<typeof symbolData>): SymbolInfo {
  const expiry = d.expiry ? (parseExpiry(d.expiry) ?? null) : null;
  const tick = PAISE_TICK_EXCHANGES.has(d.exchange) && d.tick_size.gte(1) ? d.tick_size.div(100) : d.tick_size;
  return {
    symbol: d.symbol,
    exchange: d.exchange,
    name: d.name ?? d.symbol,
    brokerSymbol: d.brsymbol ?? d.symbol,
    token: d.token === undefined || d.token === null ? "" : String(d.token),
    instrumentType: d.instrumenttype ?? "",
    expiry,
    // Equities carry strike 0, -1 or -0.01 depending on the broker: only a positive strike is a strike.
    strike: d.strike && d.strike.gt(0) ? d.strike : null,
    lotSize: d.lotsize,
    // OpenAlgo sends 1 when it does not know the freeze quantity (docs/openalgo.md "Market data"): unknown, not a limit
    // of one unit.
    freezeQty: d.freeze_qty === undefined || d.freeze_qty <= 1 ? null : d.freeze_qty,
    tickSize: tick,
  };
}

const expirySchema = success.extend({ data: z.array(z.string()) });
export function mapExpiries(body: unknown): string[] {
  const list = parseAnswer(expirySchema, body, "expiry").data;
  const iso = list.map((text) => {
    const d = parseExpiry(text);
    if (!d)
      throw new BrokerUnavailableError(
        `Unexpected answer from expiry: not a date: ${JSON.stringify(text)}`,
        "bad_response",
      );
    return d;
  });
  return [...new Set(iso)].sort();
}

const leg = z.object({
  symbol: z.string().min(1),
  label: z.string().default(""),
  ltp: dec,
  bid: optDec,
  ask: optDec,
  volume: count,
  oi: count,
  lotsize: int,
  tick_size: dec,
});
const chainSchema = success.extend({
  underlying: z.string(),
  underlying_ltp: dec,
  expiry_date: z.string(),
  atm_strike: dec,
  chain: z.array(z.object({ strike: dec, ce: leg.nullish(), pe: leg.nullish() })),
});
function toLeg(l: z.output<typeof leg> | null | undefined): OptionLeg | null {
  if (!l) return null;
  return {
    symbol: l.symbol,
    label: l.label,
    ltp: l.ltp,
    bid: l.bid,
    ask: l.ask,
    volume: l.volume,
    oi: l.oi,
    lotSize: l.lotsize,
    tickSize: l.tick_size,
  };
}
export function mapOptionChain(body: unknown): OptionChain {
  const b = parseAnswer(chainSchema, body, "optionchain");
  const expiry = parseExpiry(b.expiry_date);
  if (!expiry)
    throw new BrokerUnavailableError(
      `Unexpected answer from optionchain: expiry_date ${JSON.stringify(b.expiry_date)}`,
      "bad_response",
    );
  return {
    underlying: b.underlying,
    underlyingLtp: b.underlying_ltp,
    expiry,
    atmStrike: b.atm_strike,
    rows: b.chain
      .map((r) => ({ strike: r.strike, ce: toLeg(r.ce), pe: toLeg(r.pe) }))
      .sort((a, c) => a.strike.comparedTo(c.strike)),
  };
}
