import { describe, expect, it } from "vitest";
import { istInstant } from "@/lib/trading/calendar";
import { setup } from "@/lib/testing/simulated-broker-harness";

type Row = Record<string, unknown>;

describe("matching", () => {
  it("fills MARKET BUY at the ask and SELL at the bid, with open then complete events", async () => {
    const { call, market, order, updates } = setup();
    const q = market.quote("SBIN", "NSE")!;
    expect(q.ask).toBeGreaterThan(q.bid);
    const buy = await call("placeorder", order({ symbol: "SBIN", action: "BUY", quantity: 10 }));
    expect(buy).toEqual({ status: 200, body: { status: "success", orderid: expect.stringMatching(/^\d{14}$/) } });
    const sell = await call("placeorder", order({ symbol: "SBIN", action: "sell", quantity: "4" }));
    const b = await call("orderstatus", { strategy: "t", orderid: buy.body.orderid });
    const s = await call("orderstatus", { strategy: "t", orderid: sell.body.orderid });
    expect(b.body.data).toMatchObject({
      order_status: "complete",
      average_price: q.ask,
      quantity: 10,
      pricetype: "MARKET",
    });
    expect(s.body.data).toMatchObject({ order_status: "complete", average_price: q.bid, action: "SELL" });
    expect(updates.filter((u) => u.orderid === buy.body.orderid).map((u) => u.order_status)).toEqual([
      "open",
      "complete",
    ]);
    const pos = await call("openposition", { strategy: "t", symbol: "SBIN", exchange: "NSE", product: "MIS" });
    expect(pos.body).toEqual({ status: "success", quantity: 6 });
    // Realised P&L of the 4 sold = (bid − ask) × 4, a loss of the spread.
    const funds = await call("funds", {});
    expect((funds.body.data as Row).m2mrealized).toBeCloseTo((q.bid - q.ask) * 4, 2);
  });

  it("rests a LIMIT below the market and fills it when a tick crosses it", async () => {
    const { call, market, order, updates } = setup();
    const q = market.quote("SBIN", "NSE")!;
    const limit = Math.round((q.ltp * 0.98) / 0.05) * 0.05;
    const r = await call(
      "placeorder",
      order({ symbol: "SBIN", action: "BUY", quantity: 5, pricetype: "LIMIT", price: limit.toFixed(2) }),
    );
    const id = r.body.orderid;
    expect((await call("orderstatus", { strategy: "t", orderid: id })).body.data).toMatchObject({
      order_status: "open",
    });
    expect(((await call("funds", {})).body.data as Row).utiliseddebits).toBeCloseTo((limit * 5) / 5, 2);
    market.setSpot("SBIN", limit - 1);
    const after = market.quote("SBIN", "NSE")!;
    const st = (await call("orderstatus", { strategy: "t", orderid: id })).body.data as Row;
    expect(st.order_status).toBe("complete");
    expect(st.average_price).toBe(after.ask);
    expect(Number(st.average_price)).toBeLessThanOrEqual(limit);
    expect(updates.filter((u) => u.orderid === id).map((u) => u.order_status)).toEqual(["open", "complete"]);
  });

  it("fills a marketable LIMIT at the touch, not at the worse limit price", async () => {
    const { call, market, order } = setup();
    const q = market.quote("SBIN", "NSE")!;
    const r = await call(
      "placeorder",
      order({ symbol: "SBIN", action: "BUY", quantity: 1, pricetype: "LIMIT", price: q.ask + 10 }),
    );
    const st = (await call("orderstatus", { strategy: "t", orderid: r.body.orderid })).body.data as Row;
    expect(st).toMatchObject({ order_status: "complete", average_price: q.ask, price: q.ask + 10 });
  });

  it("holds SL and SL-M orders in trigger pending until the LTP crosses the trigger", async () => {
    const { call, market, order, updates } = setup();
    const ltp = market.quote("INFY", "NSE")!.ltp;
    const slBuy = await call(
      "placeorder",
      order({ symbol: "INFY", action: "BUY", quantity: 2, pricetype: "SL", price: ltp + 25, trigger_price: ltp + 20 }),
    );
    const slmSell = await call(
      "placeorder",
      order({ symbol: "INFY", action: "SELL", quantity: 2, pricetype: "SL-M", trigger_price: ltp - 20 }),
    );
    for (const r of [slBuy, slmSell]) {
      expect((await call("orderstatus", { strategy: "t", orderid: r.body.orderid })).body.data).toMatchObject({
        order_status: "trigger pending",
      });
    }
    market.setSpot("INFY", ltp + 21);
    const up = market.quote("INFY", "NSE")!;
    expect((await call("orderstatus", { strategy: "t", orderid: slBuy.body.orderid })).body.data).toMatchObject({
      order_status: "complete",
      average_price: up.ask,
    });
    expect((await call("orderstatus", { strategy: "t", orderid: slmSell.body.orderid })).body.data).toMatchObject({
      order_status: "trigger pending",
    });
    market.setSpot("INFY", ltp - 30);
    const down = market.quote("INFY", "NSE")!;
    expect((await call("orderstatus", { strategy: "t", orderid: slmSell.body.orderid })).body.data).toMatchObject({
      order_status: "complete",
      average_price: down.bid,
    });
    expect(updates.filter((u) => u.orderid === slBuy.body.orderid).map((u) => u.order_status)).toEqual([
      "trigger pending",
      "complete",
    ]);
  });

  it("modifies and cancels a resting order, releasing its margin; modify emits no event", async () => {
    const { call, market, order, updates } = setup();
    const ltp = market.quote("SBIN", "NSE")!.ltp;
    const r = await call(
      "placeorder",
      order({ symbol: "SBIN", action: "BUY", quantity: 5, pricetype: "LIMIT", price: Math.floor(ltp / 2) }),
    );
    const id = r.body.orderid as string;
    const events = updates.length;
    const m = await call("modifyorder", {
      strategy: "t",
      exchange: "NSE",
      symbol: "SBIN",
      orderid: id,
      action: "BUY",
      product: "MIS",
      pricetype: "LIMIT",
      price: Math.floor(ltp / 2) + 1,
      quantity: 10,
      disclosed_quantity: 0,
      trigger_price: 0,
    });
    expect(m.body).toEqual({ status: "success", orderid: id });
    expect(updates.length).toBe(events);
    expect((await call("orderstatus", { strategy: "t", orderid: id })).body.data).toMatchObject({
      quantity: 10,
      price: Math.floor(ltp / 2) + 1,
    });
    expect(((await call("funds", {})).body.data as Row).utiliseddebits).toBeGreaterThan(0);
    expect((await call("cancelorder", { strategy: "t", orderid: id })).body).toEqual({
      status: "success",
      orderid: id,
    });
    expect((await call("funds", {})).body.data as Row).toMatchObject({ utiliseddebits: 0, availablecash: 1_000_000 });
    expect(updates.at(-1)).toMatchObject({ orderid: id, order_status: "cancelled", quantity: 10 });
    expect(await call("cancelorder", { strategy: "t", orderid: id })).toEqual({
      status: 400,
      body: { status: "error", message: "Cannot cancel order in cancelled status" },
    });
    expect((await call("cancelorder", { strategy: "t", orderid: "99" })).status).toBe(404);
    expect((await call("orderstatus", { strategy: "t", orderid: "12345" })).body).toEqual({
      status: "error",
      message: "Order 12345 not found",
    });
  });
});

describe("refusals and rejections", () => {
  it("refuses unknown symbols, lot-size violations and missing prices without recording them", async () => {
    const { call, order, option, broker } = setup();
    expect((await call("placeorder", order({ symbol: "NOSUCH", action: "BUY", quantity: 1 }))).body).toEqual({
      status: "error",
      message: "Symbol NOSUCH not found on NSE",
    });
    expect(
      (await call("placeorder", order({ symbol: option("CE"), exchange: "NFO", action: "BUY", quantity: 50 }))).body
        .message,
    ).toBe("Quantity must be in multiples of lot size 65");
    expect(
      (await call("placeorder", order({ symbol: "SBIN", action: "BUY", quantity: 1, pricetype: "LIMIT" }))).body
        .message,
    ).toBe("LIMIT orders require price");
    expect(broker.receivedOrders("acct1")).toEqual([]);
  });

  it("rejects orders above the freeze quantity like a live broker, recording them", async () => {
    const { call, order, option, broker, updates } = setup({ capital: "100000000" });
    const r = await call(
      "placeorder",
      order({ symbol: option("CE"), exchange: "NFO", action: "BUY", quantity: 65 * 28 }),
    );
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/exceeds the freeze limit of 1800/);
    const rec = broker.receivedOrders("acct1");
    expect(rec).toHaveLength(1);
    expect(rec[0]).toMatchObject({ status: "rejected", quantity: 1820, via: "placeorder" });
    expect(updates.at(-1)).toMatchObject({ order_status: "rejected", rejection_reason: r.body.message });
    const ok = await call(
      "placeorder",
      order({ symbol: option("CE"), exchange: "NFO", action: "BUY", quantity: 1755 }),
    );
    expect(ok.status).toBe(200);
  });

  it("refuses MIS orders after the 15:15 IST square-off on its session clock, unless the market is always open", async () => {
    const { call, order, broker, market } = setup({}, istInstant("2026-11-25", "15:16"));
    const mis = order({ symbol: "SBIN", action: "BUY", quantity: 1 });
    // The harness market is always open (as in tests and the demo): no time-of-day rule.
    expect((await call("placeorder", mis)).status).toBe(200);
    market.setAlwaysOpen(false);
    expect((await call("placeorder", mis)).body).toEqual({
      status: "error",
      message: "MIS orders cannot be placed after square-off time (15:15 IST)",
    });
    expect((await call("placeorder", { ...mis, product: "CNC" })).status).toBe(200);
    market.clock.set(istInstant("2026-11-25", "15:14"));
    expect((await call("placeorder", mis)).status).toBe(200);
    expect(broker.receivedOrders("acct1").map((o) => o.product)).toEqual(["MIS", "CNC", "MIS"]);
  });

  it("rejects a short option beyond the margin: recorded live, refused with the sandbox text in analyze", async () => {
    const live = setup({ capital: "100000" });
    const r = await live.call(
      "placeorder",
      live.order({ symbol: live.option("CE"), exchange: "NFO", action: "SELL", quantity: 65 }),
    );
    expect(r.status).toBe(400);
    expect(r.body.message).toMatch(/Margin/);
    const book = (await live.call("orderbook", {})).body.data as { orders: Row[]; statistics: Row };
    // A live row has no rejection text (docs/openalgo.md "Account reads"); the reply, the order stream and the control
    // API carry it.
    expect(book.orders[0]).toMatchObject({ order_status: "rejected" });
    expect(book.orders[0]).not.toHaveProperty("rejection_reason");
    expect(book.statistics.total_rejected_orders).toBe(1);
    expect(live.updates.at(-1)).toMatchObject({ order_status: "rejected", rejection_reason: r.body.message });
    expect(live.broker.receivedOrders("acct1")[0]).toMatchObject({
      status: "rejected",
      rejectionReason: r.body.message,
    });

    const sandbox = setup({ capital: "100000", mode: "analyze" });
    const s = await sandbox.call(
      "placeorder",
      sandbox.order({ symbol: sandbox.option("CE"), exchange: "NFO", action: "SELL", quantity: 65 }),
    );
    expect(s).toEqual({
      status: 400,
      body: {
        status: "error",
        message: "Insufficient funds. Required: ₹250000.00, Available: ₹100000.00, Shortage: ₹150000.00",
        mode: "analyze",
      },
    });
    expect(sandbox.broker.receivedOrders("acct1")).toEqual([]);
  });

  it("rejects a CNC SELL without shares and records it with its orderid in the sandbox", async () => {
    const { call, order, broker } = setup({ mode: "analyze" });
    const r = await call("placeorder", order({ symbol: "TCS", action: "SELL", quantity: 1, product: "CNC" }));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({
      status: "error",
      mode: "analyze",
      orderid: broker.receivedOrders("acct1")[0].orderid,
      message:
        "Cannot sell TCS in CNC. No positions or holdings available. CNC (delivery) requires existing shares. Use MIS for intraday short selling.",
    });
  });

  it("answers validation errors in the order shape, with mode only where OpenAlgo adds it", async () => {
    const { call } = setup({ mode: "analyze" });
    expect(await call("placeorder", { strategy: "t", symbol: "SBIN", exchange: "NSE", action: "BUY" })).toEqual({
      status: 400,
      body: { status: "error", message: "{'quantity': ['Missing data for required field.']}" },
    });
    expect(await call("cancelorder", { orderid: "1" })).toEqual({
      status: 400,
      body: { status: "error", message: "{'strategy': ['Missing data for required field.']}", mode: "analyze" },
    });
    expect(await call("closeposition", { strategy: "t", symbol: "SBIN" })).toEqual({
      status: 400,
      body: { status: "error", message: "{'symbol': ['Unknown field.']}", mode: "analyze" },
    });
    expect((await call("funds", { foo: 1 })).body).toEqual({ status: "error", message: { foo: ["Unknown field."] } });
  });
});

describe("margin", () => {
  const sell = (s: ReturnType<typeof setup>, symbol: string, action = "SELL") =>
    s.call("placeorder", s.order({ symbol, exchange: "NFO", action, quantity: 65 }));
  const used = async (s: ReturnType<typeof setup>) =>
    ((await s.call("funds", {})).body.data as Row).utiliseddebits as number;

  it("blocks the single-sell rate, the pair rate for a short straddle, and less with a long wing", async () => {
    const naked = setup({ capital: "5000000" });
    await sell(naked, naked.option("CE"));
    expect(await used(naked)).toBe(250000);
    await sell(naked, naked.option("PE"));
    expect(await used(naked)).toBe(320000);

    const hedged = setup({ capital: "5000000" });
    const wing = hedged.option("CE", 4);
    await sell(hedged, wing, "BUY");
    const premium = await used(hedged);
    expect(premium).toBeGreaterThan(0);
    expect(premium).toBeLessThan(20000);
    await sell(hedged, hedged.option("CE"));
    expect(await used(hedged)).toBeCloseTo(premium + 75000, 2);

    // Closing the short releases its margin; only the long premium stays blocked.
    await hedged.call(
      "placeorder",
      hedged.order({ symbol: hedged.option("CE"), exchange: "NFO", action: "BUY", quantity: 65 }),
    );
    expect(await used(hedged)).toBeCloseTo(premium, 2);
  });

  it("uses the expiry-day rate on the contract's expiry day", async () => {
    // Tuesday 1 Dec 2026, 10:00 IST: a NIFTY weekly expiry.
    const s = setup({ capital: "5000000" }, Date.UTC(2026, 11, 1, 4, 30));
    expect(s.market.expiries("NIFTY", "NFO", "options")[0]).toBe("01-DEC-26");
    await sell(s, s.option("CE"));
    expect(await used(s)).toBe(205000);
  });

  it("answers the margin endpoint with the same model", async () => {
    const s = setup();
    const r = await s.call("margin", {
      positions: [
        {
          symbol: s.option("CE"),
          exchange: "NFO",
          action: "SELL",
          quantity: "65",
          product: "NRML",
          pricetype: "MARKET",
        },
        {
          symbol: s.option("PE"),
          exchange: "NFO",
          action: "SELL",
          quantity: "65",
          product: "NRML",
          pricetype: "MARKET",
        },
      ],
    });
    expect(r.body).toEqual({
      status: "success",
      data: { total_margin_required: 320000, span_margin: 320000, exposure_margin: 0 },
    });
    const bad = await s.call("margin", {
      positions: [{ symbol: "SBIN", exchange: "NSE", action: "BUY", quantity: 1, product: "MIS", pricetype: "MARKET" }],
    });
    expect(bad.body).toEqual({ status: "error", message: "{'positions': {0: {'quantity': ['Not a valid string.']}}}" });
  });
});

describe("order ids", () => {
  it("never repeat within a day across a restart: a fresh broker with the same seed and market clock issues new ids", async () => {
    let wall = Date.UTC(2026, 10, 25, 5, 0);
    const ids = async (s: ReturnType<typeof setup>) => {
      const out: string[] = [];
      for (let i = 0; i < 5; i++)
        out.push(
          (await s.call("placeorder", s.order({ symbol: "SBIN", action: "BUY", quantity: 1 }))).body.orderid as string,
        );
      return out;
    };
    const before = await ids(setup({}, undefined, () => wall));
    // The restart: one second later on the wall clock, the same seed and the same (fixed) market time.
    wall += 1_000;
    const after = await ids(setup({}, undefined, () => wall));
    expect(new Set([...before, ...after]).size).toBe(10);
    expect(after.every((id) => id.startsWith(before[0].slice(0, 6)))).toBe(true);
    expect([...before, ...after].every((id) => /^\d{14}$/.test(id))).toBe(true);
  });
});
