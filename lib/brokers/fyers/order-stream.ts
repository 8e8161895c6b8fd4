/**
 * Fyers' order socket (docs/brokers/fyers.md "Order updates"): connect with `Authorization: <app_id>:<access_token>`,
 * send `SUB_ORD` for `orders`, then map every `{"orders": {...}}` frame. The stream counts as open once the server has
 * answered after the subscription (its acknowledgement, or the pong of the ping sent right behind it), so nothing
 * placed afterwards can be missed. A text `ping` goes out every heartbeat; no `pong` by the next one ends the stream.
 * A stream never fails silently: a close, a missed pong or an error frame is reported through `onError` (the caller
 * re-subscribes and reconciles from the order book). Duplicate frames (same order, status and filled quantity) are
 * delivered once. Log lines carry the host and the account, never the token.
 */
import type { LookupFunction } from "node:net";
import { z } from "zod";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import { orderUpdateOf, updateDelivery } from "@/lib/brokers/order-updates";
import { openStreamSocket } from "@/lib/brokers/stream-socket";
import type { OrderUpdate, Subscription } from "@/lib/brokers/types";
import { BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { mapOrder } from "./map";
import { classify } from "./wire";

export interface FyersOrderStreamOptions {
  url: string;
  /** `<app_id>:<access_token>`: the handshake's Authorization header. */
  authorization: string;
  accountId: string;
  master: InstrumentMaster;
  /** Time allowed to connect and subscribe, ms. */
  setupTimeoutMs?: number;
  /** A `ping` is sent this often; no `pong` by the next one ends the stream with an error, ms. */
  heartbeatMs?: number;
  /** Resolves the socket host instead of the system resolver (the operator's host policy). */
  lookup?: LookupFunction;
}

/**
 * The socket's internal OMS codes (`ord_status`) folded into Fyers' status numbers, as Fyers' Node SDK folds them;
 * used only when a frame lacks the status number itself (`org_ord_status`).
 */
const OMS_TO_STATUS: Readonly<Record<number, number>> = {
  ...Object.fromEntries([11, 12, 20, 21].map((c) => [c, 4])),
  ...Object.fromEntries([22, 23, 24, 25, 26, 51, 52, 53, 54, 55, 61, 62, 63, 64, 71, 72].map((c) => [c, 6])),
  90: 2,
  91: 1,
  73: 1,
  92: 5,
  93: 5,
  94: 5,
};

const num = z.coerce.number();
const int = z.coerce.number().int();

/** The `orders` object of an order frame, in the socket's raw keys. */
export const socketOrderSchema = z
  .object({
    // Not z.coerce.string(): it would turn a missing id into "undefined".
    id: z.union([z.string().min(1), z.number()]).transform(String),
    symbol: z.string(),
    exchange: int,
    segment: int,
    qty: int,
    qty_filled: int.default(0),
    qty_remaining: int.optional(),
    price_limit: num.default(0),
    price_stop: num.default(0),
    price_traded: num.default(0),
    ord_type: int,
    tran_side: int,
    product_type: z.string(),
    org_ord_status: int.optional(),
    ord_status: int.optional(),
    oms_msg: z.string().nullish(),
    status_msg: z.string().nullish(),
    time_oms: z.string().nullish(),
  })
  .refine((o) => o.org_ord_status !== undefined || o.ord_status !== undefined, "no status");

/** One order frame's `orders` object → the contract's OrderUpdate (symbols through the day's master). */
export function mapSocketOrder(master: InstrumentMaster, raw: unknown): OrderUpdate {
  const parsed = socketOrderSchema.safeParse(raw);
  if (!parsed.success) throw new BrokerUnavailableError("Unreadable order update from Fyers", "bad_response");
  const o = parsed.data;
  const status = o.org_ord_status ?? OMS_TO_STATUS[o.ord_status!] ?? o.ord_status!;
  return orderUpdateOf(
    mapOrder(master, {
      id: o.id,
      symbol: o.symbol,
      exchange: o.exchange,
      segment: o.segment,
      qty: o.qty,
      filledQty: o.qty_filled,
      remainingQuantity: o.qty_remaining,
      limitPrice: o.price_limit,
      stopPrice: o.price_stop,
      tradedPrice: o.price_traded,
      type: o.ord_type,
      side: o.tran_side,
      productType: o.product_type,
      status,
      message: o.oms_msg || o.status_msg || null,
      orderDateTime: o.time_oms ?? "",
    }),
  );
}

const frameSchema = z.looseObject({
  s: z.string().optional(),
  code: z.coerce.number().optional(),
  message: z.string().optional(),
  orders: z.unknown().optional(),
});

export async function openFyersOrderStream(
  opts: FyersOrderStreamOptions,
  onUpdate: (update: OrderUpdate) => void,
  onError: (error: Error) => void,
): Promise<Subscription> {
  const deliver = updateDelivery(onUpdate, onError);
  const socket = openStreamSocket({
    url: opts.url,
    wsOptions: { headers: { Authorization: opts.authorization }, perMessageDeflate: false },
    lookup: opts.lookup,
    what: "order stream",
    broker: "fyers",
    accountId: opts.accountId,
    setupTimeoutMs: opts.setupTimeoutMs ?? 5_000,
    heartbeat: {
      everyMs: opts.heartbeatMs ?? 15_000,
      message: () => "ping",
      isAnswer: (data) => data.toString() === "pong",
    },
    readyOn: "protocol",
    gracefulClose: true,
    refused: (status) =>
      status === 401 || status === 403
        ? new BrokerAuthError(`Fyers refused the order socket's token (HTTP ${status})`)
        : new BrokerUnavailableError(`order stream handshake answered HTTP ${status}`, "server_error"),
    onOpen(s) {
      // The ping right behind the subscription: its pong (or the acknowledgement) makes the stream ready.
      void s.send(JSON.stringify({ T: "SUB_ORD", SLIST: ["orders"], SUB_T: 1 })).catch(() => undefined);
      void s.send("ping").catch(() => undefined);
    },
    onData(data, _binary, s) {
      const text = data.toString();
      if (text === "pong") return s.markReady();
      let frame: z.infer<typeof frameSchema>;
      try {
        frame = frameSchema.parse(JSON.parse(text));
      } catch {
        return s.fail(new BrokerUnavailableError("order stream sent a frame that is not JSON", "bad_response"));
      }
      if (frame.s === "error") {
        const info = classify(200, frame);
        if (info.kind === "auth") return s.fail(new BrokerAuthError(`Fyers refused the order socket: ${info.message}`));
        return s.fail(
          new BrokerUnavailableError(`order stream error ${String(frame.code)}: ${info.message}`, "server_error"),
        );
      }
      if (frame.orders === undefined) return s.markReady();
      deliver(() => mapSocketOrder(opts.master, frame.orders));
    },
    onEnd: onError,
  });
  await socket.ready;
  return { close: () => socket.close() };
}
