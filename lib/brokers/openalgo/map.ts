/**
 * Pure mapping of OpenAlgo account and order answers (docs/openalgo.md "Account reads", "Orders", "Market data",
 * "WebSocket") to the normalised broker types (market data and reference answers: `map-market.ts`).
 * Every function takes the parsed JSON body of an HTTP 200 answer and either returns normalised values or throws
 * `BrokerUnavailableError` naming the endpoint and the first offending path: an answer we cannot read is a
 * broken broker, never something to guess around.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import { BrokerUnavailableError } from "@/lib/errors";
import type {
  Funds,
  Holding,
  Order,
  OrderStatus,
  OrderUpdate,
  PlaceOrderResult,
  Position,
  Trade,
  TradingMode,
} from "@/lib/brokers/types";
import { accepted, unknown } from "@/lib/brokers/types";
import { action, dec, exchange, id, int, optDec, optInt, optText, parseBrokerTime, priceType, product } from "./wire";

/** Parses `body` or throws an unavailable error that says which endpoint answered what. */
export function parseAnswer<S extends z.ZodType>(schema: S, body: unknown, endpoint: string): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue.path.length ? issue.path.join(".") : "(body)";
  throw new BrokerUnavailableError(`Unexpected answer from ${endpoint}: ${where}: ${issue.message}`, "bad_response");
}

export const success = z.object({ status: z.literal("success"), mode: z.string().optional() });

/** Folds brokers' status words into the five normalised ones (see `OrderStatus`). */
export function normaliseStatus(text: string): OrderStatus {
  const t = text.trim().toLowerCase().replace(/[_-]+/g, " ");
  if (t === "complete" || t === "completed" || t === "filled" || t === "traded" || t === "executed") return "complete";
  if (t === "rejected") return "rejected";
  if (t === "cancelled" || t === "canceled" || t === "expired") return "cancelled";
  if (t === "trigger pending") return "trigger_pending";
  // `open`, `pending`, `validation pending`, `modify pending`, ... and anything new: still working.
  return "open";
}

// ---- ping / analyzer ----------------------------------------------------------------------------------------
const pingSchema = success.extend({ data: z.object({ broker: z.string().min(1), message: z.string().optional() }) });
export function mapPing(body: unknown): { broker: string; mode?: TradingMode } {
  const b = parseAnswer(pingSchema, body, "ping");
  return { broker: b.data.broker, ...(b.mode === "analyze" || b.mode === "live" ? { mode: b.mode } : {}) };
}

const analyzerSchema = success.extend({ data: z.object({ analyze_mode: z.boolean(), mode: z.string().optional() }) });
/** `/analyzer` status: whether the instance trades in the sandbox. */
export function mapAnalyzer(body: unknown): TradingMode {
  return parseAnswer(analyzerSchema, body, "analyzer").data.analyze_mode ? "analyze" : "live";
}

// ---- funds --------------------------------------------------------------------------------------------------
const fundsSchema = success.extend({
  data: z.object({ availablecash: dec, collateral: dec, m2mrealized: dec, m2munrealized: dec, utiliseddebits: dec }),
});
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
/**
 * Whether the answer's `data` is an empty object. By hand: a `z.record` parse of it cost more than the funds parse
 * itself, and every trigger maps up to one answer per account (docs/performance.md); the answer is still parsed with
 * zod below.
 */
const hasEmptyData = (body: unknown): boolean =>
  isObject(body) && isObject(body.data) && Object.keys(body.data).length === 0;
export function mapFunds(body: unknown): Funds {
  // Zerodha's mapper answers `data: {}` when the broker call failed: that is not "zero rupees".
  if (hasEmptyData(body)) throw new BrokerUnavailableError("Broker returned empty funds", "bad_response");
  const d = parseAnswer(fundsSchema, body, "funds").data;
  return {
    availableMargin: d.availablecash.plus(d.collateral),
    cash: d.availablecash,
    collateral: d.collateral,
    utilised: d.utiliseddebits,
    realisedPnl: d.m2mrealized,
    unrealisedPnl: d.m2munrealized,
  };
}

// ---- orders -------------------------------------------------------------------------------------------------
const orderRow = z
  .object({
    orderid: id,
    symbol: z.string().min(1),
    exchange,
    action,
    quantity: int,
    price: dec,
    trigger_price: dec.optional(),
    // The order book says `pricetype`; the sandbox's orderstatus says `price_type`.
    pricetype: priceType.optional(),
    price_type: priceType.optional(),
    product,
    order_status: z.string(),
    timestamp: z.string().optional(),
    average_price: optDec,
    filled_quantity: optInt,
    rejection_reason: optText,
    strategy: optText,
  })
  .refine((r) => r.pricetype !== undefined || r.price_type !== undefined, {
    message: "pricetype missing",
    path: ["pricetype"],
  });

type OrderRow = z.output<typeof orderRow>;

function toOrder(r: OrderRow): Order {
  const status = normaliseStatus(r.order_status);
  // Live rows have no fill fields: complete means all filled; anything else is unknown (0 here, see fillsReported).
  const filled = r.filled_quantity ?? (status === "complete" ? r.quantity : 0);
  const working = status === "open" || status === "trigger_pending";
  return {
    orderId: r.orderid,
    symbol: r.symbol,
    exchange: r.exchange,
    action: r.action,
    quantity: r.quantity,
    filledQuantity: filled,
    fillsReported: r.filled_quantity !== undefined,
    // Derived rather than trusted: OpenAlgo's own events report pending 0 on open orders (docs/openalgo.md
    // "WebSocket").
    pendingQuantity: working ? Math.max(r.quantity - filled, 0) : 0,
    price: r.price,
    triggerPrice: r.trigger_price ?? new Decimal(0),
    averagePrice: filled > 0 ? r.average_price : null,
    priceType: (r.pricetype ?? r.price_type)!,
    product: r.product,
    status,
    brokerStatus: r.order_status,
    rejectionReason: status === "rejected" ? r.rejection_reason : null,
    strategy: r.strategy,
    placedAt: r.timestamp ? parseBrokerTime(r.timestamp) : null,
    brokerTimestamp: r.timestamp ?? "",
  };
}

const orderBookSchema = success.extend({ data: z.object({ orders: z.array(orderRow) }) });
const orderBookRows = success.extend({ data: z.object({ orders: z.array(z.unknown()) }) });
/**
 * The order book; with `only`, just the rows of those order ids. A fill poll wants a few orders of a book that grows
 * all day: the other rows are neither parsed nor checked (docs/performance.md "Fill tracking").
 */
export function mapOrderBook(body: unknown, only?: ReadonlySet<string>): Order[] {
  if (!only) return parseAnswer(orderBookSchema, body, "orderbook").data.orders.map(toOrder);
  const rows = parseAnswer(orderBookRows, body, "orderbook").data.orders;
  return pickRows(rows, only, orderRow, "orderbook", "data.orders").map(toOrder);
}

/** The wire id of a row as `id` reads it, without parsing the rest ("" when it has none). */
function rawOrderId(row: unknown): string {
  const v = typeof row === "object" && row !== null ? (row as { orderid?: unknown }).orderid : undefined;
  return typeof v === "string" || typeof v === "number" ? String(v).trim() : "";
}

/** Parses the rows whose order id is in `only`; a bad one throws as a whole-book parse would, naming its path. */
function pickRows<S extends z.ZodType>(
  rows: readonly unknown[],
  only: ReadonlySet<string>,
  schema: S,
  endpoint: string,
  at: string,
): z.output<S>[] {
  const out: z.output<S>[] = [];
  for (let i = 0; i < rows.length; i++) {
    const wireId = rawOrderId(rows[i]);
    if (wireId === "" || !only.has(wireId)) continue;
    const r = schema.safeParse(rows[i]);
    if (!r.success) {
      const issue = r.error.issues[0];
      const where = [at, i, ...issue.path].join(".");
      throw new BrokerUnavailableError(
        `Unexpected answer from ${endpoint}: ${where}: ${issue.message}`,
        "bad_response",
      );
    }
    out.push(r.data);
  }
  return out;
}

const orderStatusSchema = success.extend({ data: orderRow });
export function mapOrderStatus(body: unknown): Order {
  return toOrder(parseAnswer(orderStatusSchema, body, "orderstatus").data);
}

// ---- trades / positions / holdings ---------------------------------------------------------------------------
const tradeRow = z.object({
  orderid: id,
  tradeid: optText,
  symbol: z.string().min(1),
  exchange,
  action,
  product,
  quantity: int,
  average_price: dec,
  trade_value: dec,
  strategy: optText,
  timestamp: z.string().optional(),
});
const tradeBookSchema = success.extend({ data: z.array(tradeRow) });
const tradeBookRows = success.extend({ data: z.array(z.unknown()) });
/** The trade book; with `only`, just the trades of those order ids (see `mapOrderBook`). */
export function mapTradeBook(body: unknown, only?: ReadonlySet<string>): Trade[] {
  const rows = only
    ? pickRows(parseAnswer(tradeBookRows, body, "tradebook").data, only, tradeRow, "tradebook", "data")
    : parseAnswer(tradeBookSchema, body, "tradebook").data;
  return rows.map((r) => ({
    orderId: r.orderid,
    tradeId: r.tradeid,
    symbol: r.symbol,
    exchange: r.exchange,
    action: r.action,
    product: r.product,
    quantity: r.quantity,
    averagePrice: r.average_price,
    tradeValue: r.trade_value,
    strategy: r.strategy,
    tradedAt: r.timestamp ? parseBrokerTime(r.timestamp) : null,
    brokerTimestamp: r.timestamp ?? "",
  }));
}

const positionRow = z.object({
  symbol: z.string().min(1),
  exchange,
  product,
  quantity: int,
  average_price: dec,
  ltp: dec,
  pnl: dec,
});
const positionBookSchema = success.extend({ data: z.array(positionRow) });
export function mapPositionBook(body: unknown): Position[] {
  return parseAnswer(positionBookSchema, body, "positionbook").data.map((r) => ({
    symbol: r.symbol,
    exchange: r.exchange,
    product: r.product,
    quantity: r.quantity,
    averagePrice: r.average_price,
    ltp: r.ltp,
    pnl: r.pnl,
  }));
}

const holdingRow = z.object({
  symbol: z.string().min(1),
  exchange,
  product,
  quantity: int,
  pnl: dec,
  pnlpercent: dec,
  average_price: optDec,
  ltp: optDec,
});
const holdingsSchema = success.extend({ data: z.object({ holdings: z.array(holdingRow) }) });
export function mapHoldings(body: unknown): Holding[] {
  return parseAnswer(holdingsSchema, body, "holdings").data.holdings.map((r) => ({
    symbol: r.symbol,
    exchange: r.exchange,
    product: r.product,
    quantity: r.quantity,
    averagePrice: r.average_price,
    ltp: r.ltp,
    pnl: r.pnl,
    pnlPercent: r.pnlpercent,
  }));
}

// ---- order writes -------------------------------------------------------------------------------------------
const placeSchema = success.extend({
  orderid: id.optional(),
  pending_order_id: id.optional(),
  message: z.string().optional(),
});
/**
 * Reads an HTTP 200 placeorder answer. Semi-auto instances queue the order for manual approval and answer
 * `pending_order_id` without an `orderid`: it may still execute, so it is `unknown`, not accepted or rejected.
 * A body we cannot read after the request left is `unknown` too.
 */
export function mapPlaceOrder(body: unknown): PlaceOrderResult {
  const r = placeSchema.safeParse(body);
  if (!r.success) return unknown("Broker answered placeorder with an unreadable body");
  if (r.data.orderid) return accepted(r.data.orderid);
  if (r.data.pending_order_id) {
    return unknown(
      `Queued for approval in the broker's Action Center (${r.data.message ?? "semi-auto mode"})`,
      r.data.pending_order_id,
    );
  }
  return unknown(`Broker answered success without an order id${r.data.message ? `: ${r.data.message}` : ""}`);
}

const orderIdReply = success.extend({ orderid: id });
/** modifyorder / cancelorder success: the id the broker acted on. */
export function mapOrderIdReply(body: unknown, endpoint: string): string {
  return parseAnswer(orderIdReply, body, endpoint).orderid;
}

// ---- WebSocket order_update ---------------------------------------------------------------------------------
const orderUpdateSchema = z.object({
  type: z.literal("order_update"),
  mode: z.string().optional(),
  orderid: id,
  symbol: z.string().min(1),
  exchange,
  action,
  quantity: int,
  price: dec,
  pricetype: priceType,
  product,
  order_status: z.string(),
  filled_quantity: optInt,
  average_price: optDec,
  rejection_reason: optText,
});
export function mapOrderUpdate(frame: unknown): OrderUpdate {
  const u = parseAnswer(orderUpdateSchema, frame, "order_update");
  const status = normaliseStatus(u.order_status);
  const filled = u.filled_quantity ?? (status === "complete" ? u.quantity : 0);
  const working = status === "open" || status === "trigger_pending";
  return {
    orderId: u.orderid,
    symbol: u.symbol,
    exchange: u.exchange,
    action: u.action,
    quantity: u.quantity,
    filledQuantity: filled,
    pendingQuantity: working ? Math.max(u.quantity - filled, 0) : 0,
    price: u.price,
    averagePrice: filled > 0 ? u.average_price : null,
    priceType: u.pricetype,
    product: u.product,
    status,
    brokerStatus: u.order_status,
    rejectionReason: status === "rejected" ? u.rejection_reason : null,
    mode: u.mode === "analyze" ? "analyze" : "live",
  };
}
