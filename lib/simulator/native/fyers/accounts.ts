/**
 * The simulated Fyers API v3's account answers (docs/brokers/fyers.md "Mappings"), translated from the engine's
 * OpenAlgo books: order book, trade book, positions, holdings, funds and profile, with Fyers' keys, codes and numbers.
 */
import type { InstanceState } from "@/lib/simulator/types";
import { orderTag } from "./order-tags";
import type { FyersSymbol, FyersSymbology } from "./symbols";

type Row = Record<string, unknown>;

const n = (v: unknown): number => (v === null || v === undefined || v === "" ? 0 : Number(v));
const round2 = (v: number): number => Math.round(v * 100) / 100;

/** Fyers' order status numbers. */
export const FY_STATUS: Readonly<Record<string, number>> = {
  cancelled: 1,
  complete: 2,
  rejected: 5,
  open: 6,
  "trigger pending": 6,
};
export const FY_TYPE: Readonly<Record<string, number>> = { LIMIT: 1, MARKET: 2, "SL-M": 3, SL: 4 };
export const FY_PRODUCT: Readonly<Record<string, string>> = { MIS: "INTRADAY", NRML: "MARGIN", CNC: "CNC" };
export const FY_SIDE: Readonly<Record<string, number>> = { BUY: 1, SELL: -1 };

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `2026-12-08 09:15:02` (IST) → Fyers' `08-Dec-2026 09:15:02`. */
export function fyersDateTime(engineTimestamp: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(engineTimestamp);
  if (!m) return engineTimestamp;
  return `${m[3]}-${MONTHS[Number(m[2]) - 1]}-${m[1]} ${m[4]}`;
}

export function symbolOf(sym: FyersSymbology, row: Row): FyersSymbol | undefined {
  return sym.byOpenAlgo.get(`${String(row.exchange)}:${String(row.symbol)}`);
}

interface Fill {
  qty: number;
  value: number;
}

/** Filled quantity and value per order id, from the engine's trade book (live order books carry no fills). */
export function fillsByOrder(trades: readonly Row[]): Map<string, Fill> {
  const out = new Map<string, Fill>();
  for (const t of trades) {
    const id = String(t.orderid);
    const f = out.get(id) ?? { qty: 0, value: 0 };
    f.qty += n(t.quantity);
    f.value += n(t.quantity) * n(t.average_price);
    out.set(id, f);
  }
  return out;
}

export function orderRow(inst: InstanceState, sym: FyersSymbology, o: Row, fills: Map<string, Fill>): Row {
  const s = symbolOf(sym, o);
  const status = String(o.order_status);
  const qty = n(o.quantity);
  const fill = fills.get(String(o.orderid));
  // A sandbox row reports its own fills; a live row's come from the trade book.
  const filled = o.filled_quantity !== undefined ? n(o.filled_quantity) : (fill?.qty ?? 0);
  const traded = fill && fill.qty > 0 ? round2(fill.value / fill.qty) : n(o.average_price);
  const working = status === "open" || status === "trigger pending";
  const code = FY_STATUS[status] ?? 4;
  return {
    clientId: inst.id,
    id: String(o.orderid),
    exchOrdId: working || status === "complete" ? `1100000${String(o.orderid).slice(-9)}` : "",
    qty,
    remainingQuantity: working ? qty - filled : 0,
    filledQty: filled,
    discloseQty: 0,
    limitPrice: n(o.price),
    stopPrice: n(o.trigger_price),
    tradedPrice: filled > 0 ? traded : 0,
    type: FY_TYPE[String(o.pricetype)] ?? 2,
    fyToken: s?.entry.fyToken ?? "",
    exchange: s?.entry.exchange ?? 10,
    segment: s?.entry.segment ?? 10,
    symbol: s?.entry.symTicker ?? String(o.symbol),
    instrument: s?.entry.exInstType ?? 0,
    message: status === "rejected" ? String(o.rejection_reason ?? "RMS:Rejected") : "",
    offlineOrder: false,
    orderDateTime: fyersDateTime(String(o.timestamp)),
    orderValidity: "DAY",
    pan: "",
    productType: FY_PRODUCT[String(o.product)] ?? String(o.product),
    side: FY_SIDE[String(o.action)] ?? 1,
    status: code,
    source: "API",
    ex_sym: s?.entry.exSymbol ?? String(o.symbol),
    description: s?.entry.symDetails ?? "",
    ch: 0,
    chp: 0,
    lp: traded,
    slNo: 0,
    dqQtyRem: 0,
    orderNumStatus: `${String(o.orderid)}:${code}`,
    disclosedQty: 0,
    orderTag: orderTag(inst, String(o.orderid)),
  };
}

export function tradeRow(inst: InstanceState, sym: FyersSymbology, t: Row, orders: Map<string, Row>, i: number): Row {
  const s = symbolOf(sym, t);
  const o = orders.get(String(t.orderid));
  return {
    clientId: inst.id,
    orderDateTime: fyersDateTime(String(t.timestamp)),
    orderNumber: String(t.orderid),
    exchangeOrderNo: `1100000${String(t.orderid).slice(-9)}`,
    exchange: s?.entry.exchange ?? 10,
    side: FY_SIDE[String(t.action)] ?? 1,
    segment: s?.entry.segment ?? 10,
    orderType: FY_TYPE[String(o?.pricetype)] ?? 2,
    fyToken: s?.entry.fyToken ?? "",
    productType: FY_PRODUCT[String(t.product)] ?? String(t.product),
    tradedQty: n(t.quantity),
    tradePrice: n(t.average_price),
    tradeValue: n(t.trade_value),
    tradeNumber: `${String(t.orderid).slice(-8)}${String(i + 1).padStart(2, "0")}`,
    row: i + 1,
    symbol: s?.entry.symTicker ?? String(t.symbol),
    orderTag: orderTag(inst, String(t.orderid)),
  };
}

/** Buy and sell quantities and values per (exchange, symbol, product), from the trade book. */
function sides(trades: readonly Row[]) {
  const out = new Map<string, { buyQty: number; buyVal: number; sellQty: number; sellVal: number }>();
  for (const t of trades) {
    const k = `${String(t.exchange)}:${String(t.symbol)}:${String(t.product)}`;
    const s = out.get(k) ?? { buyQty: 0, buyVal: 0, sellQty: 0, sellVal: 0 };
    if (t.action === "BUY") {
      s.buyQty += n(t.quantity);
      s.buyVal += n(t.trade_value);
    } else {
      s.sellQty += n(t.quantity);
      s.sellVal += n(t.trade_value);
    }
    out.set(k, s);
  }
  return out;
}

export function positionsBody(sym: FyersSymbology, positions: readonly Row[], trades: readonly Row[]): Row {
  const bySide = sides(trades);
  const rows = positions.map((p, i) => {
    const s = symbolOf(sym, p);
    const net = n(p.quantity);
    const avg = n(p.average_price);
    const ltp = n(p.ltp);
    const pl = n(p.pnl);
    const unrealized = round2((ltp - avg) * net);
    const t = bySide.get(`${String(p.exchange)}:${String(p.symbol)}:${String(p.product)}`);
    const buyQty = t?.buyQty ?? (net > 0 ? net : 0);
    const sellQty = t?.sellQty ?? (net < 0 ? -net : 0);
    return {
      netQty: net,
      qty: Math.abs(net),
      avgPrice: avg,
      netAvg: avg,
      side: net > 0 ? 1 : net < 0 ? -1 : 0,
      productType: FY_PRODUCT[String(p.product)] ?? String(p.product),
      realized_profit: round2(pl - unrealized),
      unrealized_profit: unrealized,
      pl,
      ltp,
      buyQty,
      buyAvg: t && t.buyQty > 0 ? round2(t.buyVal / t.buyQty) : 0,
      buyVal: t?.buyVal ?? 0,
      sellQty,
      sellAvg: t && t.sellQty > 0 ? round2(t.sellVal / t.sellQty) : 0,
      sellVal: t?.sellVal ?? 0,
      slNo: i,
      fyToken: s?.entry.fyToken ?? "",
      crossCurrency: "",
      rbiRefRate: 1,
      qtyMulti_com: 1,
      segment: s?.entry.segment ?? 10,
      symbol: s?.entry.symTicker ?? String(p.symbol),
      id: `${s?.entry.symTicker ?? String(p.symbol)}-${FY_PRODUCT[String(p.product)] ?? String(p.product)}`,
      cfBuyQty: 0,
      cfSellQty: 0,
      dayBuyQty: buyQty,
      daySellQty: sellQty,
      exchange: s?.entry.exchange ?? 10,
    };
  });
  const sum = (k: "pl" | "realized_profit" | "unrealized_profit") => round2(rows.reduce((a, r) => a + r[k], 0));
  return {
    s: "ok",
    code: 200,
    message: "",
    netPositions: rows,
    overall: {
      count_total: rows.length,
      count_open: rows.filter((r) => r.netQty !== 0).length,
      pl_total: sum("pl"),
      pl_realized: sum("realized_profit"),
      pl_unrealized: sum("unrealized_profit"),
    },
  };
}
