/**
 * The adapter's two streams (docs/brokers/upstox.md "Streams"): the day's master first (the authorized URL is
 * single-use and short-lived), then the authorize call through the adapter's budgeted reads, then the socket on the URL
 * it answered, only if that URL is on Upstox's own stream hosts or the account's host (./stream-hosts.ts).
 */
import type { LookupFunction } from "node:net";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import type { MarketFeed, MarketFeedHandlers, MarketFeedTimings } from "@/lib/brokers/market-types";
import type { OrderUpdate, Subscription } from "@/lib/brokers/types";
import { openUpstoxMarketFeed } from "./market-feed";
import { openUpstoxOrderStream } from "./order-stream";
import { API_VERSION, type Start } from "./sdk-client";
import { streamUrlOf } from "./stream-hosts";

export interface StreamAccess {
  accountId: string;
  hostUrl: string;
  lookup?: LookupFunction;
  master(): Promise<InstrumentMaster>;
  /** One budgeted read with the day's token; its `data`, or a typed error (a refused token is an auth error). */
  read(what: string, start: Start): Promise<unknown>;
}

export async function openMarketStream(
  access: StreamAccess,
  handlers: MarketFeedHandlers,
  timings: MarketFeedTimings,
): Promise<MarketFeed> {
  const master = await access.master();
  const data = await access.read("market feed authorize", (a) => (cb) => a.websocket.getMarketDataFeedAuthorizeV3(cb));
  const url = streamUrlOf(access.hostUrl, data);
  return openUpstoxMarketFeed(
    { url, accountId: access.accountId, master, lookup: access.lookup, ...timings },
    handlers,
  );
}

export async function openOrderUpdates(
  access: StreamAccess,
  timings: MarketFeedTimings,
  onUpdate: (update: OrderUpdate) => void,
  onError: (error: Error) => void,
): Promise<Subscription> {
  const master = await access.master();
  const data = await access.read(
    "order stream authorize",
    (a) => (cb) => a.websocket.getPortfolioStreamFeedAuthorize(API_VERSION, cb),
  );
  const url = streamUrlOf(access.hostUrl, data);
  const options = { url, accountId: access.accountId, master, lookup: access.lookup, ...timings };
  return openUpstoxOrderStream(options, onUpdate, onError);
}
