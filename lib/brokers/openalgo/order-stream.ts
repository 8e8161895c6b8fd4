/**
 * OpenAlgo's order-update stream (docs/openalgo.md "WebSocket"): connect to the WebSocket proxy, `authenticate`,
 * `subscribe_orders`, then map every `order_update` frame. A stream never fails silently: an unexpected close, a
 * missed heartbeat or an unreadable update is reported through `onError` (the caller re-subscribes and reconciles
 * from the order book, since updates sent while disconnected are lost). Duplicate frames (same order, status and
 * filled quantity, as OpenAlgo's docs warn) are delivered once.
 */
import type { LookupFunction } from "node:net";
import { WebSocket } from "ws";
import type { OrderUpdate, Subscription } from "@/lib/brokers/types";
import { AppError, BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { log } from "@/lib/log";
import { mapOrderUpdate } from "./map";

export interface OrderStreamOptions {
  wsUrl: string;
  apiKey: string;
  accountId: string;
  /** Time allowed to connect, authenticate and subscribe, ms. */
  setupTimeoutMs?: number;
  /** A JSON ping is sent this often; no pong by the next one ends the stream with an error, ms. */
  heartbeatMs?: number;
  /** Resolves the WS host instead of the system resolver (the operator's host policy). */
  lookup?: LookupFunction;
}

const DEDUPE_WINDOW = 2_000;

export function openOrderStream(
  opts: OrderStreamOptions,
  onUpdate: (update: OrderUpdate) => void,
  onError: (error: Error) => void,
): Promise<Subscription> {
  const setupMs = opts.setupTimeoutMs ?? 5_000;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const where = { broker: "openalgo", ws: new URL(opts.wsUrl).host, accountId: opts.accountId };
  const ws = new WebSocket(opts.wsUrl, { handshakeTimeout: setupMs, ...(opts.lookup ? { lookup: opts.lookup } : {}) });
  const seen = new Set<string>();
  let ready = false;
  let closing = false;
  let failed = false;
  let awaitingPong = false;
  let heartbeat: NodeJS.Timeout | undefined;

  return new Promise<Subscription>((resolve, reject) => {
    const setupTimer = setTimeout(
      () => fail(new BrokerUnavailableError(`order stream not ready within ${setupMs} ms`, "timeout")),
      setupMs,
    );

    /** Ends the stream once: before it is ready the promise rejects, afterwards `onError` hears about it. */
    function fail(error: AppError): void {
      if (failed || closing) return;
      failed = true;
      clearTimeout(setupTimer);
      clearInterval(heartbeat);
      ws.terminate();
      log().warn({ ...where, error: error.message }, "order stream failed");
      if (ready) onError(error);
      else reject(error);
    }

    const send = (msg: Record<string, unknown>) => ws.send(JSON.stringify(msg));

    ws.on("open", () => send({ action: "authenticate", api_key: opts.apiKey }));
    ws.on("error", (e) => fail(new BrokerUnavailableError(`order stream: ${e.message}`, "unreachable")));
    ws.on("close", (code) =>
      fail(new BrokerUnavailableError(`order stream closed by the broker (code ${code})`, "unreachable")),
    );
    ws.on("message", (data) => {
      let frame: { type?: unknown; status?: unknown; code?: unknown; message?: unknown };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return fail(new BrokerUnavailableError("order stream sent a frame that is not JSON", "bad_response"));
      }
      if (frame.status === "error") {
        const text = typeof frame.message === "string" ? frame.message : "error";
        if (frame.code === "AUTHENTICATION_ERROR")
          return fail(new BrokerAuthError(`Order stream refused the API key: ${text}`));
        return fail(new BrokerUnavailableError(`order stream error ${String(frame.code)}: ${text}`, "server_error"));
      }
      if (frame.type === "auth") return send({ action: "subscribe_orders" });
      if (frame.type === "pong") {
        awaitingPong = false;
        return;
      }
      if (frame.type === "subscribe_orders") {
        ready = true;
        clearTimeout(setupTimer);
        heartbeat = setInterval(() => {
          if (awaitingPong)
            return fail(new BrokerUnavailableError(`order stream silent for ${heartbeatMs} ms`, "timeout"));
          awaitingPong = true;
          send({ action: "ping" });
        }, heartbeatMs);
        return resolve({
          async close() {
            if (closing || failed) return;
            closing = true;
            clearInterval(heartbeat);
            await new Promise<void>((done) => {
              ws.once("close", () => done());
              ws.close(1000);
              setTimeout(() => {
                ws.terminate();
                done();
              }, 1_000).unref();
            });
          },
        });
      }
      if (frame.type !== "order_update") return;
      let update: OrderUpdate;
      try {
        update = mapOrderUpdate(frame);
      } catch (e) {
        // A lost update is worth an alarm, not a dead stream: the caller reconciles from the order book.
        onError(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      const key = `${update.orderId}|${update.status}|${update.filledQuantity}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (seen.size > DEDUPE_WINDOW) seen.delete(seen.values().next().value!);
      onUpdate(update);
    });
  });
}
