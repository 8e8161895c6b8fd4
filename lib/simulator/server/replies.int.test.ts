/**
 * Compatibility suite, success answers over real HTTP (docs/openalgo.md "Orders", "Market data", "Sessions"):
 * optionsorder, optionsmultiorder, modifyorder, margin and analyzer/toggle, byte-level key sets included; and the
 * broker's SPAN-like margin on an option SELL: refused (a `rejected` row) beyond the account's margin, accepted once
 * the long wing is held.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "./start-simulator";
import { ALPHA, BETA, control, post, startTestSimulator } from "@/lib/testing/simulator-server-kit";

let sim: RunningSimulator;
let url: string;
const GAMMA = { id: "gamma", apiKey: "key-gamma", capital: "200000" };
const api = (name: string, body: Record<string, unknown>, key = ALPHA.apiKey) =>
  post(url, `/api/v1/${name}`, { apikey: key, ...body });
const received = async (id = "alpha") =>
  (await control(url, "GET", `/instances/${id}/orders`)).json.orders as {
    orderid: string;
    via: string;
    action: string;
    symbol: string;
    quantity: number;
    status: string;
    rejectionReason: string;
  }[];
let expiry: string;
/** The NIFTY option `offset` from ATM on `expiry`, with its lot size. */
const option = async (offset: string, type: "CE" | "PE") =>
  (
    await api("optionsymbol", {
      underlying: "NIFTY",
      exchange: "NSE_INDEX",
      expiry_date: expiry,
      offset,
      option_type: type,
    })
  ).json as { symbol: string; lotsize: number };
const base = { strategy: "t", underlying: "NIFTY", exchange: "NSE_INDEX" };

beforeAll(async () => {
  sim = await startTestSimulator({ rateLimits: { order: { count: 1000, windowMs: 1000 } } });
  url = sim.httpUrl;
  await control(url, "POST", "/instances", GAMMA);
  // Monday 23 Nov 2026 is itself an expiry day (Tuesday is a holiday): the next expiry has the ordinary rates.
  expiry = (await api("expiry", { symbol: "NIFTY", exchange: "NFO", instrumenttype: "options" })).json.data[1].replace(
    /-/g,
    "",
  );
});
afterAll(() => sim.close());
afterEach(async () => {
  await control(url, "POST", "/reset");
});

describe("options orders", () => {
  it("optionsorder resolves the offset, places the option and answers its symbol and the underlying", async () => {
    const atm = await option("ATM", "CE");
    const r = await api("optionsorder", {
      ...base,
      expiry_date: expiry,
      offset: "ATM",
      option_type: "CE",
      action: "BUY",
      quantity: atm.lotsize,
      product: "NRML",
    });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual([
      "exchange",
      "offset",
      "option_type",
      "orderid",
      "status",
      "symbol",
      "underlying",
      "underlying_ltp",
    ]);
    expect(r.json).toMatchObject({
      status: "success",
      symbol: atm.symbol,
      exchange: "NFO",
      underlying: "NIFTY",
      offset: "ATM",
      option_type: "CE",
    });
    expect(r.json.underlying_ltp).toBeGreaterThan(0);
    expect(await received()).toEqual([
      expect.objectContaining({
        orderid: r.json.orderid,
        via: "optionsorder",
        symbol: atm.symbol,
        quantity: atm.lotsize,
        status: "complete",
      }),
    ]);
    // The sandbox adds mode.
    const s = await api(
      "optionsorder",
      { ...base, expiry_date: expiry, offset: "OTM2", option_type: "PE", action: "BUY", quantity: atm.lotsize },
      BETA.apiKey,
    );
    expect(s.json).toMatchObject({ status: "success", mode: "analyze", symbol: (await option("OTM2", "PE")).symbol });
  });

  it("optionsmultiorder places every BUY leg before any SELL leg, each leg tagged mode live", async () => {
    const [short, wing] = [await option("OTM1", "CE"), await option("OTM4", "CE")];
    const legs = [
      { offset: "OTM1", option_type: "CE", action: "SELL", quantity: short.lotsize, product: "NRML" },
      { offset: "OTM4", option_type: "CE", action: "BUY", quantity: wing.lotsize, product: "NRML" },
    ];
    const r = await api("optionsmultiorder", { ...base, expiry_date: expiry, legs });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual(["results", "status", "underlying", "underlying_ltp"]);
    expect(r.json.underlying).toBe("NIFTY");
    expect(r.json.results.map((x: Record<string, unknown>) => [x.leg, x.action, x.symbol, x.status, x.mode])).toEqual([
      [2, "BUY", wing.symbol, "success", "live"],
      [1, "SELL", short.symbol, "success", "live"],
    ]);
    expect(Object.keys(r.json.results[0])).toEqual([
      "action",
      "exchange",
      "leg",
      "mode",
      "offset",
      "option_type",
      "orderid",
      "product",
      "status",
      "symbol",
    ]);
    expect((await received()).map((o) => `${o.action} ${o.symbol} ${o.status}`)).toEqual([
      `BUY ${wing.symbol} complete`,
      `SELL ${short.symbol} complete`,
    ]);
  });
});

describe("modifyorder", () => {
  it("changes a resting order's price and quantity and answers its orderid (live) or the sandbox's text", async () => {
    const placed = await api("placeorder", {
      strategy: "t",
      symbol: "SBIN",
      exchange: "NSE",
      action: "BUY",
      quantity: 1,
      pricetype: "LIMIT",
      price: 100,
      product: "MIS",
    });
    const change = {
      strategy: "t",
      exchange: "NSE",
      symbol: "SBIN",
      orderid: placed.json.orderid,
      action: "BUY",
      product: "MIS",
      pricetype: "LIMIT",
      price: 101.5,
      quantity: 3,
      disclosed_quantity: 0,
      trigger_price: 0,
    };
    const r = await api("modifyorder", change);
    expect(r.status).toBe(200);
    expect(r.text).toBe(`{"orderid":"${placed.json.orderid}","status":"success"}\n`);
    const status = (await api("orderstatus", { strategy: "t", orderid: placed.json.orderid })).json.data;
    expect(status).toMatchObject({ order_status: "open", price: "101.50", quantity: "3" });

    const sandboxPlaced = await api(
      "placeorder",
      {
        strategy: "t",
        symbol: "SBIN",
        exchange: "NSE",
        action: "BUY",
        quantity: 1,
        pricetype: "LIMIT",
        price: 100,
        product: "MIS",
      },
      BETA.apiKey,
    );
    const s = await api("modifyorder", { ...change, orderid: sandboxPlaced.json.orderid }, BETA.apiKey);
    expect(s.json).toEqual({
      message: "Order modified successfully",
      mode: "analyze",
      orderid: sandboxPlaced.json.orderid,
      status: "success",
    });
  });
});

describe("margin", () => {
  it("answers the basket's margin: the single-sell rate naked, far less as a spread, equity at its leverage", async () => {
    const [short, wing] = [await option("OTM1", "CE"), await option("OTM4", "CE")];
    const leg = (symbol: string, action: string) => ({
      symbol,
      exchange: "NFO",
      action,
      quantity: "65",
      product: "NRML",
      pricetype: "MARKET",
    });
    const naked = await api("margin", { positions: [leg(short.symbol, "SELL")] });
    expect(naked.status).toBe(200);
    expect(naked.text).toBe(
      '{"data":{"exposure_margin":0,"span_margin":250000,"total_margin_required":250000},"status":"success"}\n',
    );
    const spread = (await api("margin", { positions: [leg(wing.symbol, "BUY"), leg(short.symbol, "SELL")] })).json.data;
    // 0.3 × the single rate for the hedged lot, plus the wing's premium.
    expect(spread.span_margin).toBeGreaterThan(75000);
    expect(spread.span_margin).toBeLessThan(100000);
    const equity = (
      await api("margin", {
        positions: [
          {
            symbol: "SBIN",
            exchange: "NSE",
            action: "BUY",
            quantity: "10",
            product: "MIS",
            pricetype: "LIMIT",
            price: "800",
          },
        ],
      })
    ).json.data;
    expect(equity).toEqual({ exposure_margin: 1600, span_margin: 0, total_margin_required: 1600 });
  });
});

describe("analyzer/toggle", () => {
  it("switches the instance to the sandbox and back, and the answers follow", async () => {
    const on = await api("analyzer/toggle", { mode: true });
    expect(on.status).toBe(200);
    expect(on.json).toEqual({
      status: "success",
      data: { analyze_mode: true, mode: "analyze", message: "Analyzer mode switched to analyze", total_logs: 0 },
    });
    const sandbox = await api("funds", {});
    expect(sandbox.json.mode).toBe("analyze");
    expect(Number(sandbox.json.data.availablecash)).toBe(1000000);
    expect((await api("analyzer", {})).json.data).toMatchObject({ analyze_mode: true, mode: "analyze" });
    const off = await api("analyzer/toggle", { mode: "false" });
    expect(off.json).toEqual({
      status: "success",
      data: { analyze_mode: false, mode: "live", message: "Analyzer mode switched to live", total_logs: 0 },
    });
    const live = await api("funds", {});
    expect(live.json.mode).toBeUndefined();
    expect(live.json.data.availablecash).toBe("1000000.00");
  });
});

describe("SPAN-like margin on an option SELL", () => {
  it("rejects a naked SELL beyond the account's margin (a rejected row), and accepts it once the long wing is held", async () => {
    const gamma = (name: string, body: Record<string, unknown>) => api(name, body, GAMMA.apiKey);
    const [short, wing] = [await option("OTM1", "CE"), await option("OTM4", "CE")];
    const sell = {
      strategy: "t",
      symbol: short.symbol,
      exchange: "NFO",
      action: "SELL",
      quantity: short.lotsize,
      pricetype: "MARKET",
      product: "NRML",
    };
    // ₹2 lakh against the ₹2.5 lakh single-sell rate: the broker's RMS refuses it and passes its text through.
    const refused = await gamma("placeorder", sell);
    expect(refused.status).toBe(400);
    expect(refused.json.message).toMatch(
      /^RMS:Margin Exceeds, Required margin 250000\.00, Available margin 200000\.00/,
    );
    const [rejected] = await received("gamma");
    expect(rejected).toMatchObject({ symbol: short.symbol, status: "rejected", rejectionReason: refused.json.message });
    const book = (await gamma("orderbook", {})).json.data;
    expect(book.orders).toEqual([
      expect.objectContaining({
        orderid: rejected.orderid,
        order_status: "rejected",
        action: "SELL",
        symbol: short.symbol,
      }),
    ]);
    expect(book.statistics.total_rejected_orders).toBe(1);
    expect(Number((await gamma("funds", {})).json.data.utiliseddebits)).toBe(0);
    expect((await gamma("positionbook", {})).json.data).toEqual([]);

    // With the long wing held, the same SELL is a spread: hedged rate (0.3 × 2.5 lakh) plus the wing's premium.
    expect((await gamma("placeorder", { ...sell, symbol: wing.symbol, action: "BUY" })).status).toBe(200);
    const premium = Number((await gamma("funds", {})).json.data.utiliseddebits);
    expect(premium).toBeGreaterThan(0);
    const accepted = await gamma("placeorder", sell);
    expect(accepted.status).toBe(200);
    expect((await gamma("orderstatus", { strategy: "t", orderid: accepted.json.orderid })).json.data.order_status).toBe(
      "complete",
    );
    expect(Number((await gamma("funds", {})).json.data.utiliseddebits)).toBeCloseTo(premium + 75000, 2);
    expect((await received("gamma")).map((o) => `${o.action} ${o.status}`)).toEqual([
      "SELL rejected",
      "BUY complete",
      "SELL complete",
    ]);
  });
});
