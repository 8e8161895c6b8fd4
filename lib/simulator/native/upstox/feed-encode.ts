/**
 * The simulated market-data feed's messages (docs/brokers/upstox.md "Market data stream"): the market's quotes, books
 * and greeks as Upstox v3 `FeedResponse` protobuf messages, in the shape of each subscription mode.
 */
import { feedResponseType } from "@/lib/brokers/upstox/feed-proto";
import type { Exchange, Instrument, MarketView } from "@/lib/simulator/types";
import { istDateOf } from "@/lib/trading/calendar";

/** Upstox's subscription modes; `full_d30` is answered with the five levels the simulated book has. */
export const FEED_MODES = ["ltpc", "option_greeks", "full", "full_d30"] as const;
export type FeedMode = (typeof FEED_MODES)[number];
const REQUEST_MODE: Record<FeedMode, string> = {
  ltpc: "ltpc",
  option_greeks: "option_greeks",
  full: "full_d5",
  full_d30: "full_d30",
};

/** Segments listed in the `market_info` message, by the simulated exchange whose session decides them. */
const SEGMENTS: [string, Exchange][] = [
  ["NSE_EQ", "NSE"],
  ["BSE_EQ", "BSE"],
  ["NSE_FO", "NFO"],
  ["BSE_FO", "BFO"],
  ["NSE_INDEX", "NSE_INDEX"],
  ["BSE_INDEX", "BSE_INDEX"],
  ["MCX_FO", "MCX"],
];

type Obj = Record<string, unknown>;
const isIndex = (i: Instrument) => i.instrumenttype === "INDEX";

/** One contract's `Feed` in `mode`, or undefined when the market has no quote for it. */
export function feedOf(market: MarketView, inst: Instrument, mode: FeedMode): Obj | undefined {
  const quote = market.quote(inst.symbol, inst.exchange);
  if (!quote) return undefined;
  const ltpc = { ltp: quote.ltp, ltt: quote.ts, ltq: 0, cp: quote.prevClose };
  const requestMode = REQUEST_MODE[mode];
  if (mode === "ltpc") return { ltpc, requestMode };
  // The day candle: its close is the last price so far; the previous close travels as `ltpc.cp`.
  const dayStart = Date.parse(`${istDateOf(quote.ts)}T00:00:00+05:30`);
  const day = { interval: "1d", open: quote.open, high: quote.high, low: quote.low, close: quote.ltp };
  const marketOHLC = { ohlc: [{ ...day, vol: quote.volume, ts: dayStart }] };
  if (isIndex(inst)) {
    if (mode === "option_greeks") return { firstLevelWithGreeks: { ltpc }, requestMode };
    return { fullFeed: { indexFF: { ltpc, marketOHLC } }, requestMode };
  }
  const g =
    inst.instrumenttype === "CE" || inst.instrumenttype === "PE"
      ? market.greeks(inst.symbol, inst.exchange)
      : undefined;
  const optionGreeks = g ? { delta: g.delta, theta: g.theta, gamma: g.gamma, vega: g.vega, rho: g.rho } : undefined;
  const depth = market.depth(inst.symbol, inst.exchange);
  const bids = depth?.bids ?? [];
  const asks = depth?.asks ?? [];
  const levels = Array.from({ length: Math.max(bids.length, asks.length) }, (_, i) => ({
    bidQ: bids[i]?.quantity ?? 0,
    bidP: bids[i]?.price ?? 0,
    askQ: asks[i]?.quantity ?? 0,
    askP: asks[i]?.price ?? 0,
  }));
  if (mode === "option_greeks")
    return {
      firstLevelWithGreeks: { ltpc, firstDepth: levels[0], optionGreeks, vtt: quote.volume, oi: quote.oi, iv: g?.iv },
      requestMode,
    };
  const sum = (ls: { quantity: number }[]) => ls.reduce((s, l) => s + l.quantity, 0);
  return {
    fullFeed: {
      marketFF: {
        ltpc,
        marketLevel: { bidAskQuote: levels },
        optionGreeks,
        marketOHLC,
        atp: quote.ltp,
        vtt: quote.volume,
        oi: quote.oi,
        iv: g?.iv ?? 0,
        tbq: depth ? sum(bids) : quote.bidQty,
        tsq: depth ? sum(asks) : quote.askQty,
      },
    },
    requestMode,
  };
}

/** A `FeedResponse` of feeds by instrument key, encoded. */
export function encodeFeeds(type: "initial_feed" | "live_feed", feeds: Record<string, Obj>, nowMs: number): Uint8Array {
  const T = feedResponseType();
  return T.encode(T.fromObject({ type, feeds, currentTs: nowMs })).finish();
}

/** The `market_info` message a connection starts with: each segment open or closed now. */
export function encodeMarketInfo(market: MarketView, nowMs: number): Uint8Array {
  const segmentStatus = Object.fromEntries(
    SEGMENTS.map(([segment, exchange]) => [segment, market.isOpen(exchange) ? "NORMAL_OPEN" : "NORMAL_CLOSE"]),
  );
  const T = feedResponseType();
  return T.encode(T.fromObject({ type: "market_info", currentTs: nowMs, marketInfo: { segmentStatus } })).finish();
}
