/**
 * OpenAlgo's market-data stream (docs/openalgo.md "WebSocket"): connect to the WebSocket proxy, `authenticate`,
 * then `subscribe`/`unsubscribe` batches and map every `market_data` frame (./map-feed). Subscribe takes one mode per
 * message, so a batch is sent as one message per mode; unsubscribe reads the mode per item and defaults it to 2, so
 * every item carries its own mode explicitly (a wrong mode answers success and leaves the stream running).
 *
 * A stream never fails silently: an unexpected close, an error frame, or a ping left unanswered until the next one
 * (a proxy that stalls with the socket open) ends it through `onClose`. Log lines carry the host and the account,
 * never the key.
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
import { mapMarketData } from "./map-feed";

export interface MarketFeedOptions extends MarketFeedTimings {
  wsUrl: string;
  apiKey: string;
  accountId: string;
  /** Resolves the WS host instead of the system resolver (the operator's host policy). */
  lookup?: LookupFunction;
  /** Clock for `receivedAt` (tests). */
  now?: () => Date;
}

/** Contracts per subscribe/unsubscribe message: large lists go in several messages. */
const BATCH = 100;

interface Pending {
  verb: "subscribe" | "unsubscribe";
  resolve(frame: Record<string, unknown>): void;
  reject(error: Error): void;
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += BATCH) out.push(items.slice(i, i + BATCH));
  return out;
}

/** The items a subscribe ack refused: those it marks as errors, or the whole batch for an error without items. */
function refusedIn(frame: Record<string, unknown>, batch: readonly FeedItem[]): FeedSubscribeResult["refused"] {
  const subs = Array.isArray(frame.subscriptions) ? frame.subscriptions : [];
  if (frame.status === "error" && subs.length === 0) {
    const reason = typeof frame.message === "string" ? frame.message : "refused by the broker";
    return batch.map((i) => ({ exchange: i.exchange, symbol: i.symbol, reason }));
  }
  return subs
    .filter((s): s is Record<string, unknown> => typeof s === "object" && s !== null && s.status === "error")
    .map((s) => ({
      exchange: String(s.exchange ?? ""),
      symbol: String(s.symbol ?? ""),
      reason: typeof s.message === "string" ? s.message : "refused by the broker",
    }));
}

export function openMarketFeed(opts: MarketFeedOptions, handlers: MarketFeedHandlers): Promise<MarketFeed> {
  const setupMs = opts.setupTimeoutMs ?? 5_000;
  const heartbeatMs = opts.heartbeatMs ?? 10_000;
  const now = opts.now ?? (() => new Date());
  const host = new URL(opts.wsUrl).host;
  const where = { broker: "openalgo", ws: host, accountId: opts.accountId };
  const ws = new WebSocket(opts.wsUrl, { handshakeTimeout: setupMs, ...(opts.lookup ? { lookup: opts.lookup } : {}) });
  const pending: Pending[] = [];
  let ready = false;
  let ended = false;
  let awaitingPong = false;
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
      const reason = error ?? new BrokerUnavailableError("market-data stream closed", "unreachable");
      for (const p of pending.splice(0)) p.reject(reason);
      if (!error) return;
      log().warn({ ...where, error: error.message }, "market-data stream ended");
      if (ready) handlers.onClose(error);
      else reject(error);
    }

    const send = (msg: Record<string, unknown>) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg));
    };

    /** Sends `msg` and waits for its acknowledgement (acks come in request order; errors carry no type). */
    function request(verb: Pending["verb"], msg: Record<string, unknown>): Promise<Record<string, unknown>> {
      if (ended) return Promise.reject(new BrokerUnavailableError("market-data stream is closed", "unreachable"));
      return new Promise((res, rej) => {
        pending.push({ verb, resolve: res, reject: rej });
        send(msg);
      });
    }

    const feed: MarketFeed = {
      host,
      async subscribe(items: readonly FeedItem[]) {
        const refused: FeedSubscribeResult["refused"] = [];
        for (const mode of [1, 2, 3] as FeedMode[]) {
          const ofMode = items.filter((i) => i.mode === mode);
          for (const batch of chunks(ofMode)) {
            const symbols = batch.map((i) => ({ symbol: i.symbol, exchange: i.exchange }));
            const ack = await request("subscribe", { action: "subscribe", symbols, mode, depth: 5 });
            refused.push(...refusedIn(ack, batch));
          }
        }
        return { refused };
      },
      async unsubscribe(items: readonly FeedItem[]) {
        for (const batch of chunks(items)) {
          const symbols = batch.map((i) => ({ symbol: i.symbol, exchange: i.exchange, mode: i.mode }));
          await request("unsubscribe", { action: "unsubscribe", symbols });
        }
      },
      async close() {
        if (ended) return;
        end(null);
      },
    };

    ws.on("open", () => send({ action: "authenticate", api_key: opts.apiKey }));
    ws.on("error", (e) => end(new BrokerUnavailableError(`market-data stream: ${e.message}`, "unreachable")));
    ws.on("close", (code) =>
      end(new BrokerUnavailableError(`market-data stream closed by the broker (code ${code})`, "unreachable")),
    );
    ws.on("message", (data) => {
      let frame: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(data.toString());
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
        frame = parsed as Record<string, unknown>;
      } catch {
        return end(
          new BrokerUnavailableError("market-data stream sent a frame that is not a JSON object", "bad_response"),
        );
      }
      if (frame.type === "market_data") {
        const tick = ready ? mapMarketData(frame, now()) : null;
        if (tick) handlers.onTick(tick);
        return;
      }
      if (frame.type === "pong") {
        awaitingPong = false;
        return;
      }
      if (frame.status === "error" && frame.type === undefined) {
        const text = typeof frame.message === "string" ? frame.message : "error";
        if (!ready) {
          if (frame.code === "AUTHENTICATION_ERROR")
            return end(new BrokerAuthError(`Market-data stream refused the API key: ${text}`));
          return end(
            new BrokerUnavailableError(`market-data stream error ${String(frame.code)}: ${text}`, "server_error"),
          );
        }
        // After authentication an error answers the oldest request still waiting (errors name no verb).
        const p = pending.shift();
        if (p) p.reject(new BrokerUnavailableError(`market-data ${p.verb} refused: ${text}`, "server_error"));
        else log().warn({ ...where, code: frame.code, error: text }, "market-data stream error");
        return;
      }
      if (frame.type === "auth" && !ready) {
        if (frame.status !== "success")
          return end(new BrokerAuthError(`Market-data stream refused the API key: ${String(frame.message ?? "")}`));
        ready = true;
        clearTimeout(setupTimer);
        heartbeat = setInterval(() => {
          if (awaitingPong)
            return end(new BrokerUnavailableError(`market-data stream silent for ${heartbeatMs} ms`, "timeout"));
          awaitingPong = true;
          send({ action: "ping" });
        }, heartbeatMs);
        return resolve(feed);
      }
      if (frame.type === "subscribe" || frame.type === "unsubscribe") {
        const i = pending.findIndex((p) => p.verb === frame.type);
        if (i >= 0) pending.splice(i, 1)[0].resolve(frame);
      }
    });
  });
}
