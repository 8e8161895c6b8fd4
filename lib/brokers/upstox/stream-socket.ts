/**
 * One Upstox stream socket (docs/brokers/upstox.md "Market data stream", "Order updates"): connects to an authorized
 * one-time URL (already checked by ./stream-hosts.ts) through the operator's host policy, with no credentials of its own
 * and no redirects, and keeps it honest with WebSocket pings. Upstox sends no application heartbeat, so a ping left
 * unanswered until the next one ends the stream (a server that stalls with the socket open). A refused upgrade (401 or
 * 403: the one-time code was used, expired or belongs to a dead session) is an auth error.
 */
import type { LookupFunction } from "node:net";
import type { RawData } from "ws";
import { openStreamSocket as openSocket, type StreamSocket } from "@/lib/brokers/stream-socket";
import { type AppError, BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";

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

/** Resolves once the socket is open; afterwards every end not asked for through `close` reaches `onEnd` once. */
export async function openStreamSocket(
  opts: StreamSocketOptions,
  onMessage: (data: RawData, socket: StreamSocket) => void,
  onEnd: (error: AppError) => void,
): Promise<StreamSocket> {
  const { what } = opts;
  const socket = openSocket({
    url: opts.url,
    wsOptions: { followRedirects: false },
    lookup: opts.lookup,
    what,
    broker: "upstox",
    accountId: opts.accountId,
    setupTimeoutMs: opts.setupTimeoutMs,
    heartbeat: { everyMs: opts.heartbeatMs, ping: "protocol", heardBy: "pong" },
    readyOn: "open",
    refused: (status) =>
      status === 401 || status === 403
        ? new BrokerAuthError(`Upstox refused the ${what} (HTTP ${status}): log in again`)
        : new BrokerUnavailableError(`Upstox answered the ${what} upgrade with HTTP ${status}`, "server_error"),
    onData: (data, _binary, s) => onMessage(data, s),
    onEnd,
  });
  await socket.ready;
  return socket;
}
