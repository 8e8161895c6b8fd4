/**
 * Dhan's Live Market Feed (docs/brokers/dhan.md "Market data stream"): the token and client id travel in the
 * connection URL; subscriptions are JSON messages of at most 100 instruments, one request code per mode (ticker,
 * quote, full); answers are binary packets (./feed-packets, ./map-feed). Dhan acknowledges nothing, so a subscribe
 * resolves once its messages are sent, and instruments the day's master does not list are the only refusals.
 *
 * Setup: after the handshake the client pings once; a refused token makes Dhan send a disconnect packet and close,
 * which arrives before that pong, so the pong is the sign the connection was accepted. Afterwards a WebSocket ping
 * goes out every `heartbeatMs`; a period in which nothing at all arrived (no packet, ping or pong) ends the stream
 * through `onClose` — Dhan's own pings every 10 s keep a quiet market's connection alive too. Log lines carry the host
 * and the account, never the token.
 */
import type { LookupFunction } from "node:net";
import type {
  FeedItem,
  FeedMode,
  FeedSubscribeResult,
  MarketFeed,
  MarketFeedHandlers,
  MarketFeedTimings,
} from "@/lib/brokers/market-types";
import { bytesOf, openStreamSocket } from "@/lib/brokers/stream-socket";
import { AppError, BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { decodeFeed, DISCONNECT_REASONS, type FeedPacket, SEGMENT_NUMBERS } from "./feed-packets";
import { type Subscribed, tickOf } from "./map-feed";

/** Where an item is on Dhan's feed; null when the day's master does not list it. */
export type FeedResolver = (item: FeedItem) => Promise<{ segment: string; securityId: string } | null>;

export interface DhanFeedOptions extends MarketFeedTimings {
  /** The feed's URL without its query (docs/brokers/dhan.md "Hosts"). */
  url: string;
  token: string;
  clientId: string;
  accountId: string;
  resolve: FeedResolver;
  lookup?: LookupFunction;
  now?: () => Date;
}

const SUBSCRIBE: Record<FeedMode, number> = { 1: 15, 2: 17, 3: 21 };
const BATCH = 100;
/** Disconnect reasons that mean the token or client id was refused. */
const AUTH_REASONS = new Set([807, 808, 809]);

interface Entry extends Subscribed {
  modes: Set<FeedMode>;
}

function disconnectError(reason: number): AppError {
  const text = `Dhan ended the market-data stream (${reason}: ${DISCONNECT_REASONS[reason] ?? "unknown reason"})`;
  return AUTH_REASONS.has(reason) ? new BrokerAuthError(text) : new BrokerUnavailableError(text, "server_error");
}

export async function openDhanMarketFeed(opts: DhanFeedOptions, handlers: MarketFeedHandlers): Promise<MarketFeed> {
  const now = opts.now ?? (() => new Date());
  const target = new URL(opts.url);
  target.search = new URLSearchParams({
    version: "2",
    token: opts.token,
    clientId: opts.clientId,
    authType: "2",
  }).toString();
  const subs = new Map<string, Entry>();
  const socket = openStreamSocket({
    url: target,
    lookup: opts.lookup,
    what: "market-data stream",
    broker: "dhan",
    accountId: opts.accountId,
    setupTimeoutMs: opts.setupTimeoutMs ?? 5_000,
    heartbeat: { everyMs: opts.heartbeatMs ?? 10_000, ping: "protocol", heardBy: "anything" },
    readyOn: "protocol",
    refused: (status) =>
      status === 401 || status === 403
        ? new BrokerAuthError(`Dhan refused the market-data stream (HTTP ${status})`)
        : new BrokerUnavailableError(`Dhan refused the market-data stream (HTTP ${status})`, "server_error"),
    onOpen: (s) => s.ping(),
    // A refused token is closed before the pong of the first ping.
    onPong: (s) => s.markReady(),
    onData(data, binary, s) {
      // Dhan answers in binary only; a text frame is not part of the protocol.
      if (!binary) return;
      let packets: FeedPacket[];
      try {
        packets = decodeFeed(bytesOf(data));
      } catch {
        return s.fail(new BrokerUnavailableError("market-data stream sent a malformed packet", "bad_response"));
      }
      for (const p of packets) onPacket(p);
    },
    onEnd: handlers.onClose,
  });

  function onPacket(p: FeedPacket): void {
    if (p.kind === "disconnect") return socket.fail(disconnectError(p.reason));
    const sub = subs.get(`${p.segment}:${p.securityId}`);
    if (!sub) return;
    const tick = tickOf(p, sub, now());
    if (tick) handlers.onTick(tick);
  }

  function send(msg: Record<string, unknown>): void {
    if (socket.ended) throw new BrokerUnavailableError("market-data stream is closed", "unreachable");
    // A write that fails ends the stream, which `onClose` reports.
    void socket.send(JSON.stringify(msg)).catch(() => undefined);
  }

  /** Sends one request code for `list`, 100 instruments a message. */
  function request(code: number, list: { segment: string; securityId: string }[]): void {
    for (let i = 0; i < list.length; i += BATCH) {
      const batch = list.slice(i, i + BATCH);
      send({
        RequestCode: code,
        InstrumentCount: batch.length,
        InstrumentList: batch.map((x) => ({ ExchangeSegment: x.segment, SecurityId: x.securityId })),
      });
    }
  }

  const feed: MarketFeed = {
    host: socket.host,
    async subscribe(items: readonly FeedItem[]) {
      if (socket.ended) throw new BrokerUnavailableError("market-data stream is closed", "unreachable");
      const refused: FeedSubscribeResult["refused"] = [];
      const byMode = new Map<FeedMode, { segment: string; securityId: string }[]>();
      for (const item of items) {
        const at = await opts.resolve(item);
        if (!at) {
          refused.push({
            exchange: item.exchange,
            symbol: item.symbol,
            reason: `Dhan lists no ${item.symbol} on ${item.exchange}`,
          });
          continue;
        }
        const key = `${SEGMENT_NUMBERS[at.segment]}:${Number(at.securityId)}`;
        let entry = subs.get(key);
        if (!entry) {
          entry = { exchange: item.exchange, symbol: item.symbol, prevClose: null, oi: null, modes: new Set() };
          subs.set(key, entry);
        }
        entry.modes.add(item.mode);
        byMode.set(item.mode, [...(byMode.get(item.mode) ?? []), at]);
      }
      for (const [mode, list] of byMode) request(SUBSCRIBE[mode], list);
      return { refused };
    },
    async unsubscribe(items: readonly FeedItem[]) {
      const byMode = new Map<FeedMode, { segment: string; securityId: string }[]>();
      for (const item of items) {
        const at = await opts.resolve(item);
        if (!at) continue;
        const key = `${SEGMENT_NUMBERS[at.segment]}:${Number(at.securityId)}`;
        const entry = subs.get(key);
        entry?.modes.delete(item.mode);
        // Ticks still under way for a contract no mode wants any more are dropped.
        if (entry && entry.modes.size === 0) subs.delete(key);
        byMode.set(item.mode, [...(byMode.get(item.mode) ?? []), at]);
      }
      // Each mode's unsubscribe code is its subscribe code plus one.
      for (const [mode, list] of byMode) request(SUBSCRIBE[mode] + 1, list);
    },
    close: () => socket.close(),
  };

  await socket.ready;
  return feed;
}
