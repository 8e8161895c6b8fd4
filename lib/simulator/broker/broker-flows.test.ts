import { describe, expect, it } from "vitest";
import { setup } from "@/lib/testing/simulated-broker-harness";

type Row = Record<string, unknown>;

describe("placesmartorder", () => {
  it("follows the truth table on the signed net position", async () => {
    const { call, order, broker } = setup();
    const smart = (action: string, quantity: number | string, position_size: number | string, extra: Row = {}) =>
      call("placesmartorder", order({ symbol: "SBIN", action, quantity, position_size, ...extra }));
    const net = async () =>
      (await call("openposition", { strategy: "t", symbol: "SBIN", exchange: "NSE", product: "MIS" })).body.quantity;

    expect((await smart("BUY", 0, 0)).body).toEqual({
      status: "success",
      message: "No OpenPosition Found. Not placing Exit order.",
    });
    const first = await smart("BUY", 5, 0);
    expect(first.body.orderid).toBeDefined();
    expect(await net()).toBe(5);
    expect((await smart("BUY", 1, 5)).body).toEqual({
      status: "success",
      message: "Positions Already Matched. No Action needed.",
    });
    await smart("BUY", 1, 8);
    expect(await net()).toBe(8);
    await smart("SELL", 1, "2");
    expect(await net()).toBe(2);
    await smart("SELL", 1, -3);
    expect(await net()).toBe(-3);
    await smart("BUY", 0, 0);
    expect(await net()).toBe(0);
    await smart("BUY", 1, 1.5);
    expect(await net()).toBe(1);
    const sides = broker.receivedOrders("acct1").map((o) => `${o.action} ${o.quantity}`);
    expect(sides).toEqual(["BUY 5", "BUY 3", "SELL 6", "SELL 5", "BUY 3", "BUY 1"]);
    expect(broker.receivedOrders("acct1").every((o) => o.via === "placesmartorder")).toBe(true);
  });

  it("executes sandbox smart orders as MARKET whatever the pricetype", async () => {
    const { call, order, broker } = setup({ mode: "analyze" });
    const r = await call(
      "placesmartorder",
      order({ symbol: "TCS", action: "BUY", quantity: 2, position_size: 2, pricetype: "LIMIT", price: 1 }),
    );
    expect(r.body).toMatchObject({ status: "success", mode: "analyze" });
    expect(broker.receivedOrders("acct1")[0]).toMatchObject({ pricetype: "MARKET", status: "complete", quantity: 2 });
  });
});

describe("splitorder and basketorder", () => {
  it("splits into floor(q/s) children plus a remainder and caps at 100 children", async () => {
    const { call, order, broker } = setup();
    const r = await call("splitorder", order({ symbol: "INFY", action: "BUY", quantity: 105, splitsize: 20 }));
    expect(r.body).toMatchObject({ status: "success", total_quantity: 105, split_size: 20 });
    const results = r.body.results as Row[];
    expect(results.map((x) => x.quantity)).toEqual([20, 20, 20, 20, 20, 5]);
    expect(results.map((x) => x.order_num)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(results.every((x) => x.status === "success" && typeof x.orderid === "string")).toBe(true);
    expect(broker.receivedOrders("acct1").filter((o) => o.via === "splitorder")).toHaveLength(6);
    expect(
      (await call("splitorder", order({ symbol: "INFY", action: "BUY", quantity: 500, splitsize: 2 }))).body,
    ).toEqual({
      status: "error",
      message: "Total number of orders would exceed maximum limit of 100",
    });
    expect(broker.receivedOrders("acct1")).toHaveLength(6);
  });

  it("places BUY items before SELL items and reports errors without an orderid", async () => {
    const { call, broker } = setup({ mode: "analyze" });
    const r = await call("basketorder", {
      strategy: "b",
      orders: [
        { symbol: "SBIN", exchange: "NSE", action: "SELL", quantity: 1, pricetype: "MARKET", product: "MIS" },
        { symbol: "NOSUCH", exchange: "NSE", action: "BUY", quantity: 1 },
        { symbol: "TCS", exchange: "NSE", action: "BUY", quantity: 1, product: "MIS" },
      ],
    });
    expect(r.body.mode).toBe("analyze");
    expect(r.body.results).toEqual([
      { status: "error", symbol: "NOSUCH", message: "Symbol NOSUCH not found on NSE" },
      {
        symbol: "TCS",
        exchange: "NSE",
        product: "MIS",
        status: "success",
        orderid: expect.any(String),
        batch_order: true,
        is_last_order: false,
      },
      {
        symbol: "SBIN",
        exchange: "NSE",
        product: "MIS",
        status: "success",
        orderid: expect.any(String),
        batch_order: true,
        is_last_order: true,
      },
    ]);
    expect(broker.receivedOrders("acct1").map((o) => `${o.action} ${o.symbol} ${o.strategy}`)).toEqual([
      "BUY TCS b",
      "SELL SBIN b",
    ]);
    expect((await call("basketorder", { strategy: "b", orders: [] })).body).toEqual({
      status: "success",
      results: [],
      mode: "analyze",
    });
  });
});

describe("whole-account endpoints", () => {
  it("closeposition squares off every position with AUTO_SQUARE_OFF closers and leaves pending orders", async () => {
    const { call, order, option, broker, market } = setup({ mode: "analyze", capital: "5000000" });
    await call("placeorder", order({ symbol: "SBIN", action: "BUY", quantity: 3 }));
    await call(
      "placeorder",
      order({ symbol: option("CE"), exchange: "NFO", action: "SELL", quantity: 130, product: "NRML" }),
    );
    const ltp = market.quote("INFY", "NSE")!.ltp;
    const resting = await call(
      "placeorder",
      order({ symbol: "INFY", action: "BUY", quantity: 1, pricetype: "LIMIT", price: Math.floor(ltp / 2) }),
    );
    const r = await call("closeposition", { strategy: "mine" });
    expect(r.body).toEqual({
      status: "success",
      message: "Closed 2 positions",
      closed_positions: 2,
      failed_closures: 0,
      mode: "analyze",
    });
    const closers = broker.receivedOrders("acct1").filter((o) => o.via === "closeposition");
    expect(closers.map((o) => `${o.action} ${o.symbol} ${o.quantity} ${o.product} ${o.strategy}`)).toEqual([
      `BUY ${option("CE")} 130 NRML AUTO_SQUARE_OFF`,
      "SELL SBIN 3 MIS AUTO_SQUARE_OFF",
    ]);
    const rows = (await call("positionbook", {})).body.data as Row[];
    expect(rows.every((p) => p.quantity === 0)).toBe(true);
    expect((await call("orderstatus", { strategy: "t", orderid: resting.body.orderid })).body.data).toMatchObject({
      order_status: "open",
    });
    expect((await call("closeposition", { strategy: "mine" })).body.message).toBe("Closed 0 positions");
  });

  it("closeposition sends one order per position, never sliced: above the freeze quantity it is rejected", async () => {
    const { call, order, option, broker } = setup({ capital: "100000000" });
    const symbol = option("PE");
    await call("placeorder", order({ symbol, exchange: "NFO", action: "BUY", quantity: 1755, product: "NRML" }));
    await call("placeorder", order({ symbol, exchange: "NFO", action: "BUY", quantity: 650, product: "NRML" }));
    await call("placeorder", order({ symbol: "SBIN", action: "BUY", quantity: 3 }));
    // Live OpenAlgo answers the same text whatever happened to the closing orders (docs/openalgo.md "Orders").
    expect((await call("closeposition", { strategy: "x" })).body).toEqual({
      status: "success",
      message: "All Open Positions Squared Off",
    });
    const closers = broker.receivedOrders("acct1").filter((o) => o.via === "closeposition");
    expect(closers.map((o) => [o.symbol, o.quantity, o.status]).sort()).toEqual([
      [symbol, 2405, "rejected"],
      ["SBIN", 3, "complete"],
    ]);
    expect(closers.find((o) => o.symbol === symbol)?.rejectionReason).toMatch(/freeze/);
    const position = await call("openposition", { strategy: "x", symbol, exchange: "NFO", product: "NRML" });
    expect(position.body.quantity).toBe(2405);
    // The sandbox counts it as a failed closure.
    const sandbox = setup({ capital: "100000000", mode: "analyze" });
    await sandbox.call(
      "placeorder",
      sandbox.order({ symbol, exchange: "NFO", action: "BUY", quantity: 1755, product: "NRML" }),
    );
    await sandbox.call(
      "placeorder",
      sandbox.order({ symbol, exchange: "NFO", action: "BUY", quantity: 650, product: "NRML" }),
    );
    expect((await sandbox.call("closeposition", { strategy: "x" })).body).toEqual({
      status: "success",
      message: "Closed 0 positions",
      closed_positions: 0,
      failed_closures: 1,
      mode: "analyze",
    });
  });

  it("cancelallorder cancels every working order live, but the sandbox leaves trigger-pending SLs", async () => {
    for (const mode of ["live", "analyze"] as const) {
      const { call, order, market } = setup({ mode });
      const ltp = market.quote("TCS", "NSE")!.ltp;
      const a = await call(
        "placeorder",
        order({ symbol: "TCS", action: "BUY", quantity: 1, pricetype: "LIMIT", price: Math.floor(ltp / 2) }),
      );
      const b = await call(
        "placeorder",
        order({ symbol: "SBIN", action: "BUY", quantity: 1, pricetype: "LIMIT", price: 1 }),
      );
      const sl = await call(
        "placeorder",
        order({ symbol: "TCS", action: "BUY", quantity: 1, pricetype: "SL", price: ltp * 2, trigger_price: ltp * 2 }),
      );
      const r = await call("cancelallorder", { strategy: "t" });
      const slStatus = ((await call("orderstatus", { strategy: "t", orderid: sl.body.orderid })).body.data as Row)
        .order_status;
      if (mode === "live") {
        expect(r.body).toEqual({
          status: "success",
          message: "Canceled 3 orders. Failed to cancel 0 orders.",
          canceled_orders: [a.body.orderid, b.body.orderid, sl.body.orderid],
          failed_cancellations: [],
        });
        expect(slStatus).toBe("cancelled");
      } else {
        expect(r.body).toMatchObject({
          canceled_orders: [a.body.orderid, b.body.orderid],
          message: "Canceled 2 orders. Failed to cancel 0 orders.",
        });
        expect(slStatus).toBe("trigger pending");
        expect((await call("cancelallorder", { strategy: "t" })).body.message).toBe("No open orders to cancel");
      }
    }
  });
});

describe("modes", () => {
  it("queues orders in semi_auto without an orderid and blocks modify/cancel/cancelall/close/toggle", async () => {
    const { call, order, broker } = setup({ mode: "semi_auto" });
    const r1 = await call("placeorder", order({ symbol: "SBIN", action: "BUY", quantity: 1 }));
    const r2 = await call("placesmartorder", order({ symbol: "SBIN", action: "BUY", quantity: 1, position_size: 1 }));
    expect(r1.body).toEqual({
      status: "success",
      message: "Order queued for approval in Action Center",
      mode: "semi_auto",
      pending_order_id: 1,
    });
    expect(r2.body.pending_order_id).toBe(2);
    expect(broker.receivedOrders("acct1")).toEqual([]);
    for (const [name, body] of [
      ["cancelorder", { strategy: "t", orderid: "1" }],
      ["cancelallorder", { strategy: "t" }],
      ["closeposition", { strategy: "t" }],
      ["analyzer/toggle", { mode: true }],
    ] as const) {
      const r = await call(name, body);
      expect(r.status).toBe(403);
      expect(String(r.body.message)).toMatch(/not allowed in Semi-Auto mode/);
    }
    expect((await call("orderbook", {})).status).toBe(200);
  });

  it("toggles analyzer mode and then tags replies with mode analyze", async () => {
    const { call, order, inst } = setup();
    expect((await call("analyzer", {})).body).toEqual({
      status: "success",
      data: { analyze_mode: false, mode: "live", total_logs: 0 },
    });
    const t = await call("analyzer/toggle", { mode: "true" });
    expect(t.body).toEqual({
      status: "success",
      data: { analyze_mode: true, mode: "analyze", total_logs: 0, message: "Analyzer mode switched to analyze" },
    });
    expect(inst.mode).toBe("analyze");
    const r = await call("placeorder", order({ symbol: "SBIN", action: "BUY", quantity: 1 }));
    expect(r.body).toMatchObject({ status: "success", mode: "analyze" });
    expect((await call("ping", {})).body).toEqual({
      status: "success",
      data: { broker: "simulator", message: "pong" },
    });
  });
});

describe("options orders", () => {
  it("resolves ATM/ITM/OTM offsets around the spot", async () => {
    const { call, option, expiry, market } = setup({ capital: "5000000" });
    const base = {
      strategy: "o",
      underlying: "NIFTY",
      exchange: "NSE_INDEX",
      expiry_date: expiry(),
      action: "BUY",
      quantity: 65,
    };
    const atm = await call("optionsorder", { ...base, offset: "ATM", option_type: "CE" });
    expect(atm.body).toMatchObject({
      status: "success",
      symbol: option("CE"),
      exchange: "NFO",
      underlying: "NIFTY",
      underlying_ltp: market.quote("NIFTY", "NSE_INDEX")!.ltp,
      offset: "ATM",
      option_type: "CE",
    });
    expect((await call("optionsorder", { ...base, offset: "itm2", option_type: "ce" })).body.symbol).toBe(
      option("CE", -2),
    );
    expect((await call("optionsorder", { ...base, offset: "OTM3", option_type: "PE" })).body.symbol).toBe(
      option("PE", -3),
    );
    expect((await call("optionsorder", { ...base, offset: "ITM51", option_type: "PE" })).status).toBe(400);
    const split = await call("optionsorder", {
      ...base,
      offset: "ATM",
      option_type: "PE",
      quantity: 195,
      splitsize: 65,
    });
    expect(split.body).toMatchObject({ total_quantity: 195, split_size: 65 });
    expect((split.body.results as Row[]).map((x) => x.quantity)).toEqual([65, 65, 65]);
    expect((await call("optionsorder", { ...base, option_type: "CE" })).body).toEqual({
      status: "error",
      message: "Validation error",
      errors: { offset: ["Missing data for required field."] },
    });
  });

  it("places multi-order legs BUY first with mode live", async () => {
    const { call, option, expiry, broker } = setup({ capital: "5000000" });
    const r = await call("optionsmultiorder", {
      strategy: "ic",
      underlying: "NIFTY",
      exchange: "NSE_INDEX",
      expiry_date: expiry(),
      legs: [
        { offset: "OTM2", option_type: "CE", action: "SELL", quantity: 65 },
        { offset: "OTM4", option_type: "CE", action: "BUY", quantity: 65 },
      ],
    });
    const results = r.body.results as Row[];
    expect(results.map((x) => [x.leg, x.action, x.status, x.mode])).toEqual([
      [2, "BUY", "success", "live"],
      [1, "SELL", "success", "live"],
    ]);
    expect(results[0].symbol).toBe(option("CE", 4));
    expect(broker.receivedOrders("acct1").map((o) => o.action)).toEqual(["BUY", "SELL"]);
    // The SELL leg got the hedge benefit: far less than a naked 2,50,000.
    const used = ((await call("funds", {})).body.data as Row).utiliseddebits as number;
    expect(used).toBeLessThan(100000);
  });
});
