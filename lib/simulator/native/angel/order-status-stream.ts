/**
 * Angel One's order-status WebSocket (docs/brokers/angel.md "Order updates"), at `/angel/smart-order-update`:
 * `Authorization: Bearer <jwt>` on the upgrade (401 otherwise), a greeting with status code `AB00` once connected,
 * then one JSON message per order event of the instance, its `orderData` shaped like an order-book row. A text `ping`
 * is answered `pong`. Nothing is sent while the stream is silenced (`ctx.sockets.silent`).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { NativeContext } from "@/lib/simulator/native/front-end";
import { NativeSockets } from "@/lib/simulator/native/sockets";
import type { InstanceState } from "@/lib/simulator/types";
import { angelMaster, type AngelMaster } from "./master";
import { ANGEL } from "./session-names";
import { angelTime, ORDER_TYPE_FROM_ENGINE, PRODUCT_FROM_ENGINE, uniqueOrderId } from "./translate";

/** Angel's order-status codes of the engine's status words. */
const CODES: Record<string, string> = {
  open: "AB01",
  cancelled: "AB02",
  rejected: "AB03",
  complete: "AB05",
  "trigger pending": "AB10",
};

type Row = Record<string, unknown>;
const num = (v: unknown) => Number(v ?? 0);
const price = (v: unknown) => Math.round(num(v) * 100) / 100;

/** One pushed message of an engine order event (OpenAlgo's `order_update` fields). */
export function orderStatusMessage(master: AngelMaster, instance: InstanceState, u: Row, now: string): Row {
  const scrip = master.bySymbol(String(u.symbol), String(u.exchange));
  const status = String(u.order_status);
  const quantity = num(u.quantity);
  const filled = num(u.filled_quantity);
  const working = status === "open" || status === "trigger pending";
  const ordertype = ORDER_TYPE_FROM_ENGINE[String(u.pricetype)] ?? String(u.pricetype);
  return {
    "user-id": instance.id,
    "status-code": "200",
    "order-status": CODES[status] ?? "AB01",
    "error-message": "",
    orderData: {
      variety: ordertype.startsWith("STOPLOSS") ? "STOPLOSS" : "NORMAL",
      ordertype,
      producttype: PRODUCT_FROM_ENGINE[String(u.product)] ?? String(u.product),
      duration: "DAY",
      price: ordertype === "MARKET" ? 0 : price(u.price),
      triggerprice: price(u.trigger_price),
      quantity: String(quantity),
      disclosedquantity: "0",
      tradingsymbol: scrip?.symbol ?? String(u.symbol),
      transactiontype: String(u.action),
      exchange: scrip?.exch_seg ?? String(u.exchange),
      symboltoken: scrip?.token ?? "",
      ordertag: "",
      instrumenttype: scrip?.instrumenttype ?? "",
      lotsize: scrip?.lotsize ?? "1",
      cancelsize: working || status === "complete" ? "0" : String(quantity - filled),
      averageprice: filled > 0 ? price(u.average_price) : 0,
      filledshares: String(filled),
      unfilledshares: String(working ? quantity - filled : 0),
      orderid: String(u.orderid),
      text: status === "rejected" && typeof u.rejection_reason === "string" ? u.rejection_reason : "",
      status,
      orderstatus: status,
      updatetime: now,
      exchtime: status === "rejected" ? "" : now,
      exchorderupdatetime: status === "rejected" ? "" : now,
      fillid: "",
      filltime: "",
      parentorderid: "",
      uniqueorderid: uniqueOrderId(String(u.orderid)),
      exchangeorderid: status === "rejected" ? "" : `1100000${String(u.orderid).slice(-9)}`,
    },
  };
}

/** `YYYY-MM-DD HH:MM:SS` in IST of a simulated instant, as the engine prints times. */
function istStamp(ms: number): string {
  const iso = new Date(ms + 19_800_000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

export function orderStatusUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: NativeContext): void {
  const jwt = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""))?.[1];
  const instance = jwt ? ctx.sessions.resolve(ANGEL, jwt) : undefined;
  if (!instance || !instance.sessionActive)
    return NativeSockets.refuse(socket, 401, JSON.stringify({ message: "Invalid Token" }));
  ctx.sockets.accept(req, socket, head, (ws) => {
    ctx.sockets.track(instance, ws);
    const send = (text: string) => {
      if (!ctx.sockets.silent(instance) && ws.readyState === ws.OPEN) ws.send(text);
    };
    const off = ctx.broker.onOrderUpdate((instanceId, update) => {
      if (instanceId !== instance.id) return;
      const now = angelTime(istStamp(ctx.market.clock.now()));
      send(JSON.stringify(orderStatusMessage(angelMaster(ctx.market), instance, update, now)));
    });
    ws.once("close", off);
    ws.on("message", (data, isBinary) => {
      if (!isBinary && data.toString() === "ping") send("pong");
    });
    send(
      JSON.stringify({
        "user-id": instance.id,
        "status-code": "200",
        "order-status": "AB00",
        "error-message": "",
        orderData: {},
      }),
    );
  });
}
