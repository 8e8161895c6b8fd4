/**
 * The simulated Dhan's order endpoints (docs/brokers/dhan.md "Orders"): `POST /orders`, `PUT /orders/{id}`,
 * `DELETE /orders/{id}`, `GET /orders`, `GET /orders/{id}`, `GET /trades`, `GET /trades/{id}`, translated to the
 * engine's placeorder / modifyorder / cancelorder / orderbook / tradebook / orderstatus routes.
 *
 * The engine's live order book has no fill quantities or prices; Dhan's has (`filledQty`, `averageTradedPrice`), so
 * they are summed from the engine's trade book, as Dhan itself derives them from its trades.
 */
import type { InstanceState } from "@/lib/simulator/types";
import type { NativeContext } from "@/lib/simulator/native/front-end";
import type { Reply } from "@/lib/simulator/server/rest";
import { scripIndex, type Scrip } from "./scrips";
import { dhanError, json, num, round2 } from "./wire";

const PRODUCT_IN: Record<string, string> = { INTRADAY: "MIS", MARGIN: "NRML", CNC: "CNC" };
const PRODUCT_OUT: Record<string, string> = { MIS: "INTRADAY", NRML: "MARGIN", CNC: "CNC" };
const TYPE_IN: Record<string, string> = {
  MARKET: "MARKET",
  LIMIT: "LIMIT",
  STOP_LOSS: "SL",
  STOP_LOSS_MARKET: "SL-M",
};
const TYPE_OUT: Record<string, string> = {
  MARKET: "MARKET",
  LIMIT: "LIMIT",
  SL: "STOP_LOSS",
  "SL-M": "STOP_LOSS_MARKET",
};
/** The strategy tag the engine wants when Dhan's optional correlationId is absent. */
const NO_TAG = "dhan";

type Row = Record<string, unknown>;

function scripOf(ctx: NativeContext, symbol: unknown, exchange: unknown): Scrip | undefined {
  const inst = ctx.market.instrument(String(symbol), String(exchange) as never);
  return inst ? scripIndex(ctx.market).of(inst) : undefined;
}

function derivativeFields(s: Scrip | undefined): Row {
  const option = s?.inst.instrumenttype === "CE" || s?.inst.instrumenttype === "PE";
  return {
    drvExpiryDate: s?.expiry ? `${s.expiry} 14:30:00` : "NA",
    drvOptionType: option ? (s.inst.instrumenttype === "CE" ? "CALL" : "PUT") : "NA",
    drvStrikePrice: option ? s.inst.strike : 0,
  };
}

/** Dhan's status word for an engine order with `filled` units traded. */
function statusWord(engineStatus: string, filled: number): string {
  switch (engineStatus) {
    case "complete":
      return "TRADED";
    case "rejected":
      return "REJECTED";
    case "cancelled":
      return "CANCELLED";
    case "expired":
      return "EXPIRED";
    default:
      return filled > 0 ? "PART_TRADED" : "PENDING";
  }
}

interface Fills {
  qty: number;
  value: number;
}

function fillsByOrder(trades: Row[]): Map<string, Fills> {
  const out = new Map<string, Fills>();
  for (const t of trades) {
    const f = out.get(String(t.orderid)) ?? { qty: 0, value: 0 };
    f.qty += num(t.quantity);
    f.value += num(t.quantity) * num(t.average_price);
    out.set(String(t.orderid), f);
  }
  return out;
}

/**
 * The engine's record of each order (its strategy tag and rejection text): Dhan echoes `correlationId` and names the
 * reason of a rejection, which the engine's live order book leaves out.
 */
function received(ctx: NativeContext, instance: InstanceState): Map<string, { tag: string; reason: string }> {
  return new Map(
    ctx.broker.receivedOrders(instance.id).map((r) => [r.orderid, { tag: r.strategy, reason: r.rejectionReason }]),
  );
}

function orderRow(
  ctx: NativeContext,
  instance: InstanceState,
  o: Row,
  fills: Map<string, Fills>,
  known: Map<string, { tag: string; reason: string }>,
): Row {
  const s = scripOf(ctx, o.symbol, o.exchange);
  const record = known.get(String(o.orderid));
  const f = fills.get(String(o.orderid)) ?? { qty: 0, value: 0 };
  const status = String(o.order_status);
  const working = status === "open" || status === "trigger pending";
  const quantity = num(o.quantity);
  return {
    dhanClientId: instance.id,
    orderId: String(o.orderid),
    exchangeOrderId: working || status === "complete" ? `1${String(o.orderid).slice(-15).padStart(15, "0")}` : "",
    correlationId: record && record.tag !== NO_TAG ? record.tag : "",
    orderStatus: statusWord(status, f.qty),
    transactionType: o.action,
    exchangeSegment: s?.segment ?? "",
    productType: PRODUCT_OUT[String(o.product)] ?? String(o.product),
    orderType: TYPE_OUT[String(o.pricetype)] ?? String(o.pricetype),
    validity: "DAY",
    tradingSymbol: s?.tradingSymbol ?? String(o.symbol),
    securityId: s?.securityId ?? "",
    quantity,
    disclosedQuantity: 0,
    price: num(o.price),
    triggerPrice: num(o.trigger_price),
    afterMarketOrder: false,
    boProfitValue: 0,
    boStopLossValue: 0,
    legName: "NA",
    createTime: o.timestamp,
    updateTime: o.timestamp,
    exchangeTime: working || status === "complete" ? o.timestamp : "0001-01-01 00:00:00",
    ...derivativeFields(s),
    omsErrorCode: status === "rejected" ? "RMS" : "",
    omsErrorDescription: status === "rejected" ? (record?.reason ?? "") : "",
    algoId: "",
    remainingQuantity: working ? quantity - f.qty : 0,
    averageTradedPrice: f.qty > 0 ? round2(f.value / f.qty) : 0,
    filledQty: f.qty,
  };
}

async function books(ctx: NativeContext, instance: InstanceState): Promise<{ orders: Row[]; trades: Row[] }> {
  const ob = await ctx.run(instance, "orderbook", {});
  const tb = await ctx.run(instance, "tradebook", {});
  const orders = ((ob.body as { data?: { orders?: Row[] } }).data?.orders ?? []) as Row[];
  const trades = ((tb.body as { data?: Row[] }).data ?? []) as Row[];
  return { orders, trades };
}

export async function orderList(ctx: NativeContext, instance: InstanceState): Promise<Reply> {
  const { orders, trades } = await books(ctx, instance);
  const fills = fillsByOrder(trades);
  const known = received(ctx, instance);
  return json(orders.map((o) => orderRow(ctx, instance, o, fills, known)));
}

async function findOrder(ctx: NativeContext, instance: InstanceState, id: string): Promise<Row | undefined> {
  const r = await ctx.run(instance, "orderstatus", { orderid: id, strategy: NO_TAG });
  return r.status === 200 ? ((r.body as { data: Row }).data ?? undefined) : undefined;
}

export async function orderById(ctx: NativeContext, instance: InstanceState, id: string): Promise<Reply> {
  const o = await findOrder(ctx, instance, id);
  if (!o) return dhanError("data", `No order found for orderId ${id}`);
  const { trades } = await books(ctx, instance);
  return json(orderRow(ctx, instance, o, fillsByOrder(trades), received(ctx, instance)));
}

export async function tradeList(ctx: NativeContext, instance: InstanceState, onlyOrder?: string): Promise<Reply> {
  const { orders, trades } = await books(ctx, instance);
  const typeOf = new Map(orders.map((o) => [String(o.orderid), String(o.pricetype)]));
  const seq = new Map<string, number>();
  const rows: Row[] = [];
  // The engine lists trades newest first; number each order's fills oldest first, as exchange trade ids grow.
  for (const t of [...trades].reverse()) {
    const id = String(t.orderid);
    const n = (seq.get(id) ?? 0) + 1;
    seq.set(id, n);
    if (onlyOrder !== undefined && id !== onlyOrder) continue;
    const s = scripOf(ctx, t.symbol, t.exchange);
    rows.unshift({
      dhanClientId: instance.id,
      orderId: id,
      exchangeOrderId: `1${id.slice(-15).padStart(15, "0")}`,
      exchangeTradeId: `${id.slice(-10)}${String(n).padStart(3, "0")}`,
      transactionType: t.action,
      exchangeSegment: s?.segment ?? "",
      productType: PRODUCT_OUT[String(t.product)] ?? String(t.product),
      orderType: TYPE_OUT[typeOf.get(id) ?? ""] ?? "MARKET",
      tradingSymbol: s?.tradingSymbol ?? String(t.symbol),
      customSymbol: s?.inst.name ?? "",
      securityId: s?.securityId ?? "",
      tradedQuantity: num(t.quantity),
      tradedPrice: num(t.average_price),
      createTime: t.timestamp,
      updateTime: t.timestamp,
      exchangeTime: t.timestamp,
      ...derivativeFields(s),
    });
  }
  return json(rows);
}

const need = (b: Record<string, unknown>, keys: string[]) => keys.filter((k) => b[k] === undefined || b[k] === "");

/** `POST /orders`: Dhan's order fields → the engine's placeorder. Returns the reply and whether it placed. */
export async function placeOrder(
  ctx: NativeContext,
  instance: InstanceState,
  b: Record<string, unknown>,
): Promise<Reply> {
  const missing = need(b, ["dhanClientId", "transactionType", "exchangeSegment", "productType", "orderType"]);
  missing.push(...need(b, ["securityId", "quantity"]));
  if (missing.length > 0) return dhanError("input", `Missing required fields: ${missing.join(", ")}`);
  if (String(b.dhanClientId) !== instance.id) return dhanError("input", "dhanClientId does not match the token");
  const scrip = scripIndex(ctx.market).byId(String(b.exchangeSegment), String(b.securityId));
  if (!scrip) return dhanError("input", `Invalid securityId ${String(b.securityId)} for ${String(b.exchangeSegment)}`);
  const product = PRODUCT_IN[String(b.productType)];
  const pricetype = TYPE_IN[String(b.orderType)];
  if (!product) return dhanError("input", `Invalid productType ${String(b.productType)}`);
  if (!pricetype) return dhanError("input", `Invalid orderType ${String(b.orderType)}`);
  if (b.transactionType !== "BUY" && b.transactionType !== "SELL")
    return dhanError("input", `Invalid transactionType ${String(b.transactionType)}`);
  const r = await ctx.run(instance, "placeorder", {
    strategy: typeof b.correlationId === "string" && b.correlationId !== "" ? b.correlationId : NO_TAG,
    symbol: scrip.inst.symbol,
    exchange: scrip.inst.exchange,
    action: b.transactionType,
    quantity: num(b.quantity),
    pricetype,
    product,
    price: num(b.price),
    trigger_price: num(b.triggerPrice),
    disclosed_quantity: num(b.disclosedQuantity),
  });
  const body = r.body as { orderid?: unknown; message?: unknown };
  if (r.status === 200 && typeof body.orderid === "string")
    return json({ orderId: body.orderid, orderStatus: "TRANSIT" });
  return dhanError(r.status >= 500 ? "internal" : "order", String(body.message ?? "Order rejected"));
}

/** `PUT /orders/{id}`: Dhan restates type, quantity and prices; the engine also wants the instrument and side. */
export async function modifyOrder(
  ctx: NativeContext,
  instance: InstanceState,
  id: string,
  b: Record<string, unknown>,
): Promise<Reply> {
  const missing = need(b, ["dhanClientId", "orderId", "orderType", "quantity", "validity"]);
  if (missing.length > 0) return dhanError("input", `Missing required fields: ${missing.join(", ")}`);
  if (String(b.orderId) !== id) return dhanError("input", "orderId in the body does not match the path");
  const o = await findOrder(ctx, instance, id);
  if (!o) return dhanError("order", `No order found for orderId ${id}`);
  const pricetype = TYPE_IN[String(b.orderType)];
  if (!pricetype) return dhanError("input", `Invalid orderType ${String(b.orderType)}`);
  const r = await ctx.run(instance, "modifyorder", {
    strategy: NO_TAG,
    exchange: o.exchange,
    symbol: o.symbol,
    orderid: id,
    action: o.action,
    product: o.product,
    pricetype,
    price: num(b.price),
    quantity: num(b.quantity),
    disclosed_quantity: num(b.disclosedQuantity),
    trigger_price: num(b.triggerPrice),
  });
  if (r.status === 200) return json({ orderId: id, orderStatus: "PENDING" });
  return dhanError("order", String((r.body as { message?: unknown }).message ?? "Modification rejected"));
}

export async function cancelOrder(ctx: NativeContext, instance: InstanceState, id: string): Promise<Reply> {
  const r = await ctx.run(instance, "cancelorder", { orderid: id, strategy: NO_TAG });
  if (r.status === 200) return json({ orderId: id, orderStatus: "CANCELLED" });
  return dhanError("order", String((r.body as { message?: unknown }).message ?? "Cancellation rejected"));
}
