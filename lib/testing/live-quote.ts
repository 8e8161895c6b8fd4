/**
 * A live quote as the worker's feed stores it, for tests that write quotes through the contract themselves. Only
 * what a test names is set; every figure it leaves out is missing (null), as from a feed that did not send it.
 */
import type { LiveQuote } from "@/lib/services/market-data";

export function liveQuote(q: Pick<LiveQuote, "exchange" | "symbol" | "ltp"> & Partial<LiveQuote>): LiveQuote {
  return {
    prevClose: null,
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
    exchangeTs: null,
    receivedAt: new Date().toISOString(),
    source: "feed",
    accountId: "feed-account",
    ...q,
  };
}
