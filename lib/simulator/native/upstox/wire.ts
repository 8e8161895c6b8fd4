/**
 * Upstox's envelopes and the translation of the engine's OpenAlgo-shaped answers into Upstox's rows
 * (docs/brokers/upstox.md "Simulator front-end"). Prices leave as JSON numbers, as Upstox sends them.
 */
import type { Reply } from "@/lib/simulator/server/rest";
import { describe, type UpstoxIndex } from "./instruments";

type Row = Record<string, unknown>;

export function success(data: unknown, extra: Row = {}): Reply {
  return { status: 200, body: JSON.stringify({ status: "success", data, ...extra }) };
}

/**
 * Upstox's error envelope. Each error carries the snake_case fields and their deprecated camelCase twins, as the live
 * API still sends both.
 */
export function failure(status: number, code: string, message: string, property: string | null = null): Reply {
  const error = {
    errorCode: code,
    message,
    propertyPath: property,
    invalidValue: null,
    error_code: code,
    property_path: property,
    invalid_value: null,
  };
  return { status, body: JSON.stringify({ status: "error", errors: [error] }) };
}

export const CODES = {
  invalidToken: "UDAPI100050",
  invalidCredentials: "UDAPI100016",
  invalidInput: "UDAPI100038",
  rateLimited: "UDAPI10005",
  notFound: "UDAPI100060",
  orderNotFound: "UDAPI100010",
  serverError: "UDAPI100500",
  /** The simulator's code for an order the engine refused (the live API has one per reason). */
  refused: "UDAPI100020",
} as const;

export const invalidToken = () => failure(401, CODES.invalidToken, "Invalid token used to access API");
export const tooMany = () => failure(429, CODES.rateLimited, "Too Many Request Sent");
export const serverError = () => failure(500, CODES.serverError, "Something went wrong... please contact us");

const num = (v: unknown): number => {
  const n = typeof v === "number" ? v : Number.parseFloat(String(v ?? "0"));
  return Number.isFinite(n) ? n : 0;
};
const round2 = (n: number) => Math.round(n * 100) / 100;

/** Upstox product codes: intraday `I`; delivery `D` (carry-forward NRML on derivatives, CNC on equity). */
export const toUpstoxProduct = (product: unknown) => (product === "MIS" ? "I" : "D");

/** Fills per order id from the engine's trade book: units and average price. */
export function fillsByOrder(trades: Row[]): Map<string, { qty: number; value: number }> {
  const out = new Map<string, { qty: number; value: number }>();
  for (const t of trades) {
    const id = String(t.orderid);
    const f = out.get(id) ?? { qty: 0, value: 0 };
    f.qty += num(t.quantity);
    f.value += num(t.quantity) * num(t.average_price);
    out.set(id, f);
  }
  return out;
}

/** One engine order row as Upstox's order book / order details row. */
export function orderRow(o: Row, fills: Map<string, { qty: number; value: number }>, index: UpstoxIndex): Row {
  const id = String(o.orderid);
  const { key, tradingSymbol } = describe(index, String(o.symbol), String(o.exchange));
  const quantity = num(o.quantity);
  const f = fills.get(id);
  const filled = f?.qty ?? 0;
  const status = String(o.order_status);
  const working = status === "open" || status === "trigger pending";
  const timestamp = String(o.timestamp ?? "");
  return {
    exchange: o.exchange,
    product: toUpstoxProduct(o.product),
    price: num(o.price),
    quantity,
    status,
    guid: null,
    tag: typeof o.strategy === "string" ? o.strategy : null,
    instrument_token: key,
    placed_by: "SIM",
    trading_symbol: tradingSymbol,
    tradingsymbol: tradingSymbol,
    order_type: o.pricetype,
    validity: "DAY",
    trigger_price: num(o.trigger_price),
    disclosed_quantity: 0,
    transaction_type: o.action,
    average_price: f && filled > 0 ? round2(f.value / filled) : 0,
    filled_quantity: filled,
    pending_quantity: working ? Math.max(0, quantity - filled) : 0,
    status_message: status === "rejected" ? String(o.rejection_reason ?? o.reason ?? "Rejected by RMS") : null,
    status_message_raw: null,
    exchange_order_id: status === "rejected" ? "" : `1100000${id.slice(-9)}`,
    parent_order_id: null,
    order_id: id,
    variety: "SIMPLE",
    order_timestamp: timestamp,
    exchange_timestamp: status === "rejected" ? null : timestamp,
    is_amo: false,
    order_request_id: "1",
    order_ref_id: `SIM-${id}`,
  };
}

/** The engine's trade book as Upstox's trades of the day (one row per order's aggregated fill). */
export function tradeRows(trades: Row[], orderTypes: Map<string, unknown>, index: UpstoxIndex): Row[] {
  return trades.map((t) => {
    const id = String(t.orderid);
    const { key, tradingSymbol } = describe(index, String(t.symbol), String(t.exchange));
    return {
      exchange: t.exchange,
      product: toUpstoxProduct(t.product),
      trading_symbol: tradingSymbol,
      tradingsymbol: tradingSymbol,
      instrument_token: key,
      order_type: orderTypes.get(id) ?? "MARKET",
      transaction_type: t.action,
      quantity: num(t.quantity),
      exchange_order_id: `1100000${id.slice(-9)}`,
      order_id: id,
      exchange_timestamp: t.timestamp,
      average_price: num(t.average_price),
      trade_id: `T${id.slice(-8)}`,
      order_ref_id: `SIM-${id}`,
      order_timestamp: t.timestamp,
    };
  });
}

/** Positions with Upstox's day buy/sell split (from the trade book) and realised/unrealised parts of the P&L. */
export function positionRows(positions: Row[], trades: Row[], index: UpstoxIndex): Row[] {
  return positions.map((p) => {
    const mine = trades.filter((t) => t.symbol === p.symbol && t.exchange === p.exchange && t.product === p.product);
    const side = (action: string) => {
      const list = mine.filter((t) => t.action === action);
      const qty = list.reduce((n, t) => n + num(t.quantity), 0);
      const value = list.reduce((n, t) => n + num(t.quantity) * num(t.average_price), 0);
      return { qty, value: round2(value), price: qty > 0 ? round2(value / qty) : 0 };
    };
    const buy = side("BUY");
    const sell = side("SELL");
    const qty = num(p.quantity);
    const ltp = num(p.ltp);
    const avg = num(p.average_price);
    const pnl = num(p.pnl);
    const unrealised = qty === 0 ? 0 : round2((ltp - avg) * qty);
    const { key, tradingSymbol } = describe(index, String(p.symbol), String(p.exchange));
    return {
      exchange: p.exchange,
      multiplier: 1,
      value: round2(sell.value - buy.value),
      pnl,
      product: toUpstoxProduct(p.product),
      instrument_token: key,
      average_price: avg,
      buy_value: buy.value,
      overnight_quantity: 0,
      day_buy_value: buy.value,
      day_buy_price: buy.price,
      overnight_buy_amount: 0,
      overnight_buy_quantity: 0,
      day_buy_quantity: buy.qty,
      day_sell_value: sell.value,
      day_sell_price: sell.price,
      overnight_sell_amount: 0,
      overnight_sell_quantity: 0,
      day_sell_quantity: sell.qty,
      quantity: qty,
      last_price: ltp,
      unrealised,
      realised: round2(pnl - unrealised),
      sell_value: sell.value,
      trading_symbol: tradingSymbol,
      tradingsymbol: tradingSymbol,
      close_price: ltp,
      buy_price: buy.price,
      sell_price: sell.price,
    };
  });
}

export function holdingRows(holdings: Row[], index: UpstoxIndex): Row[] {
  return holdings.map((h) => {
    const { key, tradingSymbol } = describe(index, String(h.symbol), String(h.exchange));
    const qty = num(h.quantity);
    const pnl = num(h.pnl);
    const ltp = num(h.ltp ?? h.last_price);
    const avg = h.average_price !== undefined ? num(h.average_price) : qty > 0 ? round2(ltp - pnl / qty) : 0;
    return {
      isin: key.split("|")[1] ?? "",
      cnc_used_quantity: 0,
      collateral_type: "WC",
      company_name: String(h.symbol),
      haircut: 0.2,
      product: "D",
      quantity: qty,
      trading_symbol: tradingSymbol,
      tradingsymbol: tradingSymbol,
      last_price: ltp,
      close_price: ltp,
      pnl,
      day_change: 0,
      day_change_percentage: 0,
      instrument_token: key,
      average_price: avg,
      collateral_quantity: 0,
      collateral_update_quantity: 0,
      t1_quantity: 0,
      exchange: h.exchange,
    };
  });
}

/**
 * Funds: Upstox reports no separate collateral line; its `available_margin` already counts pledged collateral, so
 * the engine's cash and collateral are added here.
 */
export function fundsBody(f: Row): Row {
  const zero = {
    used_margin: 0,
    payin_amount: 0,
    span_margin: 0,
    adhoc_margin: 0,
    notional_cash: 0,
    available_margin: 0,
    exposure_margin: 0,
  };
  return {
    equity: {
      ...zero,
      used_margin: num(f.utiliseddebits),
      available_margin: round2(num(f.availablecash) + num(f.collateral)),
    },
    commodity: zero,
  };
}

/** One full market quote entry from the engine's depth (or quote, for indices) answer. */
export function quoteEntry(q: Row, key: string, tradingSymbol: string, now: number): Row {
  const ltp = num(q.ltp);
  const prev = num(q.prev_close);
  const levels = (list: unknown) =>
    (Array.isArray(list) ? (list as Row[]) : []).map((l) => ({
      quantity: num(l.quantity),
      price: num(l.price),
      orders: l.quantity ? 1 : 0,
    }));
  const buy = levels(q.bids);
  const sell = levels(q.asks);
  if (buy.length === 0 && num(q.bid) > 0) buy.push({ quantity: 0, price: num(q.bid), orders: 0 });
  if (sell.length === 0 && num(q.ask) > 0) sell.push({ quantity: 0, price: num(q.ask), orders: 0 });
  return {
    ohlc: { open: num(q.open), high: num(q.high), low: num(q.low), close: prev },
    depth: { buy, sell },
    timestamp: new Date(now).toISOString(),
    instrument_token: key,
    symbol: tradingSymbol,
    last_price: ltp,
    volume: num(q.volume),
    average_price: ltp,
    oi: num(q.oi),
    net_change: round2(ltp - prev),
    total_buy_quantity: num(q.totalbuyqty),
    total_sell_quantity: num(q.totalsellqty),
    lower_circuit_limit: round2(prev * 0.8),
    upper_circuit_limit: round2(prev * 1.2),
    last_trade_time: String(now),
    oi_day_high: 0,
    oi_day_low: 0,
  };
}
