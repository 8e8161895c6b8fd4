/**
 * Angel One's FULL market quotes (`market/v1/quote`) into the contract's quote and depth (docs/brokers/angel.md
 * "Quotes, depth, option chain"): zero padding levels are dropped, the previous close is Angel's `close`.
 */
import { z } from "zod";
import type { Depth, Quote } from "@/lib/brokers/market-types";
import { dec, int, text } from "./map";

const level = z.object({ price: text, quantity: text });
export const fullQuote = z.object({
  exchange: text,
  symbolToken: text,
  ltp: text,
  open: text,
  high: text,
  low: text,
  close: text,
  tradeVolume: text,
  opnInterest: text,
  totBuyQuan: text,
  totSellQuan: text,
  depth: z.object({ buy: z.array(level), sell: z.array(level) }).nullish(),
});
export type FullQuote = z.infer<typeof fullQuote>;

export function quotesOf(data: unknown): FullQuote[] {
  return z.object({ fetched: z.array(fullQuote).nullish() }).parse(data).fetched ?? [];
}

const levels = (list: { price: string; quantity: string }[] | undefined) =>
  (list ?? [])
    .map((l) => ({ price: dec(l.price), quantity: int(l.quantity) }))
    .filter((l) => l.price.gt(0) && l.quantity > 0);

export function mapQuote(q: FullQuote): Quote {
  const bid = levels(q.depth?.buy)[0]?.price ?? null;
  const ask = levels(q.depth?.sell)[0]?.price ?? null;
  return {
    ltp: dec(q.ltp),
    open: dec(q.open),
    high: dec(q.high),
    low: dec(q.low),
    prevClose: dec(q.close),
    bid,
    ask,
    volume: int(q.tradeVolume),
    oi: int(q.opnInterest),
  };
}

export function mapDepth(q: FullQuote): Depth {
  return {
    ltp: dec(q.ltp),
    bids: levels(q.depth?.buy),
    asks: levels(q.depth?.sell),
    totalBuyQuantity: int(q.totBuyQuan),
    totalSellQuantity: int(q.totSellQuan),
  };
}
