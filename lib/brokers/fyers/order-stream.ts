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
import { WebSocket } from "ws";
import { z } from "zod";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import type { OrderUpdate, Subscription } from "@/lib/brokers/types";
import { type AppError, BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { log } from "@/lib/log";
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

const DEDUPE_WINDOW = 2_000;

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
  const order = mapOrder(master, {
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
  });
  return {
    orderId: order.orderId,
    symbol: order.symbol,
    exchange: order.exchange,
    action: order.action,
    quantity: order.quantity,
    filledQuantity: order.filledQuantity,
    pendingQuantity: order.pendingQuantity,
    price: order.price,
    averagePrice: order.averagePrice,
    priceType: order.priceType,
    product: order.product,
    status: order.status,
    brokerStatus: order.brokerStatus,
    rejectionReason: order.rejectionReason,
    mode: "live",
  };
}

const frameSchema = z.looseObject({
  s: z.string().optional(),
  code: z.coerce.number().optional(),
  message: z.string().optional(),
  orders: z.unknown().optional(),
});

export function openFyersOrderStream(
  opts: FyersOrderStreamOptions,
  onUpdate: (update: OrderUpdate) => void,
  onError: (error: Error) => void,
): Promise<Subscription> {
  const setupMs = opts.setupTimeoutMs ?? 5_000;
  const heartbeatMs = opts.heartbeatMs ?? 15_000;
  const where = { broker: "fyers", ws: new URL(opts.url).host, accountId: opts.accountId };
  const ws = new WebSocket(opts.url, {
    headers: { Authorization: opts.authorization },
    handshakeTimeout: setupMs,
    perMessageDeflate: false,
    ...(opts.lookup ? { lookup: opts.lookup } : {}),
  });
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

    function becomeReady(): void {
      if (ready) return;
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

    ws.on("open", () => {
      ws.send(JSON.stringify({ T: "SUB_ORD", SLIST: ["orders"], SUB_T: 1 }));
      ws.send("ping");
    });
    ws.on("unexpected-response", (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      if (status === 401 || status === 403)
        return fail(new BrokerAuthError(`Fyers refused the order socket's token (HTTP ${status})`));
      fail(new BrokerUnavailableError(`order stream handshake answered HTTP ${status}`, "server_error"));
    });
    ws.on("error", (e) => fail(new BrokerUnavailableError(`order stream: ${e.message}`, "unreachable")));
    ws.on("close", (code) =>
      fail(new BrokerUnavailableError(`order stream closed by the broker (code ${code})`, "unreachable")),
    );
    ws.on("message", (data) => {
      const text = data.toString();
      if (text === "pong") {
        awaitingPong = false;
        return becomeReady();
      }
      let frame: z.infer<typeof frameSchema>;
      try {
        frame = frameSchema.parse(JSON.parse(text));
      } catch {
        return fail(new BrokerUnavailableError("order stream sent a frame that is not JSON", "bad_response"));
      }
      if (frame.s === "error") {
        const info = classify(200, frame);
        if (info.kind === "auth") return fail(new BrokerAuthError(`Fyers refused the order socket: ${info.message}`));
        return fail(
          new BrokerUnavailableError(`order stream error ${String(frame.code)}: ${info.message}`, "server_error"),
        );
      }
      if (frame.orders === undefined) return becomeReady();
      let update: OrderUpdate;
      try {
        update = mapSocketOrder(opts.master, frame.orders);
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
