/**
 * One Upstox stream socket (docs/brokers/upstox.md "Market data stream", "Order updates"): connects to an authorized
 * one-time URL (already checked by ./stream-hosts.ts) through the operator's host policy, with no credentials of its own
 * and no redirects, and keeps it honest with WebSocket pings. Upstox sends no application heartbeat, so a ping left
 * unanswered until the next one ends the stream (a server that stalls with the socket open). A refused upgrade (401 or
 * 403: the one-time code was used, expired or belongs to a dead session) is an auth error.
 */
import type { LookupFunction } from "node:net";
import { type RawData, WebSocket } from "ws";
import { type AppError, BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { log } from "@/lib/log";

export interface StreamSocketOptions {
  url: URL;
  /** `market-data stream` or `order stream`, for messages. */
  what: string;
  accountId: string;
  lookup?: LookupFunction;
  /** Time allowed to connect, ms. */
  setupTimeoutMs: number;
  /** A ping is sent this often and must be answered before the next one, ms. */
  heartbeatMs: number;
}

export interface StreamSocket {
  /** `host:port` (never the URL: its query holds the one-time code). */
  readonly host: string;
  send(data: Buffer): Promise<void>;
  /** Ends the stream with `error` as if the server had (`onEnd` hears of it). */
  fail(error: AppError): void;
  /** Closes the stream; `onEnd` is not called. */
  close(): Promise<void>;
}

/** Resolves once the socket is open; afterwards every end not asked for through `close` reaches `onEnd` once. */
export function openStreamSocket(
  opts: StreamSocketOptions,
  onMessage: (data: RawData, socket: StreamSocket) => void,
  onEnd: (error: AppError) => void,
): Promise<StreamSocket> {
  const host = opts.url.host;
  const where = { broker: "upstox", ws: host, accountId: opts.accountId };
  const ws = new WebSocket(opts.url.href, {
    handshakeTimeout: opts.setupTimeoutMs,
    followRedirects: false,
    ...(opts.lookup ? { lookup: opts.lookup } : {}),
  });
  let ready = false;
  let ended = false;
  let awaitingPong = false;
  let heartbeat: NodeJS.Timeout | undefined;

  return new Promise<StreamSocket>((resolve, reject) => {
    const setupTimer = setTimeout(
      () => end(new BrokerUnavailableError(`${opts.what} not open within ${opts.setupTimeoutMs} ms`, "timeout")),
      opts.setupTimeoutMs,
    );

    function end(error: AppError | null): void {
      if (ended) return;
      ended = true;
      clearTimeout(setupTimer);
      clearInterval(heartbeat);
      ws.terminate();
      if (!error) return;
      log().warn({ ...where, error: error.message }, `${opts.what} ended`);
      if (ready) onEnd(error);
      else reject(error);
    }

    const socket: StreamSocket = {
      host,
      send: (data) =>
        new Promise<void>((res, rej) => {
          if (ended || ws.readyState !== WebSocket.OPEN)
            return rej(new BrokerUnavailableError(`${opts.what} is closed`, "unreachable"));
          ws.send(data, (e) =>
            e ? rej(new BrokerUnavailableError(`${opts.what}: send failed`, "unreachable")) : res(),
          );
        }),
      fail: (error) => end(error),
      close: async () => end(null),
    };

    ws.on("unexpected-response", (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      end(
        status === 401 || status === 403
          ? new BrokerAuthError(`Upstox refused the ${opts.what} (HTTP ${status}): log in again`)
          : new BrokerUnavailableError(`Upstox answered the ${opts.what} upgrade with HTTP ${status}`, "server_error"),
      );
    });
    ws.on("error", (e) => end(new BrokerUnavailableError(`${opts.what}: ${e.message}`, "unreachable")));
    ws.on("close", (code) =>
      end(new BrokerUnavailableError(`${opts.what} closed by the broker (code ${code})`, "unreachable")),
    );
    ws.on("pong", () => {
      awaitingPong = false;
    });
    ws.on("message", (data) => {
      if (ready && !ended) onMessage(data, socket);
    });
    ws.on("open", () => {
      ready = true;
      clearTimeout(setupTimer);
      heartbeat = setInterval(() => {
        if (awaitingPong)
          return end(new BrokerUnavailableError(`${opts.what} silent for ${opts.heartbeatMs} ms`, "timeout"));
        awaitingPong = true;
        ws.ping();
      }, opts.heartbeatMs);
      resolve(socket);
    });
  });
}
