/**
 * The simulated Dhan's answers checked against DhanHQ v2's documented field names and JSON types, over raw HTTP (no
 * MirrorDesk client involved): order placement and book, trade book, positions, holdings, fund limit, market quote,
 * the scrip master's header and units, the error envelope (DH-901, DH-904, DH-905) and the rate limit.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import { disconnectRedis } from "@/lib/redis";
import { nextSessionExpiry } from "@/lib/simulator/broker/instance";
import { type DhanSim, startDhanSim } from "@/lib/testing/dhan-kit";
import { MASTER_COLUMNS } from "./scrips";

const ID = "dproto";
let d: DhanSim;
let token = "";
let api = "";

beforeAll(async () => {
  // A frozen rate-limit clock: the limits count exactly, whatever the machine's speed.
  d = await startDhanSim(ID, { rateLimitNow: () => 0 });
  token = (await d.login()).session.accessToken;
  api = d.app.hostUrl;
});
afterAll(async () => {
  await d?.sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

async function call(method: string, path: string, body?: unknown, accessToken = token) {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { "access-token": accessToken, "client-id": ID, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> & Record<string, unknown>[] };
}

/** Asserts each key of `types` is present with that JSON type. */
function shaped(row: Record<string, unknown>, types: Record<string, "string" | "number" | "boolean">) {
  for (const [k, t] of Object.entries(types)) expect({ key: k, type: typeof row[k] }).toEqual({ key: k, type: t });
}

const ORDER_FIELDS = {
  dhanClientId: "string",
  orderId: "string",
  correlationId: "string",
  orderStatus: "string",
  transactionType: "string",
  exchangeSegment: "string",
  productType: "string",
  orderType: "string",
  validity: "string",
  tradingSymbol: "string",
  securityId: "string",
  quantity: "number",
  disclosedQuantity: "number",
  price: "number",
  triggerPrice: "number",
  afterMarketOrder: "boolean",
  createTime: "string",
  updateTime: "string",
  exchangeTime: "string",
  drvExpiryDate: "string",
  drvOptionType: "string",
  drvStrikePrice: "number",
  omsErrorCode: "string",
  omsErrorDescription: "string",
  remainingQuantity: "number",
  averageTradedPrice: "number",
  filledQty: "number",
} as const;

describe("simulated Dhan: DhanHQ v2 wire format", () => {
  let sbin = "";
  let future = { id: "", lot: 0 };

  it("serves the detailed scrip master with Dhan's columns, segment letters and units", async () => {
    const csv = await (await fetch(`${d.sim.httpUrl}/dhan/api-data/api-scrip-master-detailed.csv`)).text();
    const [header, ...lines] = csv.trim().split("\n");
    expect(header).toBe(MASTER_COLUMNS.join(",") + ",");
    const cols = header.split(",");
    const rows = lines.map((l) => Object.fromEntries(l.split(",").map((v, i) => [cols[i], v])));
    const eq = rows.find((r) => r.SEGMENT === "E" && r.UNDERLYING_SYMBOL === "SBIN" && r.EXCH_ID === "NSE")!;
    sbin = eq.SECURITY_ID;
    expect(eq).toMatchObject({ INSTRUMENT: "EQUITY", SERIES: "EQ", TICK_SIZE: "5.0000", LOT_SIZE: "1.0" });
    const fut = rows.find((r) => r.INSTRUMENT === "FUTIDX" && r.UNDERLYING_SYMBOL === "NIFTY")!;
    expect(fut.SYMBOL_NAME).toMatch(/^NIFTY-[A-Z][a-z]{2}\d{4}-FUT$/);
    expect(fut.SM_EXPIRY_DATE).toMatch(/^\d{4}-\d{2}-\d{2} 14:30:00$/);
    expect(fut.EXPIRY_FLAG).toBe("M");
    future = { id: fut.SECURITY_ID, lot: Number(fut.LOT_SIZE) };
    const opt = rows.find(
      (r) => r.INSTRUMENT === "OPTIDX" && r.EXPIRY_FLAG === "W" && r.UNDERLYING_SYMBOL === "NIFTY",
    )!;
    expect(opt.SYMBOL_NAME).toMatch(/^NIFTY-[A-Z][a-z]{2}\d{4}-\d+-(CE|PE)$/);
    expect(opt.STRIKE_PRICE).toMatch(/^\d+\.00000$/);
    expect(rows.find((r) => r.SEGMENT === "I" && r.UNDERLYING_SYMBOL === "NIFTY")?.SECURITY_ID).toBe("13");
    expect(rows.find((r) => r.SEGMENT === "D" && r.EXCH_ID === "BSE")?.UNDERLYING_SYMBOL).toBe("SENSEX");
  });

  it("places an order: {orderId, orderStatus}; the order book and trade book use Dhan's fields", async () => {
    const placed = await call("POST", "/orders", {
      dhanClientId: ID,
      correlationId: "proto-1",
      transactionType: "BUY",
      exchangeSegment: "NSE_FNO",
      productType: "MARGIN",
      orderType: "MARKET",
      validity: "DAY",
      securityId: future.id,
      quantity: future.lot,
      price: 0,
      triggerPrice: 0,
    });
    expect(placed.status).toBe(200);
    shaped(placed.body, { orderId: "string", orderStatus: "string" });
    const book = await call("GET", "/orders");
    expect(Array.isArray(book.body)).toBe(true);
    const row = book.body.find((o) => o.orderId === placed.body.orderId)!;
    shaped(row, ORDER_FIELDS);
    expect(row).toMatchObject({ orderStatus: "TRADED", correlationId: "proto-1", filledQty: future.lot });
    expect(row.createTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    shaped((await call("GET", `/orders/${String(placed.body.orderId)}`)).body, ORDER_FIELDS);
    const trades = (await call("GET", "/trades")).body;
    shaped(trades[0], {
      orderId: "string",
      exchangeTradeId: "string",
      transactionType: "string",
      exchangeSegment: "string",
      productType: "string",
      tradingSymbol: "string",
      securityId: "string",
      tradedQuantity: "number",
      tradedPrice: "number",
      createTime: "string",
    });
  });

  it("positions, fund limit (with Dhan's own spelling) and holdings", async () => {
    const pos = (await call("GET", "/positions")).body;
    shaped(pos[0], {
      tradingSymbol: "string",
      securityId: "string",
      positionType: "string",
      exchangeSegment: "string",
      productType: "string",
      buyAvg: "number",
      costPrice: "number",
      buyQty: "number",
      sellQty: "number",
      netQty: "number",
      realizedProfit: "number",
      unrealizedProfit: "number",
    });
    expect(pos[0]).toMatchObject({ positionType: "LONG", productType: "MARGIN", netQty: future.lot });
    const funds = (await call("GET", "/fundlimit")).body;
    shaped(funds, {
      dhanClientId: "string",
      availabelBalance: "number",
      sodLimit: "number",
      collateralAmount: "number",
      utilizedAmount: "number",
      withdrawableBalance: "number",
    });
    expect(funds.utilizedAmount as number).toBeGreaterThan(0);
    const cnc = await call("POST", "/orders", {
      dhanClientId: ID,
      transactionType: "BUY",
      exchangeSegment: "NSE_EQ",
      productType: "CNC",
      orderType: "MARKET",
      validity: "DAY",
      securityId: sbin,
      quantity: 3,
    });
    expect(cnc.status).toBe(200);
    // Delivery settles at the simulated 03:00 IST session roll, which also ends the session: the trader logs in again.
    d.sim.market.clock.set(nextSessionExpiry(d.now()));
    d.sim.market.tick();
    expect((await call("GET", "/holdings")).body).toMatchObject({ errorCode: "DH-901" });
    token = (await d.login()).session.accessToken;
    const holdings = (await call("GET", "/holdings")).body;
    const h = holdings.find((x) => x.tradingSymbol === "SBIN")!;
    shaped(h, {
      exchange: "string",
      tradingSymbol: "string",
      securityId: "string",
      totalQty: "number",
      avgCostPrice: "number",
    });
    expect(h.totalQty).toBe(3);
  });

  it("market quote: data[segment][securityId] with last_price, ohlc, depth and volume", async () => {
    const q = await call("POST", "/marketfeed/quote", { IDX_I: [13], NSE_FNO: [Number(future.id)] });
    expect(q.body.status).toBe("success");
    const data = q.body.data as Record<string, Record<string, Record<string, unknown>>>;
    expect(typeof data.IDX_I["13"].last_price).toBe("number");
    const f = data.NSE_FNO[future.id];
    shaped(f, {
      last_price: "number",
      volume: "number",
      oi: "number",
      buy_quantity: "number",
      sell_quantity: "number",
    });
    shaped(f.ohlc as Record<string, unknown>, { open: "number", close: "number", high: "number", low: "number" });
    const depth = f.depth as { buy: Record<string, unknown>[]; sell: Record<string, unknown>[] };
    expect(depth.buy).toHaveLength(5);
    shaped(depth.sell[0], { price: "number", quantity: "number", orders: "number" });
    // A second call within the second (the rate clock is frozen) is over Dhan's 1/s quote limit: 429 with DH-904.
    const limited = await call("POST", "/marketfeed/ltp", { IDX_I: [13] });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ errorType: "Rate_Limit", errorCode: "DH-904" });
  });

  it("errors use Dhan's envelope: DH-901 for a bad token, DH-905 for a bad request", async () => {
    const bad = await call("GET", "/fundlimit", undefined, "eyJnot-a-token");
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({
      errorType: "Invalid_Authentication",
      errorCode: "DH-901",
      errorMessage: expect.any(String),
    });
    const missing = await call("POST", "/orders", { dhanClientId: ID, transactionType: "BUY" });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ errorType: "Input_Exception", errorCode: "DH-905" });
  });
});
