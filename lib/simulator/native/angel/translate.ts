/**
 * Angel One's wire words and row shapes over the engine's OpenAlgo ones (docs/brokers/angel.md "Mappings"): the
 * front-end turns Angel's requests into engine bodies and the engine's books into Angel's rows. Angel sends most
 * numbers of its books as strings and prices as numbers; the rows below follow that.
 */
import type { AngelMaster, AngelScrip } from "./master";

export const PRODUCT_TO_ENGINE: Record<string, string> = {
  INTRADAY: "MIS",
  CARRYFORWARD: "NRML",
  MARGIN: "NRML",
  DELIVERY: "CNC",
};
export const PRODUCT_FROM_ENGINE: Record<string, string> = { MIS: "INTRADAY", NRML: "CARRYFORWARD", CNC: "DELIVERY" };
export const ORDER_TYPE_TO_ENGINE: Record<string, string> = {
  MARKET: "MARKET",
  LIMIT: "LIMIT",
  STOPLOSS_LIMIT: "SL",
  STOPLOSS_MARKET: "SL-M",
};
export const ORDER_TYPE_FROM_ENGINE: Record<string, string> = {
  MARKET: "MARKET",
  LIMIT: "LIMIT",
  SL: "STOPLOSS_LIMIT",
  "SL-M": "STOPLOSS_MARKET",
};
/** The engine's status words are already Angel's lower-case ones (`open`, `trigger pending`, `complete`, ...). */

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `2026-12-08 09:20:31` (engine, IST) → `08-Dec-2026 09:20:31` (Angel's order-book time, IST). */
export function angelTime(engine: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(engine);
  return m ? `${m[3]}-${MONTHS[Number(m[2]) - 1]}-${m[1]} ${m[4]}` : engine;
}

const num = (v: unknown) => Number(v ?? 0);
const price = (v: unknown) => Math.round(num(v) * 100) / 100;

type Row = Record<string, unknown>;

function contract(master: AngelMaster, symbol: unknown, exchange: unknown): AngelScrip | undefined {
  return master.bySymbol(String(symbol), String(exchange));
}

function fillsByOrder(trades: Row[]): Map<string, { qty: number; value: number }> {
  const out = new Map<string, { qty: number; value: number }>();
  for (const t of trades) {
    const id = String(t.orderid);
    const hit = out.get(id) ?? { qty: 0, value: 0 };
    hit.qty += num(t.quantity);
    hit.value += num(t.quantity) * num(t.average_price);
    out.set(id, hit);
  }
  return out;
}

function derivativeFields(scrip: AngelScrip | undefined) {
  const option = scrip?.instrumenttype === "OPTIDX";
  return {
    instrumenttype: scrip?.instrumenttype ?? "",
    strikeprice: option ? Number(scrip!.strike) / 100 : -1,
    optiontype: option ? scrip!.symbol.slice(-2) : "",
    expirydate: scrip?.expiry ?? "",
    lotsize: scrip?.lotsize ?? "1",
  };
}

/** Angel's order-book rows from the engine's order book and trade book (fills joined per order). */
export function orderBookRows(master: AngelMaster, orders: Row[], trades: Row[]): Row[] {
  const fills = fillsByOrder(trades);
  return orders.map((o) => {
    const scrip = contract(master, o.symbol, o.exchange);
    const fill = fills.get(String(o.orderid)) ?? { qty: 0, value: 0 };
    const quantity = num(o.quantity);
    const status = String(o.order_status);
    const working = status === "open" || status === "trigger pending";
    const ordertype = ORDER_TYPE_FROM_ENGINE[String(o.pricetype)] ?? String(o.pricetype);
    const time = angelTime(String(o.timestamp));
    return {
      variety: ordertype.startsWith("STOPLOSS") ? "STOPLOSS" : "NORMAL",
      ordertype,
      producttype: PRODUCT_FROM_ENGINE[String(o.product)] ?? String(o.product),
      duration: "DAY",
      price: price(o.price),
      triggerprice: price(o.trigger_price),
      quantity: String(quantity),
      disclosedquantity: "0",
      squareoff: 0,
      stoploss: 0,
      trailingstoploss: 0,
      tradingsymbol: scrip?.symbol ?? String(o.symbol),
      transactiontype: String(o.action),
      exchange: scrip?.exch_seg ?? String(o.exchange),
      symboltoken: scrip?.token ?? "",
      ordertag: typeof o.strategy === "string" ? o.strategy : "",
      ...derivativeFields(scrip),
      cancelsize: working || status === "complete" ? "0" : String(quantity - fill.qty),
      averageprice: fill.qty > 0 ? price(fill.value / fill.qty) : 0,
      filledshares: String(fill.qty),
      unfilledshares: String(working ? quantity - fill.qty : 0),
      orderid: String(o.orderid),
      text: typeof o.rejection_reason === "string" ? o.rejection_reason : "",
      status,
      orderstatus: status,
      updatetime: time,
      exchtime: status === "rejected" ? "" : time,
      exchorderupdatetime: status === "rejected" ? "" : time,
      fillid: "",
      filltime: "",
      parentorderid: "",
      uniqueorderid: uniqueOrderId(String(o.orderid)),
      exchangeorderid: status === "rejected" ? "" : `1100000${String(o.orderid).slice(-9)}`,
    };
  });
}

/** Angel's second id of an order (a UUID in the real API), derived so that both books agree on it. */
export function uniqueOrderId(orderid: string): string {
  const hex = Buffer.from(orderid.padStart(16, "0")).toString("hex").slice(0, 32).padEnd(32, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/** Angel's trade-book rows: one per engine trade, fill time as a time of day. */
export function tradeBookRows(master: AngelMaster, trades: Row[]): Row[] {
  return trades.map((t, i) => {
    const scrip = contract(master, t.symbol, t.exchange);
    const d = derivativeFields(scrip);
    return {
      exchange: scrip?.exch_seg ?? String(t.exchange),
      producttype: PRODUCT_FROM_ENGINE[String(t.product)] ?? String(t.product),
      tradingsymbol: scrip?.symbol ?? String(t.symbol),
      instrumenttype: d.instrumenttype,
      symbolgroup: "XX",
      strikeprice: String(d.strikeprice),
      optiontype: d.optiontype,
      expirydate: d.expirydate,
      marketlot: d.lotsize,
      precision: "2",
      multiplier: "-1",
      tradevalue: num(t.trade_value).toFixed(2),
      transactiontype: String(t.action),
      fillprice: price(t.average_price),
      fillsize: String(num(t.quantity)),
      orderid: String(t.orderid),
      fillid: String(50_000_000 + i),
      filltime: String(t.timestamp).slice(11),
    };
  });
}

/** Angel's position rows: signed `netqty`, average and P&L as strings. */
export function positionRows(master: AngelMaster, positions: Row[]): Row[] {
  return positions.map((p) => {
    const scrip = contract(master, p.symbol, p.exchange);
    const qty = num(p.quantity);
    const avg = num(p.average_price).toFixed(2);
    const d = derivativeFields(scrip);
    return {
      exchange: scrip?.exch_seg ?? String(p.exchange),
      symboltoken: scrip?.token ?? "",
      producttype: PRODUCT_FROM_ENGINE[String(p.product)] ?? String(p.product),
      tradingsymbol: scrip?.symbol ?? String(p.symbol),
      symbolname: scrip?.name ?? String(p.symbol),
      instrumenttype: d.instrumenttype,
      strikeprice: d.strikeprice.toFixed(2),
      optiontype: d.optiontype,
      expirydate: d.expirydate,
      lotsize: d.lotsize,
      buyqty: String(Math.max(qty, 0)),
      sellqty: String(Math.max(-qty, 0)),
      buyavgprice: qty > 0 ? avg : "0.00",
      sellavgprice: qty < 0 ? avg : "0.00",
      avgnetprice: avg,
      netprice: avg,
      netqty: String(qty),
      ltp: num(p.ltp).toFixed(2),
      pnl: num(p.pnl).toFixed(2),
      unrealised: num(p.pnl).toFixed(2),
      realised: "0.00",
    };
  });
}

/** Angel's holdings rows. */
export function holdingRows(master: AngelMaster, holdings: Row[]): Row[] {
  return holdings.map((h) => {
    const scrip = contract(master, h.symbol, h.exchange);
    return {
      tradingsymbol: scrip?.symbol ?? String(h.symbol),
      exchange: scrip?.exch_seg ?? String(h.exchange),
      isin: "",
      t1quantity: 0,
      realisedquantity: num(h.quantity),
      quantity: num(h.quantity),
      authorisedquantity: 0,
      product: PRODUCT_FROM_ENGINE[String(h.product)] ?? "DELIVERY",
      collateralquantity: null,
      collateraltype: null,
      haircut: 0,
      averageprice: price(h.average_price),
      ltp: price(h.ltp),
      symboltoken: scrip?.token ?? "",
      close: price(h.ltp),
      profitandloss: price(h.pnl),
      pnlpercentage: price(h.pnlpercent),
    };
  });
}

/**
 * Angel's RMS limits from the engine's funds. Angel's `availablecash` is the cash balance before margin in use and
 * `net` what is left to trade with; the engine's `availablecash` is already net of `utiliseddebits`.
 */
export function rmsLimits(funds: Row): Row {
  const free = num(funds.availablecash);
  const used = num(funds.utiliseddebits);
  const collateral = num(funds.collateral);
  const s = (n: number) => n.toFixed(2);
  return {
    net: s(free + collateral),
    availablecash: s(free + used),
    availableintradaypayin: "0.00",
    availablelimitmargin: "0.00",
    collateral: s(collateral),
    m2munrealized: s(num(funds.m2munrealized)),
    m2mrealized: s(num(funds.m2mrealized)),
    utiliseddebits: s(used),
    utilisedspan: null,
    utilisedoptionpremium: null,
    utilisedholdingsales: null,
    utilisedexposure: null,
    utilisedturnover: null,
    utilisedpayout: s(0),
  };
}
