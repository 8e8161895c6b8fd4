/**
 * Upstox's full market quote (`/v2/market-quote/quotes`) as the contract's Quote and Depth, and the option chain
 * assembled from the day's master and one quote call for every leg (docs/brokers/upstox.md "Market data").
 */
import Decimal from "decimal.js";
import { z } from "zod";
import type { MasterRow } from "@/lib/brokers/instruments";
import type { Depth, OptionChain, OptionLeg, Quote } from "@/lib/brokers/market-types";
import { BrokerUnavailableError } from "@/lib/errors";

const dec = z
  .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)])
  .nullish()
  .transform((v) => new Decimal(v ?? 0));
const int = z
  .union([z.number(), z.string()])
  .nullish()
  .transform((v) => Math.trunc(Number(v ?? 0)) || 0);
const level = z.looseObject({ price: dec, quantity: int });
const quoteEntry = z.looseObject({
  instrument_token: z.string(),
  last_price: dec,
  net_change: dec,
  volume: int,
  oi: int,
  total_buy_quantity: int,
  total_sell_quantity: int,
  ohlc: z.looseObject({ open: dec, high: dec, low: dec, close: dec }).nullish(),
  depth: z.looseObject({ buy: z.array(level).nullish(), sell: z.array(level).nullish() }).nullish(),
});
type QuoteEntry = z.infer<typeof quoteEntry>;

/** The quote entries of an answer by instrument key (Upstox keys the object by `segment:symbol` text). */
export function quotesByKey(data: unknown): Map<string, QuoteEntry> {
  const parsed = z.record(z.string(), z.unknown()).safeParse(data);
  if (!parsed.success) throw new BrokerUnavailableError("Unreadable quotes from Upstox", "bad_response");
  const out = new Map<string, QuoteEntry>();
  for (const value of Object.values(parsed.data)) {
    const q = quoteEntry.safeParse(value);
    if (q.success) out.set(q.data.instrument_token, q.data);
  }
  return out;
}

const positive = (d: Decimal | undefined) => (d && d.gt(0) ? d : null);

export function toQuote(q: QuoteEntry): Quote {
  return {
    ltp: q.last_price,
    open: q.ohlc?.open ?? new Decimal(0),
    high: q.ohlc?.high ?? new Decimal(0),
    low: q.ohlc?.low ?? new Decimal(0),
    // The previous close is what the day's change is measured from.
    prevClose: q.last_price.minus(q.net_change),
    bid: positive(q.depth?.buy?.[0]?.price),
    ask: positive(q.depth?.sell?.[0]?.price),
    volume: q.volume,
    oi: q.oi,
  };
}

export function toDepth(q: QuoteEntry): Depth {
  const levels = (l: z.infer<typeof level>[] | null | undefined) =>
    (l ?? []).filter((x) => x.price.gt(0) || x.quantity > 0).map((x) => ({ price: x.price, quantity: x.quantity }));
  return {
    ltp: q.last_price,
    bids: levels(q.depth?.buy),
    asks: levels(q.depth?.sell),
    totalBuyQuantity: q.total_buy_quantity,
    totalSellQuantity: q.total_sell_quantity,
  };
}

/** The strikes of a chain: `strikeCount` each side of the strike nearest the spot, ascending. */
export function chainStrikes(
  strikes: Decimal[],
  spot: Decimal,
  strikeCount?: number,
): { atm: Decimal; picked: Decimal[] } {
  const sorted = [...strikes].sort((a, b) => a.cmp(b));
  if (sorted.length === 0) return { atm: new Decimal(0), picked: [] };
  let at = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i].minus(spot).abs().lt(sorted[at].minus(spot).abs())) at = i;
  const picked = strikeCount === undefined ? sorted : sorted.slice(Math.max(0, at - strikeCount), at + strikeCount + 1);
  return { atm: sorted[at], picked };
}

function label(row: MasterRow, atm: Decimal, stepIndex: number): string {
  if (stepIndex === 0) return "ATM";
  const above = stepIndex > 0;
  const itm = row.optionType === "CE" ? !above : above;
  return `${itm ? "ITM" : "OTM"}${Math.abs(stepIndex)}`;
}

/** The chain of one expiry from its master rows and their quotes. */
export function buildChain(
  underlying: string,
  expiry: string,
  spot: Decimal,
  legs: readonly MasterRow[],
  quotes: Map<string, QuoteEntry>,
  strikeCount?: number,
): OptionChain {
  const byStrike = new Map<string, { ce?: MasterRow; pe?: MasterRow }>();
  for (const r of legs) {
    const k = r.strike!.toString();
    const slot = byStrike.get(k) ?? {};
    if (r.optionType === "CE") slot.ce = r;
    else slot.pe = r;
    byStrike.set(k, slot);
  }
  const { atm, picked } = chainStrikes(
    [...byStrike.keys()].map((k) => new Decimal(k)),
    spot,
    strikeCount,
  );
  const all = [...byStrike.keys()].map((k) => new Decimal(k)).sort((a, b) => a.cmp(b));
  const atmAt = all.findIndex((s) => s.eq(atm));
  const leg = (r: MasterRow | undefined, strike: Decimal): OptionLeg | null => {
    if (!r) return null;
    const q = quotes.get(r.token);
    return {
      symbol: r.symbol,
      label: label(r, atm, all.findIndex((s) => s.eq(strike)) - atmAt),
      ltp: q?.last_price ?? new Decimal(0),
      bid: positive(q?.depth?.buy?.[0]?.price),
      ask: positive(q?.depth?.sell?.[0]?.price),
      volume: q?.volume ?? 0,
      oi: q?.oi ?? 0,
      lotSize: r.lotSize,
      tickSize: r.tickSize,
    };
  };
  return {
    underlying,
    underlyingLtp: spot,
    expiry,
    atmStrike: atm,
    rows: picked.map((strike) => {
      const slot = byStrike.get(strike.toString())!;
      return { strike, ce: leg(slot.ce, strike), pe: leg(slot.pe, strike) };
    }),
  };
}
