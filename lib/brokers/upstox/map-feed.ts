/**
 * Upstox v3 feed entries → normalised ticks (docs/brokers/upstox.md "Market data stream"). Each contract is mapped in
 * the mode MirrorDesk asked for, with the fields OpenAlgo's feed carries in that mode: 1 LTP (plus the previous close
 * Upstox sends with it), 2 the day's OHLC, volume and open interest, 3 also the five-level book. As in Upstox's REST
 * quotes, a price of 0 means "none" and is never shown as a price; books carry no order counts.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import { lastPriceTick, setBook } from "@/lib/brokers/feed-ticks";
import type { FeedLevel, FeedMode, FeedTick } from "@/lib/brokers/market-types";

/** Upstox's subscription mode for each of ours: the quote (2) and depth (3) modes both need `full`. */
export const UPSTOX_MODE: Readonly<Record<FeedMode, "ltpc" | "full">> = { 1: "ltpc", 2: "full", 3: "full" };

const n = z.union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)]).transform(Number);
const opt = n.nullish().catch(undefined);
const ltpcSchema = z.looseObject({ ltp: opt, ltt: opt, cp: opt });
const ohlcSchema = z.looseObject({ interval: z.string().nullish(), open: opt, high: opt, low: opt });
const quoteSchema = z.looseObject({ bidQ: opt, bidP: opt, askQ: opt, askP: opt });
const marketOhlc = z.looseObject({ ohlc: z.array(ohlcSchema).catch([]) }).nullish();
const feedSchema = z.looseObject({
  ltpc: ltpcSchema.nullish(),
  fullFeed: z
    .looseObject({
      marketFF: z
        .looseObject({
          ltpc: ltpcSchema.nullish(),
          marketLevel: z.looseObject({ bidAskQuote: z.array(quoteSchema).catch([]) }).nullish(),
          marketOHLC: marketOhlc,
          vtt: opt,
          oi: opt,
        })
        .nullish(),
      indexFF: z.looseObject({ ltpc: ltpcSchema.nullish(), marketOHLC: marketOhlc }).nullish(),
    })
    .nullish(),
  firstLevelWithGreeks: z.looseObject({ ltpc: ltpcSchema.nullish(), vtt: opt, oi: opt }).nullish(),
});

function price(v: number | null | undefined): string | null {
  if (v === null || v === undefined || !Number.isFinite(v) || v <= 0) return null;
  return new Decimal(v).toFixed();
}

function count(v: number | null | undefined): number | null {
  if (v === null || v === undefined || !Number.isFinite(v) || v < 0) return null;
  return Math.trunc(v);
}

/** Upstox's `ltt` is epoch milliseconds. */
function exchangeTime(v: number | null | undefined): string | null {
  if (v === null || v === undefined || !Number.isFinite(v) || v <= 0) return null;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

function levels(quotes: z.infer<typeof quoteSchema>[], side: "bid" | "ask"): FeedLevel[] {
  const out: FeedLevel[] = [];
  for (const q of quotes.slice(0, 5)) {
    const p = price(side === "bid" ? q.bidP : q.askP);
    const quantity = count(side === "bid" ? q.bidQ : q.askQ);
    if (p !== null && quantity !== null && quantity > 0) out.push({ price: p, quantity, orders: null });
  }
  return out;
}

/**
 * The tick of one decoded `Feed` for `item` (symbol and exchange in MirrorDesk's names, mode as subscribed), or null
 * when the entry is unreadable or carries no usable last price.
 */
export function mapFeed(
  feed: unknown,
  item: { symbol: string; exchange: string; mode: FeedMode },
  receivedAt: Date,
): FeedTick | null {
  const r = feedSchema.safeParse(feed);
  if (!r.success) return null;
  const market = r.data.fullFeed?.marketFF ?? null;
  const index = r.data.fullFeed?.indexFF ?? null;
  const greeks = r.data.firstLevelWithGreeks ?? null;
  const ltpc = r.data.ltpc ?? market?.ltpc ?? index?.ltpc ?? greeks?.ltpc ?? null;
  const ltp = price(ltpc?.ltp);
  if (!ltpc || ltp === null) return null;
  const tick = lastPriceTick({
    exchange: item.exchange,
    symbol: item.symbol,
    ltp,
    prevClose: price(ltpc.cp),
    exchangeTs: exchangeTime(ltpc.ltt),
    receivedAt,
  });
  if (item.mode === 1) return tick;
  const day = (market?.marketOHLC ?? index?.marketOHLC)?.ohlc.find((c) => c.interval === "1d");
  tick.open = price(day?.open);
  tick.high = price(day?.high);
  tick.low = price(day?.low);
  tick.volume = count(market?.vtt ?? greeks?.vtt);
  tick.oi = count(market?.oi ?? greeks?.oi);
  if (item.mode === 2) return tick;
  const quotes = market?.marketLevel?.bidAskQuote ?? [];
  setBook(tick, levels(quotes, "bid"), levels(quotes, "ask"));
  return tick;
}
