/**
 * Dhan answers → the contract's shapes (docs/brokers/dhan.md "Mappings"). Every answer is parsed with zod first: a
 * shape we do not recognise is a `BrokerUnavailableError("bad_response")`, never a guess. Symbols come from the day's
 * master by segment + security id; prices become Decimals from Dhan's JSON numbers.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import type { Depth, DepthLevel, Exchange, Quote } from "@/lib/brokers/market-types";
import type { Funds, Holding, Order, Position, Trade } from "@/lib/brokers/types";
import { BrokerUnavailableError } from "@/lib/errors";
import { EXCHANGE_OF_SEGMENT, istTime, PRODUCT_FROM_DHAN, statusFromDhan, TYPE_FROM_DHAN } from "./wire";

const n = z.union([z.number(), z.string()]).transform((v) => new Decimal(v === "" ? 0 : v));
const int = z.union([z.number(), z.string()]).transform((v) => Math.trunc(Number(v) || 0));
const text = z
  .string()
  .nullish()
  .transform((v) => v ?? "");

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new BrokerUnavailableError(`Unreadable ${what} from Dhan`, "bad_response");
  return r.data;
}

/** OpenAlgo symbol and exchange of a Dhan row; the broker's own symbol when the master does not know it. */
function symbolOf(master: InstrumentMaster, segment: string, securityId: string, tradingSymbol: string) {
  const row = master.token(securityId, segment);
  if (row) return { symbol: row.symbol, exchange: row.exchange };
  return { symbol: tradingSymbol, exchange: EXCHANGE_OF_SEGMENT[segment] ?? ("NSE" as Exchange) };
}

const orderSchema = z.object({
  orderId: z.union([z.string(), z.number()]).transform(String),
  correlationId: text,
  orderStatus: z.string(),
  transactionType: z.enum(["BUY", "SELL"]),
  exchangeSegment: z.string(),
  productType: z.string(),
  orderType: z.string(),
  tradingSymbol: text,
  securityId: z.union([z.string(), z.number()]).transform(String),
  quantity: int,
  price: n,
  triggerPrice: n,
  createTime: text,
  omsErrorDescription: text,
  filledQty: int.optional(),
  remainingQuantity: int.optional(),
  averageTradedPrice: n.optional(),
});

export function mapOrder(master: InstrumentMaster, raw: unknown): Order {
  const o = parse(orderSchema, raw, "order");
  const status = statusFromDhan(o.orderStatus);
  const working = status === "open" || status === "trigger_pending";
  const reported = o.filledQty !== undefined;
  const filled = o.filledQty ?? (status === "complete" ? o.quantity : 0);
  const avg = o.averageTradedPrice;
  return {
    orderId: o.orderId,
    ...symbolOf(master, o.exchangeSegment, o.securityId, o.tradingSymbol),
    action: o.transactionType,
    quantity: o.quantity,
    filledQuantity: filled,
    pendingQuantity: working ? Math.max(0, o.quantity - filled) : 0,
    price: o.price,
    triggerPrice: o.triggerPrice,
    averagePrice: avg && avg.gt(0) && filled > 0 ? avg : null,
    priceType: TYPE_FROM_DHAN[o.orderType] ?? "LIMIT",
    product: PRODUCT_FROM_DHAN[o.productType] ?? "MIS",
    status,
    brokerStatus: o.orderStatus,
    rejectionReason: status === "rejected" ? o.omsErrorDescription || null : null,
    strategy: o.correlationId || null,
    placedAt: istTime(o.createTime),
    brokerTimestamp: o.createTime,
    ...(reported ? {} : { fillsReported: false }),
  };
}

export function mapOrders(master: InstrumentMaster, body: unknown, only?: ReadonlySet<string>): Order[] {
  const list = parse(z.array(z.unknown()), body, "order book");
  const orders = list.map((o) => mapOrder(master, o));
  return only ? orders.filter((o) => only.has(o.orderId)) : orders;
}

const tradeSchema = z.object({
  orderId: z.union([z.string(), z.number()]).transform(String),
  exchangeTradeId: text,
  transactionType: z.enum(["BUY", "SELL"]),
  exchangeSegment: z.string(),
  productType: z.string(),
  tradingSymbol: text,
  securityId: z.union([z.string(), z.number()]).transform(String),
  tradedQuantity: int,
  tradedPrice: n,
  createTime: text,
  exchangeTime: text,
});

export function mapTrades(master: InstrumentMaster, body: unknown, only?: ReadonlySet<string>): Trade[] {
  const list = parse(z.array(tradeSchema), body, "trade book");
  return list
    .filter((t) => !only || only.has(t.orderId))
    .map((t) => ({
      orderId: t.orderId,
      tradeId: t.exchangeTradeId || null,
      ...symbolOf(master, t.exchangeSegment, t.securityId, t.tradingSymbol),
      action: t.transactionType,
      product: PRODUCT_FROM_DHAN[t.productType] ?? "MIS",
      quantity: t.tradedQuantity,
      averagePrice: t.tradedPrice,
      tradeValue: t.tradedPrice.mul(t.tradedQuantity),
      strategy: null,
      tradedAt: istTime(t.exchangeTime) ?? istTime(t.createTime),
      brokerTimestamp: t.exchangeTime || t.createTime,
    }));
}

const positionSchema = z.object({
  tradingSymbol: text,
  securityId: z.union([z.string(), z.number()]).transform(String),
  exchangeSegment: z.string(),
  productType: z.string(),
  costPrice: n,
  netQty: int,
  realizedProfit: n,
  unrealizedProfit: n,
});

/**
 * Positions. Dhan reports no last price on a position: it is derived from the unrealised P&L
 * (ltp = cost + unrealised / net quantity), and is 0 for a closed row.
 */
export function mapPositions(master: InstrumentMaster, body: unknown): Position[] {
  return parse(z.array(positionSchema), body, "positions").map((p) => ({
    ...symbolOf(master, p.exchangeSegment, p.securityId, p.tradingSymbol),
    product: PRODUCT_FROM_DHAN[p.productType] ?? "MIS",
    quantity: p.netQty,
    averagePrice: p.costPrice,
    ltp: p.netQty !== 0 ? p.costPrice.plus(p.unrealizedProfit.div(p.netQty)).toDecimalPlaces(2) : new Decimal(0),
    pnl: p.realizedProfit.plus(p.unrealizedProfit),
  }));
}

/** Today's realised and unrealised P&L over all positions (Dhan's fund limit has none). */
export function positionTotals(body: unknown): { realised: Decimal; unrealised: Decimal } {
  const rows = parse(z.array(positionSchema), body, "positions");
  return rows.reduce(
    (t, p) => ({ realised: t.realised.plus(p.realizedProfit), unrealised: t.unrealised.plus(p.unrealizedProfit) }),
    { realised: new Decimal(0), unrealised: new Decimal(0) },
  );
}

const holdingSchema = z.object({
  exchange: z.string(),
  tradingSymbol: z.string(),
  securityId: z.union([z.string(), z.number()]).transform(String),
  totalQty: int,
  avgCostPrice: n,
  lastTradedPrice: n.optional(),
});

export function mapHoldings(master: InstrumentMaster, body: unknown): Holding[] {
  return parse(z.array(holdingSchema), body, "holdings").map((h) => {
    const segment = h.exchange === "BSE" ? "BSE_EQ" : "NSE_EQ";
    const ltp = h.lastTradedPrice && h.lastTradedPrice.gt(0) ? h.lastTradedPrice : null;
    const cost = h.avgCostPrice.mul(h.totalQty);
    const pnl = ltp ? ltp.minus(h.avgCostPrice).mul(h.totalQty) : new Decimal(0);
    return {
      ...symbolOf(master, segment, h.securityId, h.tradingSymbol),
      product: "CNC" as const,
      quantity: h.totalQty,
      averagePrice: h.avgCostPrice,
      ltp,
      pnl,
      pnlPercent: cost.isZero() ? new Decimal(0) : pnl.div(cost).mul(100).toDecimalPlaces(2),
    };
  });
}

const fundSchema = z.object({ availabelBalance: n, collateralAmount: n, utilizedAmount: n });

/**
 * Funds (docs/brokers/dhan.md "Funds"): Dhan's available balance already counts pledged collateral, so
 * availableMargin = availabelBalance and cash = availabelBalance − collateralAmount.
 */
export function mapFunds(body: unknown, totals: { realised: Decimal; unrealised: Decimal }): Funds {
  const f = parse(fundSchema, body, "fund limit");
  return {
    availableMargin: f.availabelBalance,
    cash: f.availabelBalance.minus(f.collateralAmount),
    collateral: f.collateralAmount,
    utilised: f.utilizedAmount,
    realisedPnl: totals.realised,
    unrealisedPnl: totals.unrealised,
  };
}

const level = z.object({ price: n, quantity: int });
const quoteSchema = z.object({
  last_price: n,
  ohlc: z.object({ open: n, close: n, high: n, low: n }),
  volume: int.optional(),
  oi: int.optional(),
  buy_quantity: int.optional(),
  sell_quantity: int.optional(),
  depth: z.object({ buy: z.array(level), sell: z.array(level) }).optional(),
});
export type DhanQuote = z.output<typeof quoteSchema>;

/** The `data[segment][securityId]` entries of a market-quote answer. */
export function quoteEntries(body: unknown): Map<string, DhanQuote> {
  const b = parse(
    z.object({ data: z.record(z.string(), z.record(z.string(), z.unknown())), status: z.string() }),
    body,
    "market quote",
  );
  const out = new Map<string, DhanQuote>();
  for (const [segment, byId] of Object.entries(b.data))
    for (const [id, q] of Object.entries(byId)) out.set(`${segment}:${id}`, parse(quoteSchema, q, "market quote"));
  return out;
}

const priced = (d: Decimal) => (d.gt(0) ? d : null);
const levels = (l: { price: Decimal; quantity: number }[]): DepthLevel[] =>
  l.filter((x) => x.price.gt(0) || x.quantity > 0).map((x) => ({ price: x.price, quantity: x.quantity }));

export function toQuote(q: DhanQuote): Quote {
  return {
    ltp: q.last_price,
    open: q.ohlc.open,
    high: q.ohlc.high,
    low: q.ohlc.low,
    prevClose: q.ohlc.close,
    bid: q.depth?.buy[0] ? priced(q.depth.buy[0].price) : null,
    ask: q.depth?.sell[0] ? priced(q.depth.sell[0].price) : null,
    volume: q.volume ?? 0,
    oi: q.oi ?? 0,
  };
}

export function toDepth(q: DhanQuote): Depth {
  return {
    ltp: q.last_price,
    bids: levels(q.depth?.buy ?? []),
    asks: levels(q.depth?.sell ?? []),
    totalBuyQuantity: q.buy_quantity ?? 0,
    totalSellQuantity: q.sell_quantity ?? 0,
  };
}
