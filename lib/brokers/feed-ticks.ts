/**
 * Pieces every broker's tick builder shares (docs/brokers/streams.md "Ticks"): a tick starts with the last price and
 * its times, every other field none; each mode then adds what it carries, and a book sets the depth and the best
 * bid and ask from its first levels.
 */
import type { FeedLevel, FeedTick } from "@/lib/brokers/market-types";

/** The book fields of a tick. */
export type TickBook = Pick<FeedTick, "depth" | "bid" | "bidQty" | "ask" | "askQty">;

/** A tick carrying only the last price (and the previous close when given); a mode's builder fills in the rest. */
export function lastPriceTick(t: {
  exchange: string;
  symbol: string;
  ltp: string;
  prevClose?: string | null;
  exchangeTs: string | null;
  receivedAt: Date;
}): FeedTick {
  return {
    exchange: t.exchange,
    symbol: t.symbol,
    ltp: t.ltp,
    prevClose: t.prevClose ?? null,
    open: null,
    high: null,
    low: null,
    bid: null,
    bidQty: null,
    ask: null,
    askQty: null,
    depth: null,
    volume: null,
    oi: null,
    exchangeTs: t.exchangeTs,
    receivedAt: t.receivedAt.toISOString(),
  };
}

/** Sets the book (none when both sides are empty) and the best bid and ask from its first levels. */
export function setBook(tick: TickBook, buy: FeedLevel[], sell: FeedLevel[]): void {
  tick.depth = buy.length > 0 || sell.length > 0 ? { buy, sell } : null;
  tick.bid = buy[0]?.price ?? null;
  tick.bidQty = buy[0]?.quantity ?? null;
  tick.ask = sell[0]?.price ?? null;
  tick.askQty = sell[0]?.quantity ?? null;
}
