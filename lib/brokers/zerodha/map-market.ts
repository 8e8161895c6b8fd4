/** Kite's `/quote` answers → quotes, depth and option chains (docs/brokers/zerodha.md "Market data"). */
import Decimal from "decimal.js";
import { z } from "zod";
import type { InstrumentMaster, MasterRow } from "@/lib/brokers/instruments";
import type { Depth, DepthLevel, Exchange, OptionChain, OptionLeg, Quote } from "@/lib/brokers/market-types";
import { BrokerRejectedError } from "@/lib/errors";

const num = z.union([z.number(), z.string()]).nullish();
const level = z.object({ price: num, quantity: num });
export const kiteQuoteSchema = z.object({
  last_price: num,
  volume: num,
  oi: num,
  buy_quantity: num,
  sell_quantity: num,
  ohlc: z.object({ open: num, high: num, low: num, close: num }).nullish(),
  depth: z.object({ buy: z.array(level), sell: z.array(level) }).nullish(),
});
export const quotesSchema = z.record(z.string(), kiteQuoteSchema);
export type KiteQuote = z.infer<typeof kiteQuoteSchema>;

const dec = (v: number | string | null | undefined) => new Decimal(v === null || v === undefined ? 0 : String(v));
const int = (v: number | string | null | undefined) => Math.trunc(Number(v ?? 0)) || 0;
const orNull = (d: Decimal) => (d.gt(0) ? d : null);

/** How `/quote` names an instrument: `EXCHANGE:TRADINGSYMBOL`. */
export const quoteKey = (row: MasterRow) => `${row.brokerExchange}:${row.brokerSymbol}`;

export function mapQuote(q: KiteQuote): Quote {
  return {
    ltp: dec(q.last_price),
    open: dec(q.ohlc?.open),
    high: dec(q.ohlc?.high),
    low: dec(q.ohlc?.low),
    prevClose: dec(q.ohlc?.close),
    bid: orNull(dec(q.depth?.buy[0]?.price)),
    ask: orNull(dec(q.depth?.sell[0]?.price)),
    volume: int(q.volume),
    oi: int(q.oi),
  };
}

function levels(rows: z.infer<typeof level>[] | undefined): DepthLevel[] {
  return (rows ?? []).map((l) => ({ price: dec(l.price), quantity: int(l.quantity) })).filter((l) => l.price.gt(0));
}

export function mapDepth(q: KiteQuote): Depth {
  return {
    ltp: dec(q.last_price),
    bids: levels(q.depth?.buy),
    asks: levels(q.depth?.sell),
    totalBuyQuantity: int(q.buy_quantity),
    totalSellQuantity: int(q.sell_quantity),
  };
}

/** The strikes of a chain around the one nearest `ltp`: `count` each side, or all. */
export function chainStrikes(strikes: Decimal[], ltp: Decimal, count?: number): { atm: Decimal; picked: Decimal[] } {
  const sorted = [...strikes].sort((a, b) => a.cmp(b));
  let atmIndex = 0;
  sorted.forEach((s, i) => {
    if (s.minus(ltp).abs().lt(sorted[atmIndex].minus(ltp).abs())) atmIndex = i;
  });
  const picked = count === undefined ? sorted : sorted.slice(Math.max(0, atmIndex - count), atmIndex + count + 1);
  return { atm: sorted[atmIndex], picked };
}

/** `ATM`, `ITMn` or `OTMn` of a leg `steps` strikes from ATM (negative = below). */
function label(type: "CE" | "PE", steps: number): string {
  if (steps === 0) return "ATM";
  const itm = type === "CE" ? steps < 0 : steps > 0;
  return `${itm ? "ITM" : "OTM"}${Math.abs(steps)}`;
}

export function buildChain(args: {
  underlying: string;
  expiry: string;
  ltp: Decimal;
  atm: Decimal;
  strikes: Decimal[];
  legs: MasterRow[];
  quotes: Record<string, KiteQuote>;
}): OptionChain {
  const atmIndex = args.strikes.findIndex((s) => s.eq(args.atm));
  const leg = (strike: Decimal, index: number, type: "CE" | "PE"): OptionLeg | null => {
    const row = args.legs.find((l) => l.optionType === type && l.strike?.eq(strike));
    if (!row) return null;
    const q = args.quotes[quoteKey(row)];
    const quote = q ? mapQuote(q) : null;
    return {
      symbol: row.symbol,
      label: label(type, index - atmIndex),
      ltp: quote?.ltp ?? new Decimal(0),
      bid: quote?.bid ?? null,
      ask: quote?.ask ?? null,
      volume: quote?.volume ?? 0,
      oi: quote?.oi ?? 0,
      lotSize: row.lotSize,
      tickSize: row.tickSize,
    };
  };
  return {
    underlying: args.underlying,
    underlyingLtp: args.ltp,
    expiry: args.expiry,
    atmStrike: args.atm,
    rows: args.strikes.map((strike, i) => ({ strike, ce: leg(strike, i, "CE"), pe: leg(strike, i, "PE") })),
  };
}

const INDEX_DERIVATIVES: Partial<Record<Exchange, Exchange>> = { NSE_INDEX: "NFO", BSE_INDEX: "BFO" };

/**
 * An option chain from the master's strikes: one quote call for the index (the ATM strike is the listed one nearest
 * its last price), one more for the chosen legs.
 */
export async function optionChainOf(args: {
  master: InstrumentMaster;
  underlying: string;
  /** The index's exchange (`NSE_INDEX`, `BSE_INDEX`). */
  exchange: Exchange;
  expiry: string;
  strikeCount?: number;
  quotes(rows: MasterRow[]): Promise<Record<string, KiteQuote>>;
}): Promise<OptionChain> {
  const { master, expiry } = args;
  const underlying = args.underlying.toUpperCase();
  const derivatives = INDEX_DERIVATIVES[args.exchange];
  const index = master.symbol(underlying, args.exchange);
  const legs = derivatives
    ? master.derivatives(underlying, derivatives).filter((r) => r.optionType && r.expiry === expiry)
    : [];
  if (!index || legs.length === 0)
    throw new BrokerRejectedError(`Zerodha lists no ${underlying} options expiring ${expiry}`);
  const ltp = mapQuote((await args.quotes([index]))[quoteKey(index)] ?? {}).ltp;
  const strikes = [...new Map(legs.map((l) => [l.strike!.toString(), l.strike!])).values()];
  const { atm, picked } = chainStrikes(strikes, ltp, args.strikeCount);
  const chosen = legs.filter((l) => picked.some((s) => s.eq(l.strike!)));
  const quotes = await args.quotes(chosen);
  return buildChain({ underlying, expiry, ltp, atm, strikes: picked, legs: chosen, quotes });
}
