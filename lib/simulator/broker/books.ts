/**
 * Book rendering: order book, trade book, position book, holdings, funds, order status and `order_update`
 * payloads, in the instance's number flavour (docs/openalgo.md "Account reads": strings like live brokers, JSON numbers
 * like the sandbox) and key set (sandbox extras in analyze mode; `strategy` always in the sandbox, on live rows only
 * when the instance echoes it).
 */
import Decimal from "decimal.js";
import type { Instrument } from "@/lib/simulator/types";
import { avgPrice, type Account, type Order, type Position } from "./account";
import type { SimInstance } from "./instance";

const ZERO = new Decimal(0);
const IST_OFFSET_MS = 19_800_000;

export type Ltp = (inst: Instrument) => number | undefined;

/** Money in the instance's flavour: `"12.50"` or `12.5`. */
export function money(inst: SimInstance, d: Decimal): string | number {
  const s = d.toFixed(2);
  return inst.numbers === "string" ? s : Number(s);
}

export function qty(inst: SimInstance, n: number): string | number {
  return inst.numbers === "string" ? String(n) : n;
}

/** `YYYY-MM-DD HH:MM:SS` in IST, as the sandbox prints times. */
export function istTimestamp(ms: number): string {
  const iso = new Date(ms + IST_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

function working(o: Order): boolean {
  return o.status === "open" || o.status === "trigger pending";
}

/** Price shown for an order: live brokers zero MARKET rows, the sandbox shows the reference/fill price. */
function shownPrice(inst: SimInstance, o: Order): Decimal {
  if (o.pricetype !== "MARKET" && o.pricetype !== "SL-M") return o.price;
  if (inst.mode !== "analyze") return ZERO;
  if (o.pricetype === "SL-M") return ZERO;
  return o.filled > 0 ? avgPrice(o) : o.refPrice;
}

/**
 * Whether books echo `strategy`: sandbox rows always carry it (docs/openalgo.md "Account reads"); live rows only on
 * instances whose broker keeps the tag (`showStrategy`; most live brokers drop it).
 */
function showsStrategy(inst: SimInstance): boolean {
  return inst.mode === "analyze" || inst.showStrategy;
}

/**
 * One order-book row. Live rows have exactly the broker mapper's 11 keys (docs/openalgo.md "Account reads") — no fill
 * quantities, no average price, no rejection text: a client must read those from the trade book. Sandbox rows add them.
 */
export function orderRow(inst: SimInstance, o: Order): Record<string, unknown> {
  const row: Record<string, unknown> = {
    action: o.action,
    exchange: o.inst.exchange,
    order_status: o.status,
    orderid: o.orderid,
    price: money(inst, shownPrice(inst, o)),
    pricetype: o.pricetype,
    product: o.product,
    quantity: qty(inst, o.quantity),
    symbol: o.inst.symbol,
    timestamp: istTimestamp(o.createdAt),
    trigger_price: money(inst, o.triggerPrice),
  };
  if (inst.mode === "analyze") {
    row.average_price = money(inst, avgPrice(o));
    row.filled_quantity = qty(inst, o.filled);
    row.pending_quantity = qty(inst, working(o) ? o.quantity - o.filled : 0);
    row.rejection_reason = o.rejectionReason;
  }
  if (showsStrategy(inst)) row.strategy = o.strategy;
  return row;
}

export function orderBook(inst: SimInstance): Record<string, unknown> {
  const a = inst.account;
  const orders: Record<string, unknown>[] = [];
  const stats = { buy: 0, sell: 0, complete: 0, open: 0, rejected: 0, trigger: 0 };
  for (let i = a.orders.length - 1; i >= a.sessionOrderStart; i--) {
    const o = a.orders[i];
    if (o.unlisted) continue;
    orders.push(orderRow(inst, o));
    if (o.action === "BUY") stats.buy++;
    else stats.sell++;
    if (o.status === "complete") stats.complete++;
    else if (o.status === "open") stats.open++;
    else if (o.status === "rejected") stats.rejected++;
    else if (o.status === "trigger pending") stats.trigger++;
  }
  const statistics: Record<string, number> = {
    total_buy_orders: stats.buy,
    total_completed_orders: stats.complete,
    total_open_orders: stats.open,
    total_rejected_orders: stats.rejected,
    total_sell_orders: stats.sell,
  };
  if (inst.mode === "analyze") statistics.total_trigger_pending_orders = stats.trigger;
  return { orders, statistics };
}

export function tradeBook(inst: SimInstance): Record<string, unknown>[] {
  const a = inst.account;
  const rows: Record<string, unknown>[] = [];
  for (let i = a.trades.length - 1; i >= a.sessionTradeStart; i--) {
    const t = a.trades[i];
    if (t.order.unlisted) continue;
    const row: Record<string, unknown> = {
      action: t.order.action,
      average_price: money(inst, t.price),
      exchange: t.order.inst.exchange,
      orderid: t.order.orderid,
      product: t.order.product,
      quantity: qty(inst, t.quantity),
      symbol: t.order.inst.symbol,
      timestamp: istTimestamp(t.ts),
      trade_value: money(inst, t.price.mul(t.quantity)),
    };
    if (inst.mode === "analyze") {
      row.price = money(inst, t.price);
      row.tradeid = t.tradeid;
    }
    if (showsStrategy(inst)) row.strategy = t.order.strategy;
    rows.push(row);
  }
  return rows;
}

export function unrealized(p: Position, ltp: number | undefined): Decimal {
  if (p.qty === 0 || ltp === undefined) return ZERO;
  return new Decimal(ltp).minus(p.avg).mul(p.qty);
}

export interface PositionTotals {
  realized: Decimal;
  unrealized: Decimal;
}

export function positionTotals(a: Account, ltp: Ltp): PositionTotals {
  let realized = ZERO;
  let unreal = ZERO;
  for (const p of a.positions.values()) {
    realized = realized.plus(p.realized);
    unreal = unreal.plus(unrealized(p, ltp(p.inst)));
  }
  return { realized, unrealized: unreal };
}

/**
 * Position rows: open ones, and closed ones while today's realised P&L is non-zero (docs/openalgo.md "Account reads").
 */
export function positionBook(inst: SimInstance, ltp: Ltp): { data: Record<string, unknown>[]; totals: PositionTotals } {
  const rows: Record<string, unknown>[] = [];
  const totals = positionTotals(inst.account, ltp);
  for (const p of inst.account.positions.values()) {
    if (p.qty === 0 && p.realized.isZero()) continue;
    const last = ltp(p.inst);
    const unreal = unrealized(p, last);
    const row: Record<string, unknown> = {
      average_price: money(inst, p.avg),
      exchange: p.inst.exchange,
      ltp: money(inst, new Decimal(last ?? 0)),
      pnl: money(inst, p.realized.plus(unreal)),
      product: p.product,
      quantity: qty(inst, p.qty),
      symbol: p.inst.symbol,
    };
    if (inst.mode === "analyze") {
      const cost = p.avg.mul(Math.abs(p.qty));
      row.lot_size = p.inst.lotsize;
      row.pnlpercent = cost.isZero() ? 0 : unreal.div(cost).mul(100).toNumber();
      row.today_realized_pnl = money(inst, p.realized);
      row.total_pnl_today = money(inst, p.realized.plus(unreal));
      // The sandbox reports a closed row's realised P&L as its unrealised too (docs/openalgo.md "Account reads").
      row.unrealized_pnl = money(inst, p.qty === 0 ? p.realized : unreal);
    }
    rows.push(row);
  }
  return { data: rows, totals };
}

export function holdingsBook(inst: SimInstance, ltp: Ltp): Record<string, unknown> {
  let value = ZERO;
  let invested = ZERO;
  const holdings: Record<string, unknown>[] = [];
  for (const h of inst.account.holdings.values()) {
    const last = new Decimal(ltp(h.inst) ?? h.avg);
    const cost = h.avg.mul(h.qty);
    const current = last.mul(h.qty);
    value = value.plus(current);
    invested = invested.plus(cost);
    const pnl = current.minus(cost);
    const row: Record<string, unknown> = {
      exchange: h.inst.exchange,
      pnl: money(inst, pnl),
      pnlpercent: money(inst, cost.isZero() ? ZERO : pnl.div(cost).mul(100)),
      product: "CNC",
      quantity: qty(inst, h.qty),
      symbol: h.inst.symbol,
    };
    if (inst.mode === "analyze") {
      row.average_price = money(inst, h.avg);
      row.ltp = money(inst, last);
      row.current_value = money(inst, current);
      row.settlement_date = h.settledOn;
    }
    holdings.push(row);
  }
  const pnl = value.minus(invested);
  return {
    holdings,
    statistics: {
      totalholdingvalue: money(inst, value),
      totalinvvalue: money(inst, invested),
      totalpnlpercentage: money(inst, invested.isZero() ? ZERO : pnl.div(invested).mul(100)),
      totalprofitandloss: money(inst, pnl),
    },
  };
}

export function funds(inst: SimInstance, ltp: Ltp, lastReset: number, resetCount: number): Record<string, unknown> {
  const a = inst.account;
  const t = positionTotals(a, ltp);
  const data: Record<string, unknown> = {
    availablecash: money(inst, a.cash.plus(t.realized).minus(a.utilised)),
    collateral: money(inst, ZERO),
    m2mrealized: money(inst, t.realized),
    m2munrealized: money(inst, t.unrealized),
    utiliseddebits: money(inst, a.utilised),
  };
  if (inst.mode === "analyze") {
    const totalRealized = a.cash.minus(a.capital).plus(t.realized);
    data.grossexposure = money(inst, a.utilised);
    data.last_reset = istTimestamp(lastReset);
    data.reset_count = resetCount;
    data.today_realized_pnl = money(inst, t.realized);
    data.total_realized_pnl = money(inst, totalRealized);
    data.totalpnl = money(inst, totalRealized.plus(t.unrealized));
  }
  return data;
}

/**
 * `/orderstatus` data. Live OpenAlgo looks the order up in the order book and adds `average_price` from the trade
 * book when it is complete, else 0 (docs/openalgo.md "Account reads"). The sandbox answers its own keys (`price_type`,
 * fill quantities, strategy) and no rejection text.
 */
export function orderStatus(inst: SimInstance, o: Order): Record<string, unknown> {
  if (inst.mode !== "analyze") {
    return { ...orderRow(inst, o), average_price: money(inst, o.status === "complete" ? avgPrice(o) : ZERO) };
  }
  return {
    action: o.action,
    average_price: money(inst, avgPrice(o)),
    exchange: o.inst.exchange,
    filled_quantity: qty(inst, o.filled),
    order_status: o.status,
    orderid: o.orderid,
    pending_quantity: qty(inst, working(o) ? o.quantity - o.filled : 0),
    price: money(inst, shownPrice(inst, o)),
    price_type: o.pricetype,
    product: o.product,
    quantity: qty(inst, o.quantity),
    strategy: o.strategy,
    symbol: o.inst.symbol,
    timestamp: istTimestamp(o.createdAt),
    trigger_price: money(inst, o.triggerPrice),
  };
}

/** WebSocket `order_update` data (docs/openalgo.md "WebSocket"), without `type`. Always JSON numbers. */
export function orderUpdate(inst: SimInstance, o: Order): Record<string, unknown> {
  const analyze = inst.mode === "analyze";
  const avg = avgPrice(o);
  const price = o.status === "complete" ? avg : o.pricetype === "MARKET" ? o.refPrice : o.price;
  // The sandbox reports pending 0 on every event (docs/openalgo.md "WebSocket"); a live broker reports what is
  // unfilled.
  const pending = working(o) && (!analyze || o.filled > 0) ? o.quantity - o.filled : 0;
  return {
    user_id: inst.id,
    mode: analyze ? "analyze" : "live",
    broker: analyze ? "sandbox" : inst.brokerName,
    orderid: o.orderid,
    symbol: o.inst.symbol,
    exchange: o.inst.exchange,
    action: o.action,
    quantity: o.quantity,
    price: Number(price.toFixed(2)),
    trigger_price: Number(o.triggerPrice.toFixed(2)),
    pricetype: o.pricetype,
    product: o.product,
    order_status: o.status,
    filled_quantity: o.filled,
    pending_quantity: pending,
    average_price: Number(avg.toFixed(2)),
    rejection_reason: o.rejectionReason,
  };
}
