/**
 * One connection to an account's Kite ticker (docs/brokers/zerodha.md "Market data stream"), shared by the market feed
 * and the order-update stream. Kite takes the key and token in the URL and refuses a bad one at the handshake
 * (HTTP 403 → `BrokerAuthError`). It sends a one-byte heartbeat whenever it has had nothing else to send for a
 * second, so silence is the stall signal: nothing at all for the heartbeat allowance ends the connection. The host is
 * resolved with the operator's host policy (`lookup`). Errors and log lines never carry the URL (it holds the token).
 */
import type { LookupFunction } from "node:net";
import { bytesOf, openStreamSocket } from "@/lib/brokers/stream-socket";
import { type AppError, BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { scrub } from "./kite-client";

/** Kite's heartbeat comes every second; shorter silences than this are never taken for a stall, ms. */
export const MIN_SILENCE_MS = 3_000;

export interface TickerSocketOptions {
  url: string;
  accountId: string;
  /** What the connection is for, in errors and logs (`market-data stream`, `order stream`). */
  what: string;
  setupTimeoutMs?: number;
  /** Longest silence (no frame, not even a heartbeat) before the connection counts as stalled, ms. */
  heartbeatMs?: number;
  lookup?: LookupFunction;
  /** Texts that must never appear in errors (key, token). */
  secrets: readonly string[];
}

export interface TickerSocketHandlers {
  onBinary(data: Buffer): void;
  onText(text: string): void;
  /** The connection ended without `close()` (refused, dropped, silent); called once, after the socket is open. */
  onEnd(error: AppError): void;
}

export interface TickerSocket {
  readonly host: string;
  send(message: unknown): void;
  close(): void;
}

/** Opens the socket; resolves once it is open (Kite has no other handshake), rejects with a typed error. */
export async function openTickerSocket(
  opts: TickerSocketOptions,
  handlers: TickerSocketHandlers,
): Promise<TickerSocket> {
  const what = `Zerodha ${opts.what}`;
  const socket = openStreamSocket({
    url: opts.url,
    wsOptions: { headers: { "X-Kite-Version": "3" }, perMessageDeflate: false },
    lookup: opts.lookup,
    what,
    broker: "zerodha",
    accountId: opts.accountId,
    setupTimeoutMs: opts.setupTimeoutMs ?? 5_000,
    heartbeat: { silenceMs: Math.max(opts.heartbeatMs ?? 10_000, MIN_SILENCE_MS) },
    readyOn: "open",
    refused: (status) =>
      status === 403 || status === 401
        ? new BrokerAuthError(`Zerodha refused the session on its ${opts.what} (expired or revoked): log in again`)
        : new BrokerUnavailableError(`${what} refused the connection (HTTP ${status})`, "server_error"),
    scrub: (text) => scrub(text, opts.secrets),
    onData: (data, isBinary) => (isBinary ? handlers.onBinary(bytesOf(data)) : handlers.onText(data.toString())),
    onEnd: handlers.onEnd,
  });
  await socket.ready;
  return {
    host: socket.host,
    // A frame that cannot be written ends the connection, which `onEnd` reports.
    send: (message) => void socket.send(JSON.stringify(message)).catch(() => undefined),
    close: () => void socket.close(),
  };
}
