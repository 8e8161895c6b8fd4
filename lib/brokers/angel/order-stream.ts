/**
 * Angel One's order-status WebSocket (docs/brokers/angel.md "Order updates"), spoken with `ws`: the upgrade carries
 * `Authorization: Bearer <jwt>` (with the API key, client code and feed token, as Angel's SDKs send), the server greets
 * with `AB00` and then pushes one JSON message per order event, its `orderData` shaped like an order-book row. A text
 * `ping` is answered `pong`; one left unanswered until the next, or an unexpected close, ends the stream through
 * `onError` (the caller re-subscribes and reconciles from the order book: updates sent meanwhile are lost). The same
 * event may be pushed twice; it is delivered once.
 */
import type { LookupFunction } from "node:net";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import { updateDelivery } from "@/lib/brokers/order-updates";
import { openStreamSocket } from "@/lib/brokers/stream-socket";
import type { OrderUpdate, Subscription } from "@/lib/brokers/types";
import { type AngelStreamAuth, isPong, refusal, upgradeOptions } from "./market-feed";
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

export async function openAngelOrderStream(
  opts: AngelOrderStreamOptions,
  onUpdate: (update: OrderUpdate) => void,
  onError: (error: Error) => void,
): Promise<Subscription> {
  const deliver = updateDelivery(onUpdate, onError);
  const setupTimeoutMs = opts.setupTimeoutMs ?? 5_000;
  const socket = openStreamSocket({
    url: opts.url,
    wsOptions: upgradeOptions(opts.auth, setupTimeoutMs, opts.lookup, true),
    what: "order stream",
    broker: "angel",
    accountId: opts.accountId,
    setupTimeoutMs,
    heartbeat: { everyMs: opts.heartbeatMs ?? 10_000, message: () => "ping", isAnswer: isPong },
    readyOn: "open",
    refused: (status) => refusal("order stream", status),
    onData(data, isBinary) {
      if (isPong(data, isBinary)) return;
      deliver(() => mapOrderStatus(opts.master, orderStatusMessage.parse(JSON.parse(isBinary ? "" : data.toString()))));
    },
    onEnd: onError,
  });
  await socket.ready;
  return { close: () => socket.close() };
}
