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
import { WebSocket } from "ws";
import type {
  FeedItem,
  FeedMode,
  FeedSubscribeResult,
  MarketFeed,
  MarketFeedHandlers,
  MarketFeedTimings,
} from "@/lib/brokers/market-types";
import { AppError, BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { log } from "@/lib/log";
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

export function openDhanMarketFeed(opts: DhanFeedOptions, handlers: MarketFeedHandlers): Promise<MarketFeed> {
  const setupMs = opts.setupTimeoutMs ?? 5_000;
  const heartbeatMs = opts.heartbeatMs ?? 10_000;
  const now = opts.now ?? (() => new Date());
  const target = new URL(opts.url);
  const host = target.host;
  target.search = new URLSearchParams({
    version: "2",
    token: opts.token,
    clientId: opts.clientId,
    authType: "2",
  }).toString();
  const where = { broker: "dhan", ws: host, accountId: opts.accountId };
  const ws = new WebSocket(target, { handshakeTimeout: setupMs, ...(opts.lookup ? { lookup: opts.lookup } : {}) });
  const subs = new Map<string, Entry>();
  let ready = false;
  let ended = false;
  let heard = false;
  let heartbeat: NodeJS.Timeout | undefined;

  return new Promise<MarketFeed>((resolve, reject) => {
    const setupTimer = setTimeout(
      () => end(new BrokerUnavailableError(`market-data stream not ready within ${setupMs} ms`, "timeout")),
      setupMs,
    );

    /** Ends the stream once: before it is ready the promise rejects, afterwards `onClose` hears about it. */
    function end(error: AppError | null): void {
      if (ended) return;
      ended = true;
      clearTimeout(setupTimer);
      clearInterval(heartbeat);
      ws.terminate();
      if (!error) return;
      log().warn({ ...where, error: error.message }, "market-data stream ended");
      if (ready) handlers.onClose(error);
      else reject(error);
    }

    function send(msg: Record<string, unknown>): void {
      if (ended || ws.readyState !== WebSocket.OPEN)
        throw new BrokerUnavailableError("market-data stream is closed", "unreachable");
      ws.send(JSON.stringify(msg));
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
      host,
      async subscribe(items: readonly FeedItem[]) {
        if (ended) throw new BrokerUnavailableError("market-data stream is closed", "unreachable");
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
      async close() {
        end(null);
      },
    };

    function onPacket(p: FeedPacket): void {
      if (p.kind === "disconnect") return end(disconnectError(p.reason));
      const sub = subs.get(`${p.segment}:${p.securityId}`);
      if (!sub || !ready) return;
      const tick = tickOf(p, sub, now());
      if (tick) handlers.onTick(tick);
    }

    ws.on("open", () => ws.ping());
    ws.on("ping", () => (heard = true));
    ws.on("pong", () => {
      heard = true;
      if (ready || ended) return;
      ready = true;
      clearTimeout(setupTimer);
      heartbeat = setInterval(() => {
        if (!heard)
          return end(new BrokerUnavailableError(`market-data stream silent for ${heartbeatMs} ms`, "timeout"));
        heard = false;
        ws.ping();
      }, heartbeatMs);
      resolve(feed);
    });
    ws.on("unexpected-response", (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      end(
        status === 401 || status === 403
          ? new BrokerAuthError(`Dhan refused the market-data stream (HTTP ${status})`)
          : new BrokerUnavailableError(`Dhan refused the market-data stream (HTTP ${status})`, "server_error"),
      );
    });
    ws.on("error", (e) => end(new BrokerUnavailableError(`market-data stream: ${e.message}`, "unreachable")));
    ws.on("close", (code) =>
      end(new BrokerUnavailableError(`market-data stream closed by the broker (code ${code})`, "unreachable")),
    );
    ws.on("message", (data, binary) => {
      heard = true;
      // Dhan answers in binary only; a text frame is not part of the protocol.
      if (!binary) return;
      let packets: FeedPacket[];
      try {
        packets = decodeFeed(Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer));
      } catch {
        return end(new BrokerUnavailableError("market-data stream sent a malformed packet", "bad_response"));
      }
      for (const p of packets) onPacket(p);
    });
  });
}
