/**
 * The simulated Dhan Live Order Update stream (docs/brokers/dhan.md "Order updates") at `/dhan/order-update`: the
 * client's first message is the JSON login (`LoginReq` with `MsgCode` 42, `ClientId`, `Token`, and `UserType`
 * `SELF`); Dhan sends no acknowledgement. A login that does not resolve is closed with code 1008 (Dhan documents no
 * refusal message; this is the simulator's choice). Every engine order event of the instance then goes out as
 * `{Type: "order_alert", Data: {...}}` with Dhan's field names and one-letter codes.
 */
import type { InstanceState } from "@/lib/simulator/types";
import type { OrderUpdateData } from "@/lib/simulator/server/broker-seam";
import type { NativeContext } from "@/lib/simulator/native/front-end";
import { DHAN } from "./login";
import { scripIndex } from "./scrips";
import { dhanStreams, keepAlive, type OrderClient, type StreamUpgrade } from "./streams";
import { num, round2 } from "./wire";

const PRODUCT: Record<string, string> = { MIS: "I", NRML: "M", CNC: "C" };
const PRODUCT_NAME: Record<string, string> = { MIS: "INTRADAY", NRML: "MARGIN", CNC: "CNC" };
const ORDER_TYPE: Record<string, string> = { MARKET: "MKT", LIMIT: "LMT", SL: "SL", "SL-M": "SLM" };
/** Exchange and segment letter of each REST exchange segment. */
const EXCHANGE_OF: Record<string, [string, string]> = {
  NSE_EQ: ["NSE", "E"],
  BSE_EQ: ["BSE", "E"],
  NSE_FNO: ["NSE", "D"],
  BSE_FNO: ["BSE", "D"],
  NSE_CURRENCY: ["NSE", "C"],
  BSE_CURRENCY: ["BSE", "C"],
  MCX_COMM: ["MCX", "M"],
};
/** The engine's lifecycle words as Dhan writes them on this stream (title case, as its documented example). */
function statusWord(engine: string, filled: number): string {
  if (engine === "complete") return "Traded";
  if (engine === "rejected") return "Rejected";
  if (engine === "cancelled") return "Cancelled";
  if (engine === "expired") return "Expired";
  return filled > 0 ? "Part_Traded" : "Pending";
}
const NO_TAG = "dhan";
/** `YYYY-MM-DD HH:mm:ss` in IST, as Dhan writes times. */
const istText = (ms: number) => new Date(ms + 19_800_000).toISOString().slice(0, 19).replace("T", " ");
const listening = new WeakSet<NativeContext["broker"]>();

/** A Dhan order alert for one engine order event; undefined for an instrument the scrip master does not list. */
export function orderAlert(ctx: NativeContext, instance: InstanceState, u: OrderUpdateData) {
  const inst = ctx.market.instrument(String(u.symbol), String(u.exchange) as never);
  const scrip = inst ? scripIndex(ctx.market).of(inst) : undefined;
  if (!scrip) return undefined;
  const id = String(u.orderid);
  const record = ctx.broker.receivedOrders(instance.id).find((r) => r.orderid === id);
  const status = String(u.order_status);
  const filled = num(u.filled_quantity);
  const [exchange, segment] = EXCHANGE_OF[scrip.segment] ?? [scrip.inst.exchange.slice(0, 3), "I"];
  const at = istText(ctx.market.clock.now());
  const option = scrip.inst.instrumenttype === "CE" || scrip.inst.instrumenttype === "PE";
  return {
    Type: "order_alert",
    Data: {
      Exchange: exchange,
      Segment: segment,
      Source: "N",
      SecurityId: scrip.securityId,
      ClientId: instance.id,
      ExchOrderNo: status === "rejected" ? "0" : `1${id.slice(-15).padStart(15, "0")}`,
      OrderNo: id,
      Product: PRODUCT[String(u.product)] ?? String(u.product),
      TxnType: u.action === "SELL" ? "S" : "B",
      OrderType: ORDER_TYPE[String(u.pricetype)] ?? String(u.pricetype),
      Validity: "DAY",
      DiscQuantity: 0,
      DiscQtyRem: 0,
      RemainingQuantity: num(u.pending_quantity),
      Quantity: num(u.quantity),
      TradedQty: filled,
      Price: round2(num(u.price)),
      TriggerPrice: round2(num(u.trigger_price)),
      TradedPrice: filled > 0 ? round2(num(u.average_price)) : 0,
      AvgTradedPrice: filled > 0 ? round2(num(u.average_price)) : 0,
      OffMktFlag: "0",
      OrderDateTime: record ? istText(record.receivedAt) : at,
      ExchOrderTime: at,
      LastUpdatedTime: at,
      Remarks: "",
      MktType: "NL",
      ReasonDescription: status === "rejected" ? String(u.rejection_reason ?? "") : "CONFIRMED",
      LegNo: 1,
      Instrument: scrip.inst.instrumenttype,
      Symbol: scrip.tradingSymbol,
      ProductName: PRODUCT_NAME[String(u.product)] ?? String(u.product),
      Status: statusWord(status, filled),
      LotSize: scrip.inst.lotsize,
      StrikePrice: option ? scrip.inst.strike : 0,
      ExpiryDate: scrip.expiry ? `${scrip.expiry} 14:30:00` : "0001-01-01 00:00:00",
      OptType: option ? scrip.inst.instrumenttype : "XX",
      CorrelationId: record && record.strategy !== NO_TAG ? record.strategy : "",
    },
  };
}

function listen(ctx: NativeContext): void {
  if (listening.has(ctx.broker)) return;
  listening.add(ctx.broker);
  const clients = dhanStreams(ctx.broker).orders;
  ctx.broker.onOrderUpdate((instanceId, update) => {
    for (const c of clients) {
      if (c.instance.id !== instanceId || ctx.sockets.silent(c.instance) || c.ws.readyState !== c.ws.OPEN) continue;
      const alert = orderAlert(ctx, c.instance, update);
      if (alert) c.ws.send(JSON.stringify(alert));
    }
  });
}

function login(ctx: NativeContext, text: string): InstanceState | undefined {
  let msg: { LoginReq?: { MsgCode?: unknown; ClientId?: unknown; Token?: unknown }; UserType?: unknown };
  try {
    msg = JSON.parse(text);
  } catch {
    return undefined;
  }
  const req = msg.LoginReq;
  if (!req || Number(req.MsgCode) !== 42 || msg.UserType !== "SELF") return undefined;
  const instance = ctx.sessions.resolve(DHAN, String(req.Token ?? ""));
  if (!instance || String(req.ClientId) !== instance.id || !instance.sessionActive) return undefined;
  return instance;
}

export const orderUpgrade: StreamUpgrade = (req, socket, head, _query, ctx) => {
  ctx.sockets.accept(req, socket, head, (ws) => {
    ws.once("message", (data, binary) => {
      const instance = binary ? undefined : login(ctx, data.toString());
      if (!instance) return ws.close(1008, "Authentication failed");
      ctx.sockets.track(instance, ws);
      keepAlive(ctx, instance, ws);
      listen(ctx);
      const client: OrderClient = { ws, instance };
      const clients = dhanStreams(ctx.broker).orders;
      clients.add(client);
      ws.once("close", () => clients.delete(client));
    });
  });
};
