/**
 * Angel One's order-status WebSocket (docs/brokers/angel.md "Order updates"), spoken with `ws`: the upgrade carries
 * `Authorization: Bearer <jwt>` (with the API key, client code and feed token, as Angel's SDKs send), the server greets
 * with `AB00` and then pushes one JSON message per order event, its `orderData` shaped like an order-book row. A text
 * `ping` is answered `pong`; one left unanswered until the next, or an unexpected close, ends the stream through
 * `onError` (the caller re-subscribes and reconciles from the order book: updates sent meanwhile are lost). The same
 * event may be pushed twice; it is delivered once.
 */
import type { LookupFunction } from "node:net";
import { WebSocket } from "ws";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import type { OrderUpdate, Subscription } from "@/lib/brokers/types";
import { AppError, BrokerUnavailableError } from "@/lib/errors";
import { log } from "@/lib/log";
import { type AngelStreamAuth, refusal, upgradeOptions } from "./market-feed";
import { mapOrderStatus, orderStatusMessage } from "./map-stream";

export interface AngelOrderStreamOptions {
  url: string;
  auth: AngelStreamAuth;
  accountId: string;
  /** Today's scrip master, loaded before connecting (updates name Angel's symbols and tokens). */
  master: InstrumentMaster;
  lookup?: LookupFunction;
  setupTimeoutMs?: number;
  /** A text ping is sent this often; no pong by the next one ends the stream with an error, ms. */
  heartbeatMs?: number;
}

const DEDUPE_WINDOW = 2_000;

export function openAngelOrderStream(
  opts: AngelOrderStreamOptions,
  onUpdate: (update: OrderUpdate) => void,
  onError: (error: Error) => void,
): Promise<Subscription> {
  const setupMs = opts.setupTimeoutMs ?? 5_000;
  const heartbeatMs = opts.heartbeatMs ?? 10_000;
  const where = { broker: "angel", ws: new URL(opts.url).host, accountId: opts.accountId };
  const ws = new WebSocket(opts.url, upgradeOptions(opts.auth, setupMs, opts.lookup, true));
  const seen = new Set<string>();
  let ready = false;
  let done = false;
  let awaitingPong = false;
  let heartbeat: NodeJS.Timeout | undefined;

  return new Promise<Subscription>((resolve, reject) => {
    const setupTimer = setTimeout(
      () => fail(new BrokerUnavailableError(`order stream not open within ${setupMs} ms`, "timeout")),
      setupMs,
    );

    /** Ends the stream once: before it is open the promise rejects, afterwards `onError` hears about it. */
    function fail(error: AppError): void {
      if (done) return;
      done = true;
      clearTimeout(setupTimer);
      clearInterval(heartbeat);
      ws.terminate();
      log().warn({ ...where, error: error.message }, "order stream failed");
      if (ready) onError(error);
      else reject(error);
    }

    ws.on("unexpected-response", (req, res) => {
      res.resume();
      fail(refusal("order stream", res.statusCode ?? 0));
      req.destroy();
    });
    ws.on("error", (e) => fail(new BrokerUnavailableError(`order stream: ${e.message}`, "unreachable")));
    ws.on("close", (code) =>
      fail(new BrokerUnavailableError(`order stream closed by the broker (code ${code})`, "unreachable")),
    );
    ws.on("open", () => {
      ready = true;
      clearTimeout(setupTimer);
      heartbeat = setInterval(() => {
        if (awaitingPong)
          return fail(new BrokerUnavailableError(`order stream silent for ${heartbeatMs} ms`, "timeout"));
        awaitingPong = true;
        ws.send("ping");
      }, heartbeatMs);
      resolve({
        async close() {
          if (done) return;
          done = true;
          clearInterval(heartbeat);
          ws.terminate();
        },
      });
    });
    ws.on("message", (data, isBinary) => {
      const text = isBinary ? "" : data.toString();
      if (text === "pong") {
        awaitingPong = false;
        return;
      }
      let update: OrderUpdate | null;
      try {
        const msg = orderStatusMessage.parse(JSON.parse(text));
        update = mapOrderStatus(opts.master, msg);
      } catch (e) {
        // A lost update is worth an alarm, not a dead stream: the caller reconciles from the order book.
        onError(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      if (!update) return;
      const key = `${update.orderId}|${update.status}|${update.filledQuantity}`;
      if (seen.has(key)) return;
      seen.add(key);
      if (seen.size > DEDUPE_WINDOW) seen.delete(seen.values().next().value!);
      onUpdate(update);
    });
  });
}
