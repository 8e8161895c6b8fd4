/**
 * One connection to an account's Kite ticker (docs/brokers/zerodha.md "Market data stream"), shared by the market feed
 * and the order-update stream. Kite takes the key and token in the URL and refuses a bad one at the handshake
 * (HTTP 403 → `BrokerAuthError`). It sends a one-byte heartbeat whenever it has had nothing else to send for a
 * second, so silence is the stall signal: nothing at all for the heartbeat allowance ends the connection. The host is
 * resolved with the operator's host policy (`lookup`). Errors and log lines never carry the URL (it holds the token).
 */
import type { LookupFunction } from "node:net";
import { type RawData, WebSocket } from "ws";
import { type AppError, BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { scrub } from "./kite-client";

/** Kite's heartbeat comes every second; shorter silences than this are never taken for a stall, ms. */
export const MIN_SILENCE_MS = 3_000;

export interface TickerSocketOptions {
  url: string;
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

function bufferOf(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** Opens the socket; resolves once it is open (Kite has no other handshake), rejects with a typed error. */
export function openTickerSocket(opts: TickerSocketOptions, handlers: TickerSocketHandlers): Promise<TickerSocket> {
  const setupMs = opts.setupTimeoutMs ?? 5_000;
  const silenceMs = Math.max(opts.heartbeatMs ?? 10_000, MIN_SILENCE_MS);
  let host: string;
  let ws: WebSocket;
  try {
    host = new URL(opts.url).host;
    ws = new WebSocket(opts.url, {
      handshakeTimeout: setupMs,
      headers: { "X-Kite-Version": "3" },
      perMessageDeflate: false,
      ...(opts.lookup ? { lookup: opts.lookup } : {}),
    });
  } catch {
    // The URL carries the token, and URL errors quote their input: say nothing of it.
    return Promise.reject(new BrokerUnavailableError(`Zerodha ${opts.what}: unusable stream address`, "unreachable"));
  }
  let open = false;
  let ended = false;
  let silence: NodeJS.Timeout | undefined;

  return new Promise<TickerSocket>((resolve, reject) => {
    const setupTimer = setTimeout(
      () => end(new BrokerUnavailableError(`Zerodha ${opts.what} not open within ${setupMs} ms`, "timeout")),
      setupMs,
    );

    function end(error: AppError | null): void {
      if (ended) return;
      ended = true;
      clearTimeout(setupTimer);
      clearTimeout(silence);
      ws.terminate();
      if (!error) return;
      if (open) handlers.onEnd(error);
      else reject(error);
    }

    ws.on("unexpected-response", (req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      req.destroy();
      end(
        status === 403 || status === 401
          ? new BrokerAuthError(`Zerodha refused the session on its ${opts.what} (expired or revoked): log in again`)
          : new BrokerUnavailableError(`Zerodha ${opts.what} refused the connection (HTTP ${status})`, "server_error"),
      );
    });
    ws.on("error", (e) =>
      end(new BrokerUnavailableError(`Zerodha ${opts.what}: ${scrub(e.message, opts.secrets)}`, "unreachable")),
    );
    ws.on("close", (code) =>
      end(new BrokerUnavailableError(`Zerodha ${opts.what} closed by the broker (code ${code})`, "unreachable")),
    );
    ws.on("open", () => {
      open = true;
      clearTimeout(setupTimer);
      silence = setTimeout(
        () => end(new BrokerUnavailableError(`Zerodha ${opts.what} silent for ${silenceMs} ms`, "timeout")),
        silenceMs,
      );
      resolve({
        host,
        send(message) {
          if (!ended && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
        },
        close: () => end(null),
      });
    });
    ws.on("message", (data, isBinary) => {
      if (ended) return;
      silence?.refresh();
      if (isBinary) handlers.onBinary(bufferOf(data));
      else handlers.onText(data.toString());
    });
  });
}
