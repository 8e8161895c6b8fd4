/**
 * The engine's books (OpenAlgo shapes, strings or numbers) rendered as Kite Connect's (docs/brokers/zerodha.md
 * "Account reads"): order rows with fill quantities and average prices taken from the engine's trade book, trade rows,
 * net/day positions, holdings and segment margins. Rejection texts come from the engine's order updates, which is where
 * the engine states them for live instances.
 */
import Decimal from "decimal.js";
import type { Exchange } from "@/lib/simulator/types";
import type { BrokerEngine } from "@/lib/simulator/server/broker-seam";
import type { KiteCatalog, KiteInstrument } from "./kite-instruments";

type Row = Record<string, unknown>;

const num = (v: unknown): number => (v === undefined || v === null || v === "" ? 0 : Number(v));
const dec = (v: unknown): Decimal => new Decimal(v === undefined || v === null || v === "" ? 0 : String(v));
const money = (d: Decimal): number => Number(d.toFixed(2));

const reasons = new WeakMap<BrokerEngine, Map<string, string>>();
const tags = new WeakMap<BrokerEngine, Map<string, string>>();

/** Kite echoes an order's tag in its books; live engine rows do not carry it, so the front-end keeps it. */
export function orderTags(broker: BrokerEngine): Map<string, string> {
  let map = tags.get(broker);
  if (!map) tags.set(broker, (map = new Map()));
  return map;
}

/** Starts remembering the engine's rejection texts (once per engine). */
export function watchRejections(broker: BrokerEngine): Map<string, string> {
  let map = reasons.get(broker);
  if (!map) {
    const m = new Map<string, string>();
    broker.onOrderUpdate((instanceId, u) => {
      if (u.order_status === "rejected" && typeof u.rejection_reason === "string")
        m.set(`${instanceId}|${String(u.orderid)}`, u.rejection_reason);
    });
    reasons.set(broker, (map = m));
  }
  return map;
}

const STATUS: Record<string, string> = {
  open: "OPEN",
  complete: "COMPLETE",
  cancelled: "CANCELLED",
  rejected: "REJECTED",
  "trigger pending": "TRIGGER PENDING",
};

export function instrumentOf(catalog: KiteCatalog, symbol: unknown, exchange: unknown): KiteInstrument | undefined {
  return catalog.bySim.get(`${String(exchange)}:${String(symbol)}`);
}

interface Fills {
  quantity: number;
  value: Decimal;
}

/** Filled quantity and value per order id, from the engine's trade book rows. */
export function fillsByOrder(trades: Row[]): Map<string, Fills> {
  const out = new Map<string, Fills>();
  for (const t of trades) {
    const id = String(t.orderid);
    const f = out.get(id) ?? { quantity: 0, value: new Decimal(0) };
    const q = num(t.quantity);
    f.quantity += q;
    f.value = f.value.plus(dec(t.average_price).mul(q));
    out.set(id, f);
  }
  return out;
}

/** One Kite order row from an engine order row (order book or order status). */
export function kiteOrder(
  o: Row,
  catalog: KiteCatalog,
  fills: Map<string, Fills>,
  instanceId: string,
  rejections: Map<string, string>,
  tagged: Map<string, string>,
): Row {
  const k = instrumentOf(catalog, o.symbol, o.exchange);
  const id = String(o.orderid);
  const status = STATUS[String(o.order_status)] ?? String(o.order_status).toUpperCase();
  const quantity = num(o.quantity);
  const f = fills.get(id);
  const filled = f?.quantity ?? 0;
  const working = status === "OPEN" || status === "TRIGGER PENDING";
  const tag = tagged.get(`${instanceId}|${id}`) ?? null;
  const message = status === "REJECTED" ? (rejections.get(`${instanceId}|${id}`) ?? "Order rejected") : null;
  return {
    placed_by: instanceId,
    order_id: id,
    exchange_order_id: status === "REJECTED" ? null : `1${id}`,
    parent_order_id: null,
    status,
    status_message: message,
    status_message_raw: message,
    order_timestamp: o.timestamp,
    exchange_update_timestamp: o.timestamp,
    exchange_timestamp: status === "REJECTED" ? null : o.timestamp,
    variety: "regular",
    modified: false,
    exchange: k?.exchange ?? o.exchange,
    tradingsymbol: k?.tradingsymbol ?? o.symbol,
    instrument_token: k?.instrumentToken ?? 0,
    order_type: o.pricetype,
    transaction_type: o.action,
    validity: "DAY",
    validity_ttl: 0,
    product: o.product,
    quantity,
    disclosed_quantity: 0,
    price: money(dec(o.price)),
    trigger_price: money(dec(o.trigger_price)),
    average_price: f && filled > 0 ? money(f.value.div(filled)) : 0,
    filled_quantity: filled,
    pending_quantity: working ? quantity - filled : 0,
    cancelled_quantity: status === "CANCELLED" ? quantity - filled : 0,
    market_protection: 0,
    meta: {},
    tag,
    tags: tag ? [tag] : [],
    guid: `sim-${id}`,
  };
}

/** Kite trade rows (oldest first) from the engine's trade book rows (newest first). */
export function kiteTrades(trades: Row[], catalog: KiteCatalog): Row[] {
  const rows: Row[] = [];
  const chronological = [...trades].reverse();
  chronological.forEach((t, i) => {
    const k = instrumentOf(catalog, t.symbol, t.exchange);
    rows.push({
      trade_id: String(50_000_000 + i + 1),
      order_id: String(t.orderid),
      exchange_order_id: `1${String(t.orderid)}`,
      tradingsymbol: k?.tradingsymbol ?? t.symbol,
      exchange: k?.exchange ?? t.exchange,
      instrument_token: k?.instrumentToken ?? 0,
      product: t.product,
      average_price: money(dec(t.average_price)),
      quantity: num(t.quantity),
      fill_timestamp: t.timestamp,
      order_timestamp: t.timestamp,
      exchange_timestamp: t.timestamp,
      transaction_type: t.action,
    });
  });
  return rows;
}

/** `/portfolio/positions`: the engine's net rows; `day` repeats them (the simulator keeps no overnight split). */
export function kitePositions(rows: Row[], catalog: KiteCatalog): { net: Row[]; day: Row[] } {
  const net = rows.map((p) => {
    const k = instrumentOf(catalog, p.symbol, p.exchange);
    const q = num(p.quantity);
    const avg = dec(p.average_price);
    const value = avg.mul(q).neg();
    return {
      tradingsymbol: k?.tradingsymbol ?? p.symbol,
      exchange: k?.exchange ?? p.exchange,
      instrument_token: k?.instrumentToken ?? 0,
      product: p.product,
      quantity: q,
      overnight_quantity: 0,
      multiplier: 1,
      average_price: money(avg),
      close_price: 0,
      last_price: money(dec(p.ltp)),
      value: money(value),
      pnl: money(dec(p.pnl)),
      m2m: money(dec(p.pnl)),
      unrealised: money(dec(p.pnl)),
      realised: 0,
      buy_quantity: q > 0 ? q : 0,
      buy_price: q > 0 ? money(avg) : 0,
      buy_value: q > 0 ? money(avg.mul(q)) : 0,
      sell_quantity: q < 0 ? -q : 0,
      sell_price: q < 0 ? money(avg) : 0,
      sell_value: q < 0 ? money(avg.mul(-q)) : 0,
    };
  });
  return { net, day: net };
}

export function kiteHoldings(rows: Row[], catalog: KiteCatalog): Row[] {
  return rows.map((h) => {
    const k = instrumentOf(catalog, h.symbol, h.exchange);
    const q = num(h.quantity);
    return {
      tradingsymbol: k?.tradingsymbol ?? h.symbol,
      exchange: k?.exchange ?? h.exchange,
      instrument_token: k?.instrumentToken ?? 0,
      isin: "",
      product: "CNC",
      price: 0,
      quantity: q,
      used_quantity: 0,
      t1_quantity: 0,
      realised_quantity: q,
      authorised_quantity: 0,
      opening_quantity: q,
      collateral_quantity: 0,
      collateral_type: "",
      discrepancy: false,
      average_price: money(dec(h.average_price)),
      last_price: money(dec(h.ltp)),
      close_price: 0,
      pnl: money(dec(h.pnl)),
      day_change: 0,
      day_change_percentage: 0,
    };
  });
}

/**
 * `/user/margins` from the engine's funds: `net` = availablecash + collateral (what Kite calls the margin available
 * for trading), `available.live_balance` = availablecash, `utilised.debits` = margin in use.
 */
export function kiteMargins(f: Row): Record<"equity" | "commodity", Row> {
  const cash = dec(f.availablecash);
  const collateral = dec(f.collateral);
  const debits = dec(f.utiliseddebits);
  const segment = (enabled: boolean, k: number) => ({
    enabled,
    net: money(cash.plus(collateral).mul(k)),
    available: {
      adhoc_margin: 0,
      cash: money(cash.plus(debits).mul(k)),
      opening_balance: money(cash.plus(debits).mul(k)),
      live_balance: money(cash.mul(k)),
      collateral: money(collateral.mul(k)),
      intraday_payin: 0,
    },
    utilised: {
      debits: money(debits.mul(k)),
      exposure: 0,
      m2m_realised: money(dec(f.m2mrealized).mul(k)),
      m2m_unrealised: money(dec(f.m2munrealized).mul(k)),
      option_premium: 0,
      payout: 0,
      span: money(debits.mul(k)),
      holding_sales: 0,
      turnover: 0,
      liquid_collateral: 0,
      stock_collateral: money(collateral.mul(k)),
      delivery: 0,
    },
  });
  return { equity: segment(true, 1), commodity: segment(false, 0) };
}

export const OPENALGO_EXCHANGE: Record<string, Exchange> = {
  NSE: "NSE",
  BSE: "BSE",
  NFO: "NFO",
  BFO: "BFO",
  CDS: "CDS",
  BCD: "BCD",
  MCX: "MCX",
};
