/**
 * Angel One's rows into the contract's types (docs/brokers/angel.md "Mappings"). Symbols go through the day's master
 * (Angel segment + token → MirrorDesk symbol); numbers arrive as strings or numbers and become Decimals/integers.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import type { Funds, Holding, Order, OrderStatus, Position, PriceType, Product, Trade } from "@/lib/brokers/types";
import { BrokerUnavailableError } from "@/lib/errors";

export const text = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined ? "" : String(v)));
export const dec = (v: string) => {
  try {
    const d = new Decimal(v || 0);
    return d.isFinite() ? d : new Decimal(0);
  } catch {
    return new Decimal(0);
  }
};
export const int = (v: string) => Math.trunc(Number(v || 0)) || 0;

export const PRODUCTS: Record<Product, string> = { MIS: "INTRADAY", NRML: "CARRYFORWARD", CNC: "DELIVERY" };
const PRODUCT_BACK: Record<string, Product> = {
  INTRADAY: "MIS",
  CARRYFORWARD: "NRML",
  MARGIN: "NRML",
  DELIVERY: "CNC",
};
export const ORDER_TYPES: Record<PriceType, string> = {
  MARKET: "MARKET",
  LIMIT: "LIMIT",
  SL: "STOPLOSS_LIMIT",
  "SL-M": "STOPLOSS_MARKET",
};
const ORDER_TYPE_BACK: Record<string, PriceType> = {
  MARKET: "MARKET",
  LIMIT: "LIMIT",
  STOPLOSS_LIMIT: "SL",
  STOPLOSS_MARKET: "SL-M",
};

/** Angel's status words; anything else (`open pending`, `modify pending`, ...) is still working → open. */
export function statusOf(word: string): OrderStatus {
  switch (word.trim().toLowerCase()) {
    case "complete":
      return "complete";
    case "rejected":
      return "rejected";
    case "cancelled":
      return "cancelled";
    case "trigger pending":
      return "trigger_pending";
    default:
      return "open";
  }
}

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
/** `08-Dec-2026 09:20:31` (IST) → the instant; null for other formats. */
export function parseAngelTime(t: string): Date | null {
  const m = /^(\d{2})-([A-Za-z]{3})-(\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(t.trim());
  const month = m ? MONTHS.indexOf(m[2].toUpperCase()) : -1;
  if (!m || month < 0) return null;
  return new Date(Date.UTC(+m[3], month, +m[1], +m[4], +m[5], +m[6]) - 330 * 60_000);
}

/** MirrorDesk's symbol and exchange of an Angel (segment, token, trading symbol). */
function symbolOf(master: InstrumentMaster, seg: string, token: string, tradingsymbol: string) {
  const row = master.token(token, seg) ?? master.brokerSymbol(tradingsymbol, seg);
  if (!row)
    throw new BrokerUnavailableError(
      `Angel One row for ${seg}:${tradingsymbol} is not in today's master`,
      "bad_response",
    );
  return { symbol: row.symbol, exchange: row.exchange };
}

const orderRow = z.object({
  orderid: text,
  tradingsymbol: text,
  symboltoken: text,
  exchange: text,
  transactiontype: text,
  ordertype: text,
  producttype: text,
  quantity: text,
  price: text,
  triggerprice: text,
  averageprice: text,
  filledshares: text,
  unfilledshares: text,
  status: text,
  orderstatus: text,
  text: text,
  ordertag: text,
  updatetime: text,
});
const listOf = <T extends z.ZodType>(row: T) =>
  z
    .array(row)
    .nullish()
    .transform((v) => v ?? []);

export function mapOrders(master: InstrumentMaster, data: unknown, only?: ReadonlySet<string>): Order[] {
  const rows = listOf(orderRow).parse(data);
  const out: Order[] = [];
  for (const r of rows) {
    if (only && !only.has(r.orderid)) continue;
    const status = statusOf(r.orderstatus || r.status);
    const quantity = int(r.quantity);
    const filled = int(r.filledshares);
    const avg = dec(r.averageprice);
    out.push({
      orderId: r.orderid,
      ...symbolOf(master, r.exchange, r.symboltoken, r.tradingsymbol),
      action: r.transactiontype === "SELL" ? "SELL" : "BUY",
      quantity,
      filledQuantity: filled,
      pendingQuantity: status === "open" || status === "trigger_pending" ? int(r.unfilledshares) : 0,
      price: dec(r.price),
      triggerPrice: dec(r.triggerprice),
      averagePrice: filled > 0 && avg.gt(0) ? avg : null,
      priceType: ORDER_TYPE_BACK[r.ordertype] ?? "LIMIT",
      product: PRODUCT_BACK[r.producttype] ?? "NRML",
      status,
      brokerStatus: r.orderstatus || r.status,
      rejectionReason: status === "rejected" ? r.text || null : null,
      strategy: r.ordertag || null,
      placedAt: parseAngelTime(r.updatetime),
      brokerTimestamp: r.updatetime,
    });
  }
  return out;
}

const tradeRow = z.object({
  orderid: text,
  fillid: text,
  tradingsymbol: text,
  exchange: text,
  transactiontype: text,
  producttype: text,
  fillsize: text,
  fillprice: text,
  tradevalue: text,
  filltime: text,
});

export function mapTrades(master: InstrumentMaster, data: unknown, only?: ReadonlySet<string>): Trade[] {
  return listOf(tradeRow)
    .parse(data)
    .filter((r) => !only || only.has(r.orderid))
    .map((r) => ({
      orderId: r.orderid,
      tradeId: r.fillid || null,
      ...symbolOf(master, r.exchange, "", r.tradingsymbol),
      action: r.transactiontype === "SELL" ? "SELL" : "BUY",
      product: PRODUCT_BACK[r.producttype] ?? "NRML",
      quantity: int(r.fillsize),
      averagePrice: dec(r.fillprice),
      tradeValue: dec(r.tradevalue),
      strategy: null,
      // Angel gives only the time of day of a fill.
      tradedAt: null,
      brokerTimestamp: r.filltime,
    }));
}

const positionRow = z.object({
  exchange: text,
  symboltoken: text,
  tradingsymbol: text,
  producttype: text,
  netqty: text,
  avgnetprice: text,
  ltp: text,
  pnl: text,
});

export function mapPositions(master: InstrumentMaster, data: unknown): Position[] {
  return listOf(positionRow)
    .parse(data)
    .map((r) => ({
      ...symbolOf(master, r.exchange, r.symboltoken, r.tradingsymbol),
      product: PRODUCT_BACK[r.producttype] ?? "NRML",
      quantity: int(r.netqty),
      averagePrice: dec(r.avgnetprice),
      ltp: dec(r.ltp),
      pnl: dec(r.pnl),
    }));
}

const holdingRow = z.object({
  tradingsymbol: text,
  exchange: text,
  symboltoken: text,
  quantity: text,
  averageprice: text,
  ltp: text,
  profitandloss: text,
  pnlpercentage: text,
});

export function mapHoldings(master: InstrumentMaster, data: unknown): Holding[] {
  return listOf(holdingRow)
    .parse(data)
    .map((r) => ({
      ...symbolOf(master, r.exchange, r.symboltoken, r.tradingsymbol),
      product: "CNC" as const,
      quantity: int(r.quantity),
      averagePrice: r.averageprice ? dec(r.averageprice) : null,
      ltp: r.ltp ? dec(r.ltp) : null,
      pnl: dec(r.profitandloss),
      pnlPercent: dec(r.pnlpercentage),
    }));
}

const rms = z.object({
  net: text,
  availablecash: text,
  collateral: text,
  m2mrealized: text,
  m2munrealized: text,
  utiliseddebits: text,
});

/**
 * Angel's `availablecash` is the cash balance before margin in use, so the contract's cash (net of margin in use) is
 * availablecash − utiliseddebits; available margin adds collateral (docs/brokers/angel.md "Funds").
 */
export function mapFunds(data: unknown): Funds {
  const r = rms.parse(data);
  const utilised = dec(r.utiliseddebits);
  const cash = dec(r.availablecash).minus(utilised);
  const collateral = dec(r.collateral);
  return {
    availableMargin: cash.plus(collateral),
    cash,
    collateral,
    utilised,
    realisedPnl: dec(r.m2mrealized),
    unrealisedPnl: dec(r.m2munrealized),
  };
}
