/**
 * Kite Connect answers → the BrokerAdapter contract's types (docs/brokers/zerodha.md "Mappings"). Answers are
 * checked with zod at this edge; numbers become Decimals through their text; Kite's symbols become MirrorDesk's
 * through the day's instrument master.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import type { Exchange } from "@/lib/brokers/market-types";
import type { Funds, Holding, Order, OrderStatus, Position, PriceType, Product, Trade } from "@/lib/brokers/types";
import { BrokerUnavailableError } from "@/lib/errors";

const num = z.union([z.number(), z.string()]).nullish();
const time = z.union([z.string(), z.date()]).nullish();

const dec = (v: number | string | null | undefined): Decimal => {
  try {
    const d = new Decimal(v === null || v === undefined || v === "" ? 0 : String(v));
    return d.isFinite() ? d : new Decimal(0);
  } catch {
    return new Decimal(0);
  }
};
const int = (v: number | string | null | undefined): number => {
  const n = Number(v ?? 0);
  return Number.isFinite(n) ? Math.trunc(n) : 0;
};

export function parsed<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new BrokerUnavailableError(`Unreadable ${what} from Zerodha`, "bad_response");
  return r.data;
}

const IST_OFFSET_MS = 19_800_000;

/**
 * Kite prints IST wall times (`2026-12-08 09:18:57`); the SDK turns some into Dates read in this process's time zone,
 * so the wall time is taken back from the Date's local fields. Returns the text and the instant.
 */
export function kiteTime(value: string | Date | null | undefined): { text: string; at: Date | null } {
  let text = "";
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return { text: "", at: null };
    const p = (n: number) => String(n).padStart(2, "0");
    text = `${value.getFullYear()}-${p(value.getMonth() + 1)}-${p(value.getDate())} ${p(value.getHours())}:${p(value.getMinutes())}:${p(value.getSeconds())}`;
  } else text = value ?? "";
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return { text, at: null };
  const utc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) - IST_OFFSET_MS;
  return { text, at: new Date(utc) };
}

/**
 * Kite's status words. Anything not listed (`PUT ORDER REQ RECEIVED`, `VALIDATION PENDING`, `OPEN PENDING`,
 * `MODIFY PENDING`, `CANCEL PENDING`, `AMO REQ RECEIVED`, ...) is a state on the way and counts as open.
 */
export function orderStatusOf(word: string): OrderStatus {
  switch (word.toUpperCase()) {
    case "COMPLETE":
      return "complete";
    case "REJECTED":
      return "rejected";
    case "CANCELLED":
    case "CANCELLED AMO":
    case "EXPIRED":
    case "LAPSED":
      return "cancelled";
    case "TRIGGER PENDING":
      return "trigger_pending";
    default:
      return "open";
  }
}

const PRICE_TYPES = new Set<PriceType>(["MARKET", "LIMIT", "SL", "SL-M"]);
const PRODUCTS = new Set<Product>(["MIS", "NRML", "CNC"]);
const priceTypeOf = (t: string): PriceType => (PRICE_TYPES.has(t as PriceType) ? (t as PriceType) : "LIMIT");
// Kite's other products (MTF, CO, BO) are not ones MirrorDesk places; NRML is the carry-forward reading.
const productOf = (p: string): Product => (PRODUCTS.has(p as Product) ? (p as Product) : "NRML");

/** MirrorDesk's symbol of a Kite row; Kite's own text when today's master does not list it (an expired contract). */
function symbolOf(master: InstrumentMaster, tradingsymbol: string, exchange: string, token?: number | string | null) {
  const row =
    master.brokerSymbol(tradingsymbol, exchange) ?? (token ? master.token(String(token), exchange) : undefined);
  return { symbol: row?.symbol ?? tradingsymbol, exchange: (row?.exchange ?? exchange) as Exchange };
}

const orderSchema = z.object({
  order_id: z.union([z.string(), z.number()]).transform(String),
  status: z.string(),
  status_message: z.string().nullish(),
  order_timestamp: time,
  exchange: z.string(),
  tradingsymbol: z.string(),
  instrument_token: num,
  order_type: z.string(),
  transaction_type: z.enum(["BUY", "SELL"]),
  product: z.string(),
  quantity: num,
  price: num,
  trigger_price: num,
  average_price: num,
  filled_quantity: num,
  pending_quantity: num,
  tag: z.string().nullish(),
});
export const ordersSchema = z.array(orderSchema);
export type KiteOrder = z.infer<typeof orderSchema>;

export function mapOrder(o: KiteOrder, master: InstrumentMaster): Order {
  const status = orderStatusOf(o.status);
  const quantity = int(o.quantity);
  const filled = int(o.filled_quantity);
  const avg = dec(o.average_price);
  const t = kiteTime(o.order_timestamp);
  return {
    orderId: o.order_id,
    ...symbolOf(master, o.tradingsymbol, o.exchange, o.instrument_token),
    action: o.transaction_type,
    quantity,
    filledQuantity: filled,
    pendingQuantity: status === "open" || status === "trigger_pending" ? int(o.pending_quantity) : 0,
    price: dec(o.price),
    triggerPrice: dec(o.trigger_price),
    averagePrice: filled > 0 && avg.gt(0) ? avg : null,
    priceType: priceTypeOf(o.order_type),
    product: productOf(o.product),
    status,
    brokerStatus: o.status,
    rejectionReason: status === "rejected" ? (o.status_message ?? null) : null,
    strategy: o.tag ?? null,
    placedAt: t.at,
    brokerTimestamp: t.text,
  };
}

const tradeSchema = z.object({
  trade_id: z.union([z.string(), z.number()]).transform(String).nullish(),
  order_id: z.union([z.string(), z.number()]).transform(String),
  exchange: z.string(),
  tradingsymbol: z.string(),
  instrument_token: num,
  product: z.string(),
  average_price: num,
  quantity: num,
  fill_timestamp: time,
  transaction_type: z.enum(["BUY", "SELL"]),
});
export const tradesSchema = z.array(tradeSchema);

/** Kite's trade rows carry no tag; `strategy` is null. */
export function mapTrade(t: z.infer<typeof tradeSchema>, master: InstrumentMaster): Trade {
  const q = int(t.quantity);
  const price = dec(t.average_price);
  const when = kiteTime(t.fill_timestamp);
  return {
    orderId: t.order_id,
    tradeId: t.trade_id ?? null,
    ...symbolOf(master, t.tradingsymbol, t.exchange, t.instrument_token),
    action: t.transaction_type,
    product: productOf(t.product),
    quantity: q,
    averagePrice: price,
    tradeValue: price.mul(q),
    strategy: null,
    tradedAt: when.at,
    brokerTimestamp: when.text,
  };
}

const positionSchema = z.object({
  tradingsymbol: z.string(),
  exchange: z.string(),
  instrument_token: num,
  product: z.string(),
  quantity: num,
  average_price: num,
  last_price: num,
  pnl: num,
});
export const positionsSchema = z.object({ net: z.array(positionSchema) });

export function mapPositions(p: z.infer<typeof positionsSchema>, master: InstrumentMaster): Position[] {
  return p.net.map((r) => ({
    ...symbolOf(master, r.tradingsymbol, r.exchange, r.instrument_token),
    product: productOf(r.product),
    quantity: int(r.quantity),
    averagePrice: dec(r.average_price),
    ltp: dec(r.last_price),
    pnl: dec(r.pnl),
  }));
}

const holdingSchema = z.object({
  tradingsymbol: z.string(),
  exchange: z.string(),
  instrument_token: num,
  product: z.string().nullish(),
  quantity: num,
  t1_quantity: num,
  average_price: num,
  last_price: num,
  pnl: num,
});
export const holdingsSchema = z.array(holdingSchema);

export function mapHoldings(rows: z.infer<typeof holdingsSchema>, master: InstrumentMaster): Holding[] {
  return rows.map((h) => {
    const q = int(h.quantity) + int(h.t1_quantity);
    const avg = dec(h.average_price);
    const cost = avg.mul(q);
    const pnl = dec(h.pnl);
    return {
      ...symbolOf(master, h.tradingsymbol, h.exchange, h.instrument_token),
      product: "CNC" as const,
      quantity: q,
      averagePrice: avg,
      ltp: dec(h.last_price),
      pnl,
      pnlPercent: cost.isZero() ? new Decimal(0) : pnl.div(cost).mul(100).toDecimalPlaces(2),
    };
  });
}

const segmentSchema = z.object({
  net: num,
  available: z.object({ collateral: num }),
  utilised: z.object({ debits: num, m2m_realised: num, m2m_unrealised: num }),
});
export const marginsSchema = z.object({ equity: segmentSchema });

/**
 * The equity segment (where NSE/BSE F&O margin lives). Kite's `net` is the margin available for trading, collateral
 * included and margin in use deducted: cash = net − collateral, so availableMargin = cash + collateral = net.
 */
export function mapFunds(m: z.infer<typeof marginsSchema>): Funds {
  const net = dec(m.equity.net);
  const collateral = dec(m.equity.available.collateral);
  const cash = net.minus(collateral);
  return {
    availableMargin: cash.plus(collateral),
    cash,
    collateral,
    utilised: dec(m.equity.utilised.debits),
    realisedPnl: dec(m.equity.utilised.m2m_realised),
    unrealisedPnl: dec(m.equity.utilised.m2m_unrealised),
  };
}
