/**
 * Upstox's market-data stream, feed v3 (docs/brokers/upstox.md "Market data stream"): a socket on the one-time URL
 * the authorize call handed out, `sub`/`unsub` requests as binary frames holding JSON, and protobuf `FeedResponse`
 * messages mapped by ./map-feed.ts. Contracts are named by the day's instrument master: MirrorDesk's symbols go out
 * as Upstox instrument keys and come back as symbols. Upstox acknowledges no request, so `subscribe` resolves once its
 * frames are written, and a contract the master does not list is refused here without asking.
 *
 * Upstox keeps one mode per instrument key: a contract wanted in several of our modes is subscribed in the richest
 * one, and ticks are shaped for the richest mode still wanted.
 */
import { randomUUID } from "node:crypto";
import type { LookupFunction } from "node:net";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import type {
  Exchange,
  FeedItem,
  FeedMode,
  FeedSubscribeResult,
  MarketFeed,
  MarketFeedHandlers,
  MarketFeedTimings,
} from "@/lib/brokers/market-types";
import { BrokerUnavailableError } from "@/lib/errors";
import { DECODE_OPTIONS, feedResponseType } from "./feed-proto";
import { mapFeed, UPSTOX_MODE } from "./map-feed";
import { openStreamSocket } from "./stream-socket";

export interface UpstoxFeedOptions extends MarketFeedTimings {
  url: URL;
  accountId: string;
  master: InstrumentMaster;
  lookup?: LookupFunction;
  /** Clock for `receivedAt` (tests). */
  now?: () => Date;
}

/** Instrument keys per request frame. */
const BATCH = 100;

interface Wanted {
  symbol: string;
  exchange: string;
  /** Our modes it is wanted in. */
  modes: Set<FeedMode>;
}

const top = (w: Wanted): FeedMode | undefined => (w.modes.size > 0 ? (Math.max(...w.modes) as FeedMode) : undefined);

function request(method: "sub" | "unsub", keys: string[], mode?: string): Buffer {
  const data = mode ? { mode, instrumentKeys: keys } : { instrumentKeys: keys };
  return Buffer.from(JSON.stringify({ guid: randomUUID(), method, data }));
}

export async function openUpstoxMarketFeed(opts: UpstoxFeedOptions, handlers: MarketFeedHandlers): Promise<MarketFeed> {
  const now = opts.now ?? (() => new Date());
  const T = feedResponseType();
  const wanted = new Map<string, Wanted>();

  const socket = await openStreamSocket(
    {
      url: opts.url,
      what: "market-data stream",
      accountId: opts.accountId,
      lookup: opts.lookup,
      setupTimeoutMs: opts.setupTimeoutMs ?? 5_000,
      heartbeatMs: opts.heartbeatMs ?? 10_000,
    },
    (data, s) => {
      let message: Record<string, unknown>;
      try {
        const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
        message = T.toObject(T.decode(bytes), DECODE_OPTIONS);
      } catch {
        return s.fail(
          new BrokerUnavailableError("market-data stream sent a message that does not decode", "bad_response"),
        );
      }
      if (message.type !== "live_feed" && message.type !== "initial_feed") return;
      const feeds = (message.feeds ?? {}) as Record<string, unknown>;
      const at = now();
      for (const [key, feed] of Object.entries(feeds)) {
        const w = wanted.get(key);
        const mode = w && top(w);
        if (!w || !mode) continue;
        const tick = mapFeed(feed, { symbol: w.symbol, exchange: w.exchange, mode }, at);
        if (tick) handlers.onTick(tick);
      }
    },
    (error) => handlers.onClose(error),
  );

  /** Sends `sub` (by Upstox mode) for keys whose Upstox mode changed, `unsub` for keys no longer wanted. */
  async function sync(before: Map<string, string | undefined>): Promise<void> {
    const subs = new Map<string, string[]>();
    const unsubs: string[] = [];
    for (const [key, was] of before) {
      const w = wanted.get(key);
      const mode = w && top(w);
      const upstox = mode ? UPSTOX_MODE[mode] : undefined;
      if (upstox === was) continue;
      if (!upstox) unsubs.push(key);
      else subs.set(upstox, [...(subs.get(upstox) ?? []), key]);
    }
    for (const [mode, keys] of subs)
      for (let i = 0; i < keys.length; i += BATCH) await socket.send(request("sub", keys.slice(i, i + BATCH), mode));
    for (let i = 0; i < unsubs.length; i += BATCH) await socket.send(request("unsub", unsubs.slice(i, i + BATCH)));
  }

  function upstoxModeOf(key: string): string | undefined {
    const w = wanted.get(key);
    const mode = w && top(w);
    return mode ? UPSTOX_MODE[mode] : undefined;
  }

  return {
    host: socket.host,
    async subscribe(items: readonly FeedItem[]) {
      const refused: FeedSubscribeResult["refused"] = [];
      const before = new Map<string, string | undefined>();
      for (const item of items) {
        const row = opts.master.symbol(item.symbol, item.exchange as Exchange);
        if (!row) {
          refused.push({ exchange: item.exchange, symbol: item.symbol, reason: "Upstox lists no such contract" });
          continue;
        }
        if (!before.has(row.token)) before.set(row.token, upstoxModeOf(row.token));
        const w = wanted.get(row.token) ?? { symbol: item.symbol, exchange: item.exchange, modes: new Set() };
        w.modes.add(item.mode);
        wanted.set(row.token, w);
      }
      await sync(before);
      return { refused };
    },
    async unsubscribe(items: readonly FeedItem[]) {
      const before = new Map<string, string | undefined>();
      for (const item of items) {
        const row = opts.master.symbol(item.symbol, item.exchange as Exchange);
        const w = row && wanted.get(row.token);
        if (!row || !w) continue;
        if (!before.has(row.token)) before.set(row.token, upstoxModeOf(row.token));
        w.modes.delete(item.mode);
        if (w.modes.size === 0) wanted.delete(row.token);
      }
      await sync(before);
    },
    close: () => socket.close(),
  };
}
