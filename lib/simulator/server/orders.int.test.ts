/**
 * Compatibility suite, order endpoints over real HTTP (docs/openalgo.md "Orders", "Account reads"): placement, the
 * smart-order truth table, split and basket semantics, account-wide closeposition/cancelallorder, margin and freeze
 * rejections. Exact counts come from the control API's list of received orders.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "./start-simulator";
import { ALPHA, BETA, control, post, startTestSimulator } from "@/lib/testing/simulator-server-kit";

let sim: RunningSimulator;
let url: string;
const api = (name: string, body: Record<string, unknown>, key = ALPHA.apiKey) =>
  post(url, `/api/v1/${name}`, { apikey: key, ...body });
const received = async (id = "alpha") =>
  (await control(url, "GET", `/instances/${id}/orders`)).json.orders as {
    orderid: string;
    via: string;
    action: string;
    quantity: number;
    symbol: string;
    status: string;
    strategy: string;
  }[];
const mis = { strategy: "t", exchange: "NSE", pricetype: "MARKET", product: "MIS" };
const position = async (symbol: string) =>
  Number((await api("openposition", { strategy: "t", symbol, exchange: "NSE", product: "MIS" })).json.quantity);

beforeAll(async () => {
  sim = await startTestSimulator({
    rateLimits: { order: { count: 1000, windowMs: 1000 }, smart_order: { count: 1000, windowMs: 1000 } },
  });
  url = sim.httpUrl;
});
afterAll(() => sim.close());
afterEach(async () => {
  await control(url, "POST", "/reset");
});

describe("placeorder and the books", () => {
  it("accepts an order, fills MARKET at once and shows it in every book", async () => {
    const r = await api("placeorder", { ...mis, symbol: "SBIN", action: "buy", quantity: "2.0" });
    expect(r.status).toBe(200);
    expect(Object.keys(r.json)).toEqual(["orderid", "status"]);
    const status = await api("orderstatus", { strategy: "t", orderid: r.json.orderid });
    expect(status.json.data).toMatchObject({
      orderid: r.json.orderid,
      order_status: "complete",
      action: "BUY",
      symbol: "SBIN",
    });
    const book = await api("orderbook", {});
    expect(book.json.data.orders).toHaveLength(1);
    expect(book.json.data.statistics.total_buy_orders).toBe(1);
    expect((await api("tradebook", {})).json.data).toHaveLength(1);
    expect(await position("SBIN")).toBe(2);
    expect((await received()).map((o) => [o.via, o.action, o.quantity])).toEqual([["placeorder", "BUY", 2]]);
  });

  it("404s an unknown orderid and refuses a numeric one", async () => {
    const r = await api("orderstatus", { strategy: "t", orderid: "12345" });
    expect(r.status).toBe(404);
    expect(r.json.message).toBe("Order 12345 not found");
    const n = await api("orderstatus", { strategy: "t", orderid: 12345 });
    expect(n.json.message).toBe("{'orderid': ['Not a valid string.']}");
  });

  it("numbers follow the instance's flavour: strings live, floats in the sandbox", async () => {
    expect(typeof (await api("funds", {})).json.data.availablecash).toBe("string");
    const sandbox = await api("funds", {}, BETA.apiKey);
    expect(typeof sandbox.json.data.availablecash).toBe("number");
    expect(sandbox.json.mode).toBe("analyze");
  });
});

describe("instance modes", () => {
  it("semi_auto queues orders without an orderid and blocks cancel with 403; reset restores live", async () => {
    await control(url, "POST", "/instances/alpha/mode", { mode: "semi_auto" });
    const r = await api("placeorder", { ...mis, symbol: "SBIN", action: "BUY", quantity: 1 });
    expect(r.json).toEqual({
      message: "Order queued for approval in Action Center",
      mode: "semi_auto",
      pending_order_id: 1,
      status: "success",
    });
    expect(await received()).toHaveLength(0);
    const cancel = await api("cancelorder", { strategy: "t", orderid: "1" });
    expect(cancel.status).toBe(403);
    await control(url, "POST", "/reset");
    expect(
      (await api("placeorder", { ...mis, symbol: "SBIN", action: "BUY", quantity: 1 })).json.orderid,
    ).toBeDefined();
  });

  it("analyze mode tags replies with mode:analyze", async () => {
    const r = await api("placeorder", { ...mis, symbol: "SBIN", action: "BUY", quantity: 1 }, BETA.apiKey);
    expect(r.json.mode).toBe("analyze");
    expect((await api("analyzer", {}, BETA.apiKey)).json.data).toMatchObject({ analyze_mode: true, mode: "analyze" });
  });
});

describe("placesmartorder truth table", () => {
  it("drives the signed position to position_size, and says so when nothing is needed", async () => {
    const smart = (action: string, quantity: number, position_size: number | string) =>
      api("placesmartorder", { ...mis, symbol: "SBIN", action, quantity, position_size });
    expect((await smart("BUY", 1, 5)).json.orderid).toBeDefined(); // 0 → 5: BUY 5
    const matched = await smart("BUY", 1, 5);
    expect(matched.json).toEqual({ message: "Positions Already Matched. No Action needed.", status: "success" });
    expect((await smart("SELL", 1, 3)).json.orderid).toBeDefined(); // 5 → 3: SELL 2
    expect((await smart("BUY", 1, "3")).json.orderid).toBeUndefined(); // numeric string accepted
    expect((await smart("SELL", 1, 0)).json.orderid).toBeDefined(); // 3 → 0: SELL 3
    expect((await smart("SELL", 2, -2)).json.orderid).toBeDefined(); // 0 → -2: SELL 2
    expect(await position("SBIN")).toBe(-2);
    expect((await smart("BUY", 0, 0)).json.orderid).toBeDefined(); // -2 → 0: BUY 2
    const nothing = await smart("BUY", 0, 0); // flat, quantity 0: no order
    expect(nothing.json.orderid).toBeUndefined();
    expect(await position("SBIN")).toBe(0);
    expect((await received()).map((o) => `${o.action} ${o.quantity}`)).toEqual([
      "BUY 5",
      "SELL 2",
      "SELL 3",
      "SELL 2",
      "BUY 2",
    ]);
    expect((await received()).every((o) => o.via === "placesmartorder")).toBe(true);
  });

  it("with position_size 0 and a flat book places the requested action and quantity", async () => {
    expect(
      (await api("placesmartorder", { ...mis, symbol: "INFY", action: "BUY", quantity: 1, position_size: 0 })).json
        .orderid,
    ).toBeDefined();
    expect(await position("INFY")).toBe(1);
  });
});

describe("splitorder and basketorder", () => {
  it("splits into ⌊q/s⌋ children plus a remainder, and refuses more than 100 children", async () => {
    const r = await api("splitorder", { ...mis, symbol: "SBIN", action: "BUY", quantity: 105, splitsize: 20 });
    expect(r.status).toBe(200);
    expect(r.json.total_quantity).toBe(105);
    expect(r.json.split_size).toBe(20);
    expect(r.json.results.map((x: { quantity: number }) => x.quantity)).toEqual([20, 20, 20, 20, 20, 5]);
    expect(r.json.results.map((x: { order_num: number }) => x.order_num)).toEqual([1, 2, 3, 4, 5, 6]);
    const capped = await api("splitorder", { ...mis, symbol: "SBIN", action: "BUY", quantity: 101, splitsize: 1 });
    expect(capped.status).toBe(400);
    expect(capped.json.message).toBe("Total number of orders would exceed maximum limit of 100");
    const hundred = await api("splitorder", { ...mis, symbol: "SBIN", action: "BUY", quantity: 100, splitsize: 1 });
    expect(hundred.json.results).toHaveLength(100);
    expect((await received()).length).toBe(106);
  });

  it("places basket BUY legs before SELL legs", async () => {
    const r = await api("basketorder", {
      strategy: "t",
      orders: [
        { symbol: "INFY", exchange: "NSE", action: "SELL", quantity: 1, pricetype: "MARKET", product: "MIS" },
        { symbol: "TCS", exchange: "NSE", action: "BUY", quantity: 1, pricetype: "MARKET", product: "MIS" },
      ],
    });
    expect(r.status).toBe(200);
    expect(r.json.results.map((x: { symbol: string }) => x.symbol)).toEqual(["TCS", "INFY"]);
    expect((await received()).map((o) => `${o.action} ${o.symbol} ${o.via}`)).toEqual([
      "BUY TCS basketorder",
      "SELL INFY basketorder",
    ]);
    const empty = await api("basketorder", { strategy: "t", orders: [] });
    expect(empty.json).toEqual({ results: [], status: "success" });
  });
});

describe("account-wide actions", () => {
  it("closeposition squares off every position whatever the strategy", async () => {
    await api("placeorder", { ...mis, strategy: "a", symbol: "SBIN", action: "BUY", quantity: 3 });
    await api("placeorder", { ...mis, strategy: "b", symbol: "INFY", action: "SELL", quantity: 2 });
    const r = await api("closeposition", { strategy: "someone-else" });
    expect(r.status).toBe(200);
    expect(await position("SBIN")).toBe(0);
    expect(await position("INFY")).toBe(0);
    const closing = (await received()).filter((o) => o.via === "closeposition");
    expect(closing.map((o) => `${o.action} ${o.symbol} ${o.quantity}`).sort()).toEqual(["BUY INFY 2", "SELL SBIN 3"]);
    expect((await api("closeposition", { strategy: "t", symbol: "SBIN" })).json.message).toBe(
      "{'symbol': ['Unknown field.']}",
    );
  });

  it("closeposition never slices: a position above the freeze quantity gets one order, which is rejected", async () => {
    const exp = (
      await api("expiry", { symbol: "NIFTY", exchange: "NFO", instrumenttype: "options" })
    ).json.data[0].replace(/-/g, "");
    const opt = (
      await api("optionsymbol", {
        underlying: "NIFTY",
        exchange: "NSE_INDEX",
        expiry_date: exp,
        offset: "OTM10",
        option_type: "CE",
      })
    ).json;
    const slice = Math.floor(opt.freeze_qty / opt.lotsize) * opt.lotsize;
    for (let i = 0; i < 2; i++)
      expect(
        (await api("placeorder", { ...mis, symbol: opt.symbol, exchange: "NFO", action: "BUY", quantity: slice }))
          .status,
      ).toBe(200);
    await api("placeorder", { ...mis, symbol: "SBIN", action: "BUY", quantity: 2 });
    const r = await api("closeposition", { strategy: "t" });
    // Live OpenAlgo says so whatever became of the closing orders (docs/openalgo.md "Orders").
    expect(r.json).toEqual({ message: "All Open Positions Squared Off", status: "success" });
    const closing = (await received()).filter((o) => o.via === "closeposition");
    expect(closing.map((o) => `${o.action} ${o.symbol} ${o.quantity} ${o.status}`).sort()).toEqual(
      [`SELL ${opt.symbol} ${2 * slice} rejected`, "SELL SBIN 2 complete"].sort(),
    );
    const rows = (await api("orderbook", {})).json.data.orders as { symbol: string; order_status: string }[];
    expect(rows.filter((o) => o.symbol === opt.symbol).map((o) => o.order_status)).toEqual([
      "rejected",
      "complete",
      "complete",
    ]);
    const held = await api("openposition", { strategy: "t", symbol: opt.symbol, exchange: "NFO", product: "MIS" });
    expect(Number(held.json.quantity)).toBe(2 * slice);
    expect(await position("SBIN")).toBe(0);
  });

  it("cancelallorder cancels every open order of the account", async () => {
    const a = await api("placeorder", {
      ...mis,
      strategy: "a",
      symbol: "SBIN",
      action: "BUY",
      quantity: 1,
      pricetype: "LIMIT",
      price: 100,
    });
    const b = await api("placeorder", {
      ...mis,
      strategy: "b",
      symbol: "INFY",
      action: "BUY",
      quantity: 1,
      pricetype: "LIMIT",
      price: 100,
    });
    const r = await api("cancelallorder", { strategy: "c" });
    expect(r.status).toBe(200);
    expect([...r.json.canceled_orders].sort()).toEqual([a.json.orderid, b.json.orderid].sort());
    for (const id of [a.json.orderid, b.json.orderid]) {
      expect((await api("orderstatus", { strategy: "t", orderid: id })).json.data.order_status).toBe("cancelled");
    }
  });
});

describe("rejections", () => {
  it("refuses an order beyond the margin available", async () => {
    const r = await api("placeorder", { ...mis, symbol: "SBIN", action: "BUY", quantity: 50_000, product: "CNC" });
    expect(r.status).toBe(400);
    expect(r.json.status).toBe("error");
    expect(r.json.message).toMatch(/margin|funds/i);
    const funds = await api("funds", {});
    expect(Number(funds.json.data.utiliseddebits)).toBe(0);
  });

  it("refuses an F&O order above the freeze quantity", async () => {
    const exp = (
      await api("expiry", { symbol: "NIFTY", exchange: "NFO", instrumenttype: "options" })
    ).json.data[0].replace(/-/g, "");
    const opt = (
      await api("optionsymbol", {
        underlying: "NIFTY",
        exchange: "NSE_INDEX",
        expiry_date: exp,
        offset: "OTM10",
        option_type: "CE",
      })
    ).json;
    const quantity = Math.ceil((opt.freeze_qty + 1) / opt.lotsize) * opt.lotsize;
    const r = await api("placeorder", { ...mis, symbol: opt.symbol, exchange: "NFO", action: "BUY", quantity });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.json.message).toMatch(/freeze/i);
    const ok = await api("placeorder", {
      ...mis,
      symbol: opt.symbol,
      exchange: "NFO",
      action: "BUY",
      quantity: opt.lotsize,
    });
    expect(ok.status).toBe(200);
  });
});
