/**
 * Fyers' answers → the BrokerAdapter contract's shapes (docs/brokers/fyers.md "Mappings"): status numbers, order
 * types, products, sides, symbols (through the day's master) and money as Decimal.
 */
import Decimal from "decimal.js";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import type { Depth, Quote } from "@/lib/brokers/market-types";
import type {
  Funds,
  Holding,
  Order,
  OrderAction,
  OrderStatus,
  Position,
  PriceType,
  Product,
  Trade,
} from "@/lib/brokers/types";
import { BrokerUnavailableError } from "@/lib/errors";
import { IST_OFFSET_MS } from "@/lib/trading/calendar";
import {
  depthEntrySchema,
  exchangeOf,
  fileOf,
  type FyersOrder,
  type FyersTrade,
  fundsSchema,
  holdingsSchema,
  orderBookSchema,
  positionsSchema,
  quoteValueSchema,
  tradeBookSchema,
} from "./wire";

export const PRODUCT_TO_FYERS: Readonly<Record<Product, string>> = { MIS: "INTRADAY", NRML: "MARGIN", CNC: "CNC" };
export const TYPE_TO_FYERS: Readonly<Record<PriceType, number>> = { LIMIT: 1, MARKET: 2, "SL-M": 3, SL: 4 };
const TYPE_FROM_FYERS: Readonly<Record<number, PriceType>> = { 1: "LIMIT", 2: "MARKET", 3: "SL-M", 4: "SL" };

/** Fyers' products; cover and bracket orders are intraday, margin-trading-facility buys are delivery. */
function product(p: string): Product {
  switch (p) {
    case "MARGIN":
      return "NRML";
    case "CNC":
    case "MTF":
      return "CNC";
    default:
      return "MIS";
  }
}

/** Fyers' status numbers and their words (kept in `brokerStatus`). */
export const FYERS_STATUS_WORDS: Readonly<Record<number, string>> = {
  1: "cancelled",
  2: "traded",
  4: "transit",
  5: "rejected",
  6: "pending",
  7: "expired",
};

export function orderStatus(code: number, type: number, filled: number): OrderStatus {
  switch (code) {
    case 1:
    case 7:
      return "cancelled";
    case 2:
      return "complete";
    case 5:
      return "rejected";
    case 6:
      // A stop order that has not triggered waits as "pending" too; nothing filled yet means its trigger is pending.
      return (type === 3 || type === 4) && filled === 0 ? "trigger_pending" : "open";
    default:
      return "open";
  }
}

const action = (side: number): OrderAction => (side === -1 ? "SELL" : "BUY");
const dec = (n: number) => new Decimal(String(n));

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0,
  Feb: 1,
  Mar: 2,
  Apr: 3,
  May: 4,
  Jun: 5,
  Jul: 6,
  Aug: 7,
  Sep: 8,
  Oct: 9,
  Nov: 10,
  Dec: 11,
};

/** `08-Dec-2026 09:15:02` (IST) → the instant; null for any other text. */
export function parseFyersTime(text: string): Date | null {
  const m = /^(\d{2})-([A-Z][a-z]{2})-(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m || MONTHS[m[2]] === undefined) return null;
  const utc = Date.UTC(Number(m[3]), MONTHS[m[2]], Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  return new Date(utc - IST_OFFSET_MS);
}

/** OpenAlgo symbol and exchange of a Fyers ticker, through the master (or the ticker itself when it is not listed). */
function symbolOf(master: InstrumentMaster, ticker: string, exchange: number, segment: number) {
  const row = master.brokerSymbol(ticker, fileOf(exchange, segment));
  if (row) return { symbol: row.symbol, exchange: row.exchange };
  return { symbol: ticker.slice(ticker.indexOf(":") + 1), exchange: exchangeOf(exchange, segment) };
}

function parse<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  body: unknown,
  what: string,
): T {
  const r = schema.safeParse(body);
  if (!r.success) throw new BrokerUnavailableError(`Unreadable ${what} answer from Fyers`, "bad_response");
  return r.data;
}

export function mapOrder(master: InstrumentMaster, o: FyersOrder): Order {
  const status = orderStatus(o.status, o.type, o.filledQty);
  const working = status === "open" || status === "trigger_pending";
  return {
    orderId: o.id,
    ...symbolOf(master, o.symbol, o.exchange, o.segment),
    action: action(o.side),
    quantity: o.qty,
    filledQuantity: o.filledQty,
    pendingQuantity: working ? (o.remainingQuantity ?? o.qty - o.filledQty) : 0,
    price: dec(o.limitPrice),
    triggerPrice: dec(o.stopPrice),
    averagePrice: o.filledQty > 0 && o.tradedPrice > 0 ? dec(o.tradedPrice) : null,
    priceType: TYPE_FROM_FYERS[o.type] ?? "MARKET",
    product: product(o.productType),
    status,
    brokerStatus: FYERS_STATUS_WORDS[o.status] ?? String(o.status),
    rejectionReason: status === "rejected" ? o.message || null : null,
    // Fyers tags must be alphanumeric, so the tag sent is not always the strategy name: not echoed.
    strategy: null,
    placedAt: parseFyersTime(o.orderDateTime),
    brokerTimestamp: o.orderDateTime,
  };
}

export function mapOrderBook(master: InstrumentMaster, body: unknown, only?: ReadonlySet<string>): Order[] {
  const rows = parse(orderBookSchema, body, "order book").orderBook ?? [];
  return rows.filter((o) => !only || only.has(o.id)).map((o) => mapOrder(master, o));
}

function mapTrade(master: InstrumentMaster, t: FyersTrade): Trade {
  return {
    orderId: t.orderNumber,
    tradeId: t.tradeNumber ?? null,
    ...symbolOf(master, t.symbol, t.exchange, t.segment),
    action: action(t.side),
    product: product(t.productType),
    quantity: t.tradedQty,
    averagePrice: dec(t.tradePrice),
    tradeValue: dec(t.tradeValue),
    strategy: null,
    tradedAt: parseFyersTime(t.orderDateTime),
    brokerTimestamp: t.orderDateTime,
  };
}

export function mapTradeBook(master: InstrumentMaster, body: unknown, only?: ReadonlySet<string>): Trade[] {
  const rows = parse(tradeBookSchema, body, "trade book").tradeBook ?? [];
  return rows.filter((t) => !only || only.has(t.orderNumber)).map((t) => mapTrade(master, t));
}

export function mapPositions(master: InstrumentMaster, body: unknown): Position[] {
  return (parse(positionsSchema, body, "positions").netPositions ?? []).map((p) => ({
    ...symbolOf(master, p.symbol, p.exchange, p.segment),
    product: product(p.productType),
    quantity: p.netQty,
    averagePrice: dec(p.netAvg),
    ltp: dec(p.ltp),
    pnl: dec(p.pl),
  }));
}

/** Unrealised P&L of the day's positions, rupees (funds carry only the realised part). */
export function unrealisedOf(body: unknown): Decimal {
  const rows = parse(positionsSchema, body, "positions").netPositions ?? [];
  return rows.reduce((sum, p) => sum.plus(dec(p.unrealized_profit)), new Decimal(0));
}

export function mapHoldings(master: InstrumentMaster, body: unknown): Holding[] {
  return (parse(holdingsSchema, body, "holdings").holdings ?? []).map((h) => {
    const cost = dec(h.costPrice);
    return {
      ...symbolOf(master, h.symbol, h.exchange, h.segment),
      product: "CNC" as const,
      quantity: h.quantity,
      averagePrice: cost,
      ltp: dec(h.ltp),
      pnl: dec(h.pl),
      pnlPercent: cost.gt(0) ? dec(h.ltp).minus(cost).div(cost).mul(100).toDecimalPlaces(2) : new Decimal(0),
    };
  });
}

/** Fyers' fund ledger lines by id: 2 utilised, 4 realised P&L, 5 collaterals, 10 available balance. */
export function mapFunds(body: unknown, unrealised: Decimal): Funds {
  const lines = parse(fundsSchema, body, "funds").fund_limit;
  const line = (id: number) => {
    const l = lines.find((x) => x.id === id);
    return l ? dec(l.equityAmount).plus(dec(l.commodityAmount)) : new Decimal(0);
  };
  const collateral = line(5);
  // "Available Balance" is net of margin in use and includes collateral; cash is that balance without collateral.
  const cash = line(10).minus(collateral);
  return {
    availableMargin: cash.plus(collateral),
    cash,
    collateral,
    utilised: line(2),
    realisedPnl: line(4),
    unrealisedPnl: unrealised,
  };
}

const orNull = (n: number) => (n > 0 ? dec(n) : null);

export function mapQuoteValue(v: unknown): Quote {
  const q = parse(quoteValueSchema, v, "quote");
  return {
    ltp: dec(q.lp),
    open: dec(q.open_price),
    high: dec(q.high_price),
    low: dec(q.low_price),
    prevClose: dec(q.prev_close_price),
    bid: orNull(q.bid),
    ask: orNull(q.ask),
    volume: Math.round(q.volume),
    oi: 0,
  };
}

export function mapDepth(entry: unknown): Depth {
  const d = parse(depthEntrySchema, entry, "depth");
  const levels = (l: { price: number; volume: number }[]) =>
    l.filter((x) => x.price > 0 && x.volume > 0).map((x) => ({ price: dec(x.price), quantity: Math.round(x.volume) }));
  return {
    ltp: dec(d.ltp),
    bids: levels(d.bids),
    asks: levels(d.ask),
    totalBuyQuantity: Math.round(d.totalbuyqty),
    totalSellQuantity: Math.round(d.totalsellqty),
  };
}
