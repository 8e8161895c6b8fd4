/**
 * The simulated Fyers order socket (docs/brokers/fyers.md "Order updates"): `wss://socket.fyers.in/trade/v3` served
 * as `/fyers/trade/v3` on the simulator's HTTP port. The handshake carries `Authorization: <app_id>:<access_token>`
 * (refused with HTTP 403 in Fyers' envelope); the client then sends `{"T":"SUB_ORD","SLIST":[...],"SUB_T":1}` (−1 to
 * unsubscribe), is answered with an acknowledgement, and receives one `{"s":"ok","orders":{...}}` frame per order
 * change of its instance, in the socket's raw field names. A text `ping` is answered `pong`. Nothing is sent while
 * `ctx.sockets.silent(instance)`.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import type { InstanceState } from "@/lib/simulator/types";
import type { OrderUpdateData } from "@/lib/simulator/server/broker-seam";
import { type NativeContext, withRejectionReasons } from "../front-end";
import { NativeSockets } from "../sockets";
import { IST_OFFSET_MS } from "@/lib/trading/calendar";
import { FY_PRODUCT, FY_SIDE, FY_STATUS, FY_TYPE, fyersDateTime, symbolOf } from "./accounts";
import { FYERS } from "./login-pages";
import { orderTag } from "./order-tags";
import { symbology } from "./symbols";

export const ORDER_SOCKET_PATH = "/trade/v3";

/** The channels a `SUB_ORD` may name; only `orders` carries frames in the simulator. */
const CHANNELS: ReadonlySet<string> = new Set(["orders", "trades", "positions", "edis", "pricealerts", "login"]);

/**
 * The order socket's internal OMS status (`ord_status`) sent beside the status number (`org_ord_status`): one code
 * of each group the SDKs fold into the status number (docs/brokers/fyers.md "Order updates").
 */
const OMS_STATUS: Readonly<Record<number, number>> = { 1: 91, 2: 90, 4: 11, 5: 92, 6: 22 };

const n = (v: unknown): number => (v === null || v === undefined || v === "" ? 0 : Number(v));

const refusal = (message: string) => JSON.stringify({ s: "error", code: -16, message });

/** The instance of the handshake's `Authorization: <app_id>:<access_token>`, when live and that app's. */
function authorise(ctx: NativeContext, header: string | undefined): InstanceState | undefined {
  const i = header?.indexOf(":") ?? -1;
  if (!header || i <= 0) return undefined;
  const inst = ctx.sessions.resolve(FYERS, header.slice(i + 1));
  return inst && inst.apiKey === header.slice(0, i) && inst.sessionActive ? inst : undefined;
}

/** One engine order update as the order socket's `orders` object (raw socket keys, JSON numbers). */
export function orderFrame(
  ctx: NativeContext,
  inst: InstanceState,
  update: OrderUpdateData,
  at: number,
): Record<string, unknown> {
  const [u] = withRejectionReasons(ctx, inst, [update]);
  const s = symbolOf(symbology(ctx.market), u);
  const status = String(u.order_status);
  const code = FY_STATUS[status] ?? 4;
  const qty = n(u.quantity);
  const filled = n(u.filled_quantity);
  const working = status === "open" || status === "trigger pending";
  const id = String(u.orderid);
  return {
    client_id: inst.id,
    id,
    id_parent: "",
    id_exchange: working || status === "complete" ? `1100000${id.slice(-9)}` : "",
    qty,
    qty_remaining: working ? qty - filled : 0,
    qty_filled: filled,
    price_limit: u.pricetype === "LIMIT" || u.pricetype === "SL" ? n(u.price) : 0,
    price_stop: n(u.trigger_price),
    price_traded: filled > 0 ? n(u.average_price) : 0,
    ord_type: FY_TYPE[String(u.pricetype)] ?? 2,
    fy_token: s?.entry.fyToken ?? "",
    exchange: s?.entry.exchange ?? 10,
    segment: s?.entry.segment ?? 10,
    symbol: s?.entry.symTicker ?? String(u.symbol),
    instrument: s?.entry.exInstType ?? 0,
    oms_msg: status === "rejected" ? String(u.rejection_reason || "RMS:Rejected") : "",
    offline_flag: false,
    time_oms: fyersDateTime(new Date(at + IST_OFFSET_MS).toISOString().slice(0, 19).replace("T", " ")),
    validity: "DAY",
    product_type: FY_PRODUCT[String(u.product)] ?? String(u.product),
    tran_side: FY_SIDE[String(u.action)] ?? 1,
    org_ord_status: code,
    ord_status: OMS_STATUS[code] ?? 11,
    ord_source: "API",
    symbol_exch: s?.entry.exSymbol ?? String(u.symbol),
    symbol_desc: s?.entry.symDetails ?? "",
    ordertag: orderTag(inst, id),
  };
}

interface Client {
  ws: WebSocket;
  inst: InstanceState;
  channels: Set<string>;
}

/** The order socket of one front-end: upgrades, subscriptions and the engine's order updates. */
export function createOrderSocket() {
  const clients = new Set<Client>();
  // One listener for the simulator's life (one front-end per simulator).
  let off: (() => void) | undefined;

  function send(ctx: NativeContext, c: Client, text: string): void {
    if (!ctx.sockets.silent(c.inst) && c.ws.readyState === c.ws.OPEN) c.ws.send(text);
  }

  function listen(ctx: NativeContext): void {
    off ??= ctx.broker.onOrderUpdate((instanceId, update) => {
      const at = ctx.market.clock.now();
      // The engine announces a placement before the front-end has recorded its tag: build the frame after that.
      setImmediate(() => {
        for (const c of clients)
          if (c.inst.id === instanceId && c.channels.has("orders"))
            send(ctx, c, JSON.stringify({ s: "ok", orders: orderFrame(ctx, c.inst, update, at) }));
      });
    });
  }

  function onMessage(ctx: NativeContext, c: Client, text: string): void {
    if (text === "ping" || text === "__ping") return send(ctx, c, "pong");
    let msg: { T?: unknown; SLIST?: unknown; SUB_T?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return send(ctx, c, JSON.stringify({ s: "error", code: -50, message: "Invalid message" }));
    }
    const list = Array.isArray(msg.SLIST) ? msg.SLIST.map(String) : [];
    if (msg.T !== "SUB_ORD" || (msg.SUB_T !== 1 && msg.SUB_T !== -1) || list.length === 0)
      return send(ctx, c, JSON.stringify({ s: "error", code: -50, message: "Invalid subscription request" }));
    const unknown = list.filter((x) => !CHANNELS.has(x));
    if (unknown.length > 0)
      return send(ctx, c, JSON.stringify({ s: "error", code: -50, message: `Invalid type: ${unknown.join(",")}` }));
    for (const x of list)
      if (msg.SUB_T === 1) c.channels.add(x);
      else c.channels.delete(x);
    send(
      ctx,
      c,
      JSON.stringify(
        msg.SUB_T === 1
          ? { code: 1605, message: "Successfully subscribed", s: "ok" }
          : { code: 1606, message: "Successfully unsubscribed", s: "ok" },
      ),
    );
  }

  return {
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ctx: NativeContext): void {
      const inst = authorise(ctx, req.headers.authorization);
      if (!inst) return NativeSockets.refuse(socket, 403, refusal("Could not authenticate the user"));
      listen(ctx);
      ctx.sockets.accept(req, socket, head, (ws) => {
        const c: Client = { ws, inst, channels: new Set() };
        clients.add(c);
        ctx.sockets.track(inst, ws);
        ws.on("message", (data) => onMessage(ctx, c, String(data)));
        ws.once("close", () => clients.delete(c));
        ws.on("error", () => undefined);
      });
    },
  };
}
