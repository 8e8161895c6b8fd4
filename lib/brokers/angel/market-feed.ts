/**
 * Angel One's SmartStream 2.0 market-data stream (docs/brokers/angel.md "Market data stream"), spoken with `ws`
 * directly (the SDK's WebSocketV2 has a fixed URL and no resolver option; "Why not the SDK"). The upgrade carries the
 * session (JWT, API key, client code, feed token) as headers; requests are JSON, ticks binary (./map-stream.ts).
 *
 * Angel acknowledges nothing but errors, so a subscribe or unsubscribe is followed by a `ping` and is done when its
 * `pong` comes back: the server has read the request by then, and any error frame naming one of its correlation ids
 * has arrived. The same text ping is the heartbeat: one left unanswered until the next ends the stream through
 * `onClose`, as does an unexpected close. Log lines carry the host and the account, never a token.
 */
import { randomBytes } from "node:crypto";
import type { LookupFunction } from "node:net";
import type { RawData } from "ws";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import type {
  Exchange,
  FeedItem,
  FeedSubscribeResult,
  MarketFeed,
  MarketFeedHandlers,
  MarketFeedTimings,
} from "@/lib/brokers/market-types";
import { openStreamSocket } from "@/lib/brokers/stream-socket";
import { AppError, BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { log } from "@/lib/log";
import { EXCHANGE_TYPES, feedTick, readPacket } from "./map-stream";

export interface AngelStreamAuth {
  jwt: string;
  apiKey: string;
  clientCode: string;
  feedToken: string;
}

export interface AngelFeedOptions extends MarketFeedTimings {
  url: string;
  auth: AngelStreamAuth;
  accountId: string;
  /** Today's scrip master (FeedItems name MirrorDesk symbols; Angel streams tokens). */
  master(): Promise<InstrumentMaster>;
  /** The operator's host-policy resolver. */
  lookup?: LookupFunction;
  now?: () => Date;
}

/** Tokens per request. */
const BATCH = 100;

interface Sub {
  exchange: string;
  symbol: string;
  modes: Set<number>;
}

/** Builds the upgrade's options: headers as Angel's SDKs send them, the host policy's resolver, the setup timeout. */
export function upgradeOptions(auth: AngelStreamAuth, setupMs: number, lookup?: LookupFunction, bearer = false) {
  return {
    handshakeTimeout: setupMs,
    headers: {
      Authorization: bearer ? `Bearer ${auth.jwt}` : auth.jwt,
      "x-api-key": auth.apiKey,
      "x-client-code": auth.clientCode,
      "x-feed-token": auth.feedToken,
    },
    ...(lookup ? { lookup } : {}),
  };
}

/** A refused upgrade: 401/403 is the session (log in again), anything else the broker being unavailable. */
export function refusal(what: string, status: number): AppError {
  return status === 401 || status === 403
    ? new BrokerAuthError(`Angel One refused the ${what} (HTTP ${status}): log in to the broker again`)
    : new BrokerUnavailableError(`Angel One refused the ${what} (HTTP ${status})`, "server_error");
}

/** Angel's answer to a text `ping`. */
export const isPong = (data: RawData, isBinary: boolean): boolean => !isBinary && data.toString() === "pong";

export async function openAngelMarketFeed(opts: AngelFeedOptions, handlers: MarketFeedHandlers): Promise<MarketFeed> {
  const now = opts.now ?? (() => new Date());
  const where = { broker: "angel", ws: new URL(opts.url).host, accountId: opts.accountId };
  const subs = new Map<string, Sub>();
  // Pongs answer pings in order: round trips and heartbeats share this queue.
  const pongWaiters: { resolve(): void; reject(e: Error): void }[] = [];
  const refusedIds = new Map<string, string>();
  const setupTimeoutMs = opts.setupTimeoutMs ?? 5_000;
  const socket = openStreamSocket({
    url: opts.url,
    wsOptions: upgradeOptions(opts.auth, setupTimeoutMs, opts.lookup),
    what: "market-data stream",
    broker: "angel",
    accountId: opts.accountId,
    setupTimeoutMs,
    heartbeat: {
      everyMs: opts.heartbeatMs ?? 10_000,
      message() {
        pongWaiters.push({ resolve: () => undefined, reject: () => undefined });
        return "ping";
      },
      isAnswer: isPong,
    },
    readyOn: "open",
    refused: (status) => refusal("market-data stream", status),
    onData,
    onStop: (reason) => {
      for (const w of pongWaiters.splice(0)) w.reject(reason);
    },
    onEnd: handlers.onClose,
  });

  function onData(data: RawData, isBinary: boolean): void {
    if (isBinary) {
      const p = readPacket(data as Buffer);
      const sub = p && subs.get(`${p.exchangeType}:${p.token}`);
      if (p && sub?.modes.has(p.mode)) handlers.onTick(feedTick(p, sub.exchange, sub.symbol, now()));
      return;
    }
    const text = data.toString();
    if (text === "pong") return pongWaiters.shift()?.resolve();
    let frame: { correlationID?: unknown; errorCode?: unknown; errorMessage?: unknown };
    try {
      frame = JSON.parse(text);
    } catch {
      return socket.fail(
        new BrokerUnavailableError("market-data stream sent an unreadable text frame", "bad_response"),
      );
    }
    const reason = `${String(frame.errorCode ?? "error")}: ${String(frame.errorMessage ?? "")}`;
    if (typeof frame.correlationID === "string" && frame.correlationID) refusedIds.set(frame.correlationID, reason);
    log().warn({ ...where, error: reason }, "market-data stream error frame");
  }

  /** Resolves once the server has answered a ping sent now (it has read everything sent before). */
  function roundTrip(): Promise<void> {
    if (socket.ended) return Promise.reject(new BrokerUnavailableError("market-data stream is closed", "unreachable"));
    return new Promise((res, rej) => {
      pongWaiters.push({ resolve: res, reject: rej });
      socket.send("ping").catch(rej);
    });
  }

  function request(action: 0 | 1, mode: number, keys: { exchangeType: number; token: string }[]): string[] {
    const ids: string[] = [];
    for (let i = 0; i < keys.length; i += BATCH) {
      const byType = new Map<number, string[]>();
      for (const k of keys.slice(i, i + BATCH))
        byType.set(k.exchangeType, [...(byType.get(k.exchangeType) ?? []), k.token]);
      const correlationID = randomBytes(5).toString("hex");
      ids.push(correlationID);
      const tokenList = [...byType].map(([exchangeType, tokens]) => ({ exchangeType, tokens }));
      // A write that fails ends the stream, and the round trip behind it rejects.
      void socket.send(JSON.stringify({ correlationID, action, params: { mode, tokenList } })).catch(() => undefined);
    }
    return ids;
  }

  const feed: MarketFeed = {
    host: socket.host,
    async subscribe(items: readonly FeedItem[]) {
      if (socket.ended) throw new BrokerUnavailableError("market-data stream is closed", "unreachable");
      const master = await opts.master();
      const refused: FeedSubscribeResult["refused"] = [];
      const sent: { item: FeedItem; key: string; ids: string[] }[] = [];
      for (const mode of [1, 2, 3]) {
        const batch: { item: FeedItem; exchangeType: number; token: string }[] = [];
        for (const item of items.filter((i) => i.mode === mode)) {
          const row = master.symbol(item.symbol, item.exchange as Exchange);
          const exchangeType = row && EXCHANGE_TYPES[row.brokerExchange];
          if (!row || exchangeType === undefined) {
            refused.push({ exchange: item.exchange, symbol: item.symbol, reason: "not in Angel One's scrip master" });
            continue;
          }
          batch.push({ item, exchangeType, token: row.token });
          const key = `${exchangeType}:${row.token}`;
          const sub = subs.get(key) ?? { exchange: item.exchange, symbol: item.symbol, modes: new Set() };
          sub.modes.add(mode);
          subs.set(key, sub);
        }
        if (batch.length === 0) continue;
        const ids = request(1, mode, batch);
        for (const b of batch) sent.push({ item: b.item, key: `${b.exchangeType}:${b.token}`, ids });
      }
      if (sent.length > 0) await roundTrip();
      const answered = new Map(sent.flatMap((s) => s.ids).map((id) => [id, refusedIds.get(id)]));
      for (const id of answered.keys()) refusedIds.delete(id);
      for (const s of sent) {
        const reason = s.ids.map((id) => answered.get(id)).find((r) => r !== undefined);
        if (reason === undefined) continue;
        refused.push({ exchange: s.item.exchange, symbol: s.item.symbol, reason });
        subs.get(s.key)?.modes.delete(s.item.mode);
      }
      return { refused };
    },
    async unsubscribe(items: readonly FeedItem[]) {
      if (socket.ended) throw new BrokerUnavailableError("market-data stream is closed", "unreachable");
      const master = await opts.master();
      const ids: string[] = [];
      for (const mode of [1, 2, 3]) {
        const keys: { exchangeType: number; token: string }[] = [];
        for (const item of items.filter((i) => i.mode === mode)) {
          const row = master.symbol(item.symbol, item.exchange as Exchange);
          const exchangeType = row && EXCHANGE_TYPES[row.brokerExchange];
          if (!row || exchangeType === undefined) continue;
          const key = `${exchangeType}:${row.token}`;
          // Ticks of a mode no longer wanted are dropped from now on, whatever the server still sends.
          subs.get(key)?.modes.delete(mode);
          if (subs.get(key)?.modes.size === 0) subs.delete(key);
          keys.push({ exchangeType, token: row.token });
        }
        if (keys.length === 0) continue;
        ids.push(...request(0, mode, keys));
      }
      if (ids.length === 0) return;
      await roundTrip();
      // An unsubscribe Angel refused leaves nothing to undo: its ticks are dropped here already.
      for (const id of ids) refusedIds.delete(id);
    },
    close: () => socket.close(),
  };

  await socket.ready;
  return feed;
}
