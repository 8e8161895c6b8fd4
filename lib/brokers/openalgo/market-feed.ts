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
import type {
  FeedItem,
  FeedMode,
  FeedSubscribeResult,
  MarketFeed,
  MarketFeedHandlers,
  MarketFeedTimings,
} from "@/lib/brokers/market-types";
import { openStreamSocket } from "@/lib/brokers/stream-socket";
import { BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { log } from "@/lib/log";
import { mapMarketData } from "./map-feed";
import { isPong } from "./order-stream";

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

export async function openMarketFeed(opts: MarketFeedOptions, handlers: MarketFeedHandlers): Promise<MarketFeed> {
  const now = opts.now ?? (() => new Date());
  const where = { broker: "openalgo", ws: new URL(opts.wsUrl).host, accountId: opts.accountId };
  const pending: Pending[] = [];
  const json = (msg: Record<string, unknown>) => JSON.stringify(msg);
  let ready = false;
  const socket = openStreamSocket({
    url: opts.wsUrl,
    lookup: opts.lookup,
    what: "market-data stream",
    broker: "openalgo",
    accountId: opts.accountId,
    setupTimeoutMs: opts.setupTimeoutMs ?? 5_000,
    heartbeat: { everyMs: opts.heartbeatMs ?? 10_000, message: () => json({ action: "ping" }), isAnswer: isPong },
    readyOn: "protocol",
    // Without an answer of its own, a refused upgrade reads as `ws` words it.
    refused: (status) =>
      new BrokerUnavailableError(`market-data stream: Unexpected server response: ${status}`, "unreachable"),
    onOpen: (s) => void s.send(json({ action: "authenticate", api_key: opts.apiKey })).catch(() => undefined),
    onData(data, _binary, s) {
      let frame: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(data.toString());
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object");
        frame = parsed as Record<string, unknown>;
      } catch {
        return s.fail(
          new BrokerUnavailableError("market-data stream sent a frame that is not a JSON object", "bad_response"),
        );
      }
      if (frame.type === "market_data") {
        const tick = ready ? mapMarketData(frame, now()) : null;
        if (tick) handlers.onTick(tick);
        return;
      }
      if (frame.status === "error" && frame.type === undefined) {
        const text = typeof frame.message === "string" ? frame.message : "error";
        if (!ready) {
          if (frame.code === "AUTHENTICATION_ERROR")
            return s.fail(new BrokerAuthError(`Market-data stream refused the API key: ${text}`));
          return s.fail(
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
          return s.fail(new BrokerAuthError(`Market-data stream refused the API key: ${String(frame.message ?? "")}`));
        ready = true;
        return s.markReady();
      }
      if (frame.type === "subscribe" || frame.type === "unsubscribe") {
        const i = pending.findIndex((p) => p.verb === frame.type);
        if (i >= 0) pending.splice(i, 1)[0].resolve(frame);
      }
    },
    onStop: (reason) => {
      for (const p of pending.splice(0)) p.reject(reason);
    },
    onEnd: handlers.onClose,
  });

  /** Sends `msg` and waits for its acknowledgement (acks come in request order; errors carry no type). */
  function request(verb: Pending["verb"], msg: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (socket.ended) return Promise.reject(new BrokerUnavailableError("market-data stream is closed", "unreachable"));
    return new Promise((res, rej) => {
      pending.push({ verb, resolve: res, reject: rej });
      // A frame that cannot be written ends the stream, which rejects every request still waiting.
      void socket.send(json(msg)).catch(() => undefined);
    });
  }

  await socket.ready;
  return {
    host: socket.host,
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
    close: () => socket.close(),
  };
}
