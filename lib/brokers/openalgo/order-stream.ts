/**
 * OpenAlgo's order-update stream (docs/openalgo.md "WebSocket"): connect to the WebSocket proxy, `authenticate`,
 * `subscribe_orders`, then map every `order_update` frame. A stream never fails silently: an unexpected close, a
 * missed heartbeat or an unreadable update is reported through `onError` (the caller re-subscribes and reconciles
 * from the order book, since updates sent while disconnected are lost). Duplicate frames (same order, status and
 * filled quantity, as OpenAlgo's docs warn) are delivered once.
 */
import type { LookupFunction } from "node:net";
import type { RawData } from "ws";
import { updateDelivery } from "@/lib/brokers/order-updates";
import { openStreamSocket } from "@/lib/brokers/stream-socket";
import type { OrderUpdate, Subscription } from "@/lib/brokers/types";
import { BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
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

/** Whether a frame is the proxy's answer to `{"action":"ping"}`. */
export function isPong(data: RawData): boolean {
  try {
    return (JSON.parse(data.toString()) as { type?: unknown } | null)?.type === "pong";
  } catch {
    return false;
  }
}

export async function openOrderStream(
  opts: OrderStreamOptions,
  onUpdate: (update: OrderUpdate) => void,
  onError: (error: Error) => void,
): Promise<Subscription> {
  const deliver = updateDelivery(onUpdate, onError);
  const json = (msg: Record<string, unknown>) => JSON.stringify(msg);
  const socket = openStreamSocket({
    url: opts.wsUrl,
    lookup: opts.lookup,
    what: "order stream",
    broker: "openalgo",
    accountId: opts.accountId,
    setupTimeoutMs: opts.setupTimeoutMs ?? 5_000,
    heartbeat: { everyMs: opts.heartbeatMs ?? 15_000, message: () => json({ action: "ping" }), isAnswer: isPong },
    readyOn: "protocol",
    gracefulClose: true,
    // Without an answer of its own, a refused upgrade reads as `ws` words it.
    refused: (status) =>
      new BrokerUnavailableError(`order stream: Unexpected server response: ${status}`, "unreachable"),
    onOpen: (s) => void s.send(json({ action: "authenticate", api_key: opts.apiKey })).catch(() => undefined),
    onData(data, _binary, s) {
      let frame: { type?: unknown; status?: unknown; code?: unknown; message?: unknown };
      try {
        frame = JSON.parse(data.toString());
      } catch {
        return s.fail(new BrokerUnavailableError("order stream sent a frame that is not JSON", "bad_response"));
      }
      if (frame.status === "error") {
        const text = typeof frame.message === "string" ? frame.message : "error";
        if (frame.code === "AUTHENTICATION_ERROR")
          return s.fail(new BrokerAuthError(`Order stream refused the API key: ${text}`));
        return s.fail(new BrokerUnavailableError(`order stream error ${String(frame.code)}: ${text}`, "server_error"));
      }
      if (frame.type === "auth") return void s.send(json({ action: "subscribe_orders" })).catch(() => undefined);
      if (frame.type === "subscribe_orders") return s.markReady();
      if (frame.type === "order_update") deliver(() => mapOrderUpdate(frame));
    },
    onEnd: onError,
  });
  await socket.ready;
  return { close: () => socket.close() };
}
