/**
 * The live market-data contract between the worker's feed (one upstream WebSocket per kind of feed), the web
 * process's streams and every server-side consumer: Redis key and channel names, the quote shape, and the stale
 * flag (docs/market-data.md "Live prices").
 *
 * Prices are exchange facts, so keys name the feed kind and the contract, never an account: the same NIFTY option
 * has one live quote for all real accounts and (when the simulator is used) one for all simulated accounts.
 */
import { z } from "zod";
import { channel } from "@/lib/redis";
import type { FeedKind } from "../source";

/** OpenAlgo's stream modes: 1 LTP, 2 quote (OHLC, volume, OI, best bid/ask), 3 depth (five levels with sizes). */
export type StreamMode = 1 | 2 | 3;

/** `EXCHANGE:SYMBOL`, the key of one contract in every live structure. */
export const liveKey = (exchange: string, symbol: string) => `${exchange}:${symbol}`;

export function parseLiveKey(key: string): { exchange: string; symbol: string } {
  const at = key.indexOf(":");
  return { exchange: key.slice(0, at), symbol: key.slice(at + 1) };
}

/** Redis keys and channels. `kind` separates simulated prices from real ones everywhere. */
export const LIVE = {
  /** Latest quote of one contract (JSON LiveQuote); written on every tick. */
  quote: (kind: FeedKind, key: string) => `md:live:q:${kind}:${key}`,
  /** Every tick of a kind (JSON LiveQuote), for server-side consumers (risk engine, MTM recorder). */
  ticks: (kind: FeedKind) => channel(`md:live:ticks:${kind}`),
  /** One contract's ticks toward browsers, coalesced to at most UI_MAX_PER_SECOND (JSON LiveQuote). */
  ui: (kind: FeedKind, key: string) => channel(`md:live:ui:${kind}:${key}`),
  /** Hash: contract key → JSON StaleFlag, for every contract currently stale. */
  stale: (kind: FeedKind) => `md:live:stale:${kind}`,
  /** Stale flags raised and cleared (JSON StaleEvent). */
  staleEvents: (kind: FeedKind) => channel(`md:live:stale-events:${kind}`),
  /** Hash of one interest holder: `kind|key` → stream mode; expires unless renewed. */
  lease: (holder: string) => `md:live:lease:${holder}`,
  /** Set of holders that may have a lease. */
  holders: "md:live:holders",
  /** Published (empty message) whenever a holder registers or releases interest. */
  interestChanged: () => channel("md:live:interest-changed"),
  /** JSON FeedStatus of a kind's upstream connection. */
  feedStatus: (kind: FeedKind) => `md:live:feed:${kind}`,
} as const;

/** Toward browsers a contract updates at most this often; server-side consumers get every tick. */
export const UI_MAX_PER_SECOND = 4;

const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, "decimal string");
const level = z.object({ price: decimal, quantity: z.number().int(), orders: z.number().int().nullable() });

export const liveQuoteSchema = z.object({
  exchange: z.string(),
  symbol: z.string(),
  ltp: decimal,
  /** Previous session's close, when the feed sends it (change = ltp − prevClose). */
  prevClose: decimal.nullable(),
  open: decimal.nullable(),
  high: decimal.nullable(),
  low: decimal.nullable(),
  /** Best bid/ask and their sizes; null when the feed does not send them (never invented). */
  bid: decimal.nullable(),
  bidQty: z.number().int().nullable(),
  ask: decimal.nullable(),
  askQty: z.number().int().nullable(),
  /** Five levels each side in mode 3; null otherwise. */
  depth: z.object({ buy: z.array(level), sell: z.array(level) }).nullable(),
  volume: z.number().int().nullable(),
  oi: z.number().int().nullable(),
  /** Exchange timestamp of the tick (ISO, UTC), when the feed sends one. */
  exchangeTs: z.string().nullable(),
  /** When MirrorDesk received it (ISO, UTC). */
  receivedAt: z.string(),
  /** `feed` from the stream; `rest` a REST quote that filled a stale gap (labelled as such everywhere). */
  source: z.enum(["feed", "rest"]),
  /** The account whose feed (or REST call) supplied it. */
  accountId: z.string(),
});
export type LiveQuote = z.infer<typeof liveQuoteSchema>;

/** A contract silent beyond the threshold while its market is open. */
export const staleFlagSchema = z.object({
  exchange: z.string(),
  symbol: z.string(),
  /** ISO time the flag was raised. */
  since: z.string(),
  /** Last tick received before the silence (ISO), null when none ever came. */
  lastTickAt: z.string().nullable(),
  reason: z.string(),
});
export type StaleFlag = z.infer<typeof staleFlagSchema>;

export const staleEventSchema = z.object({
  kind: z.enum(["real", "simulated"]),
  key: z.string(),
  stale: z.boolean(),
  flag: staleFlagSchema.nullable(),
  at: z.string(),
});
export type StaleEvent = z.infer<typeof staleEventSchema>;

export const feedStatusSchema = z.object({
  kind: z.enum(["real", "simulated"]),
  /** Account whose WebSocket serves the kind; null when none can. */
  accountId: z.string().nullable(),
  /** `host:port` of its WebSocket. */
  host: z.string().nullable(),
  state: z.enum(["connecting", "live", "reconnecting", "down"]),
  since: z.string(),
  subscribed: z.number().int(),
  reason: z.string().nullable(),
});
export type FeedStatus = z.infer<typeof feedStatusSchema>;

/** What one holder needs: contracts and the mode each needs (the feed subscribes at the highest mode wanted). */
export interface InterestItem {
  exchange: string;
  symbol: string;
  mode: StreamMode;
}
