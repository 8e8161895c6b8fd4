import { describe, expect, it } from "vitest";
import { istInstant } from "@/lib/trading/calendar";
import { setup } from "@/lib/testing/simulated-broker-harness";

type Row = Record<string, unknown>;

describe("settlement across sessions", () => {
  it("moves CNC buys to holdings at the roll and lets the next session sell them", async () => {
    const { call, order, market, broker } = setup({ mode: "analyze" });
    await call("placeorder", order({ symbol: "INFY", action: "BUY", quantity: 4, product: "CNC" }));
    const cost = ((await call("orderbook", {})).body.data as { orders: Row[] }).orders[0].average_price as number;
    market.clock.set(istInstant("2026-11-26", "09:00"));
    broker.login("acct1");
    const h = (await call("holdings", {})).body.data as { holdings: Row[]; statistics: Row };
    expect(h.holdings).toEqual([
      expect.objectContaining({
        symbol: "INFY",
        exchange: "NSE",
        quantity: 4,
        product: "CNC",
        average_price: cost,
        settlement_date: "2026-11-26",
      }),
    ]);
    expect(h.statistics.totalinvvalue).toBeCloseTo(cost * 4, 2);
    expect((await call("positionbook", {})).body.data).toEqual([]);
    const over = await call("placeorder", order({ symbol: "INFY", action: "SELL", quantity: 5, product: "CNC" }));
    expect(over.body.message).toBe(
      "Cannot sell 5 shares of INFY in CNC. Only 4 shares available (Position: 0, Holdings: 4)",
    );
    const sell = await call("placeorder", order({ symbol: "INFY", action: "SELL", quantity: 4, product: "CNC" }));
    expect(sell.status).toBe(200);
  });

  it("settles an expired short option at the roll and frees its margin", async () => {
    // Monday 30 Nov 2026: the 1 Dec weekly expires tomorrow.
    const s = setup({ capital: "5000000" }, Date.UTC(2026, 10, 30, 5, 0));
    const { call, order, option, market, broker } = s;
    const symbol = option("CE");
    expect(symbol).toContain("01DEC26");
    await call("placeorder", order({ symbol, exchange: "NFO", action: "SELL", quantity: 65, product: "NRML" }));
    market.clock.set(istInstant("2026-12-01", "12:00"));
    broker.login("acct1");
    expect(((await call("funds", {})).body.data as Row).utiliseddebits).toBe(205000);
    market.clock.set(istInstant("2026-12-02", "03:30"));
    broker.login("acct1");
    expect((await call("positionbook", {})).body.data).toEqual([]);
    const funds = (await call("funds", {})).body.data as Row;
    expect(funds.utiliseddebits).toBe(0);
    expect(funds.m2mrealized).toBe(0);
  });
});

describe("more order handling", () => {
  it("rests a SELL LIMIT above the market and fills it when the price rises", async () => {
    const { call, order, market } = setup();
    const ltp = market.quote("RELIANCE", "NSE")!.ltp;
    const limit = Math.round((ltp * 1.02) / 0.05) * 0.05;
    const r = await call(
      "placeorder",
      order({ symbol: "RELIANCE", action: "SELL", quantity: 2, pricetype: "LIMIT", price: limit.toFixed(2) }),
    );
    expect(
      ((await call("orderstatus", { strategy: "t", orderid: r.body.orderid })).body.data as Row).order_status,
    ).toBe("open");
    market.setSpot("RELIANCE", ltp * 0.99);
    expect(
      ((await call("orderstatus", { strategy: "t", orderid: r.body.orderid })).body.data as Row).order_status,
    ).toBe("open");
    market.setSpot("RELIANCE", limit + 2);
    const st = (await call("orderstatus", { strategy: "t", orderid: r.body.orderid })).body.data as Row;
    expect(st.order_status).toBe("complete");
    expect(st.average_price as number).toBeGreaterThanOrEqual(limit);
  });

  it("turns a triggered SL whose limit is not reachable into an open order that waits", async () => {
    const { call, order, market, updates } = setup();
    const ltp = market.quote("TCS", "NSE")!.ltp;
    const trigger = Math.round((ltp + 20) / 0.05) * 0.05;
    const r = await call(
      "placeorder",
      order({ symbol: "TCS", action: "BUY", quantity: 1, pricetype: "SL", price: trigger + 1, trigger_price: trigger }),
    );
    market.setSpot("TCS", trigger + 50);
    const status = async () =>
      ((await call("orderstatus", { strategy: "t", orderid: r.body.orderid })).body.data as Row).order_status;
    expect(await status()).toBe("open");
    market.setSpot("TCS", trigger);
    expect(await status()).toBe("complete");
    expect(updates.filter((u) => u.orderid === r.body.orderid).map((u) => u.order_status)).toEqual([
      "trigger pending",
      "open",
      "complete",
    ]);
  });

  it("answers modify errors with the sandbox texts", async () => {
    const { call, order, market } = setup({ mode: "analyze" });
    const ltp = market.quote("SBIN", "NSE")!.ltp;
    const open = await call(
      "placeorder",
      order({ symbol: "SBIN", action: "BUY", quantity: 1, pricetype: "LIMIT", price: Math.floor(ltp / 2) }),
    );
    const done = await call("placeorder", order({ symbol: "SBIN", action: "BUY", quantity: 1 }));
    const modify = (orderid: unknown, extra: Row = {}) =>
      call("modifyorder", {
        strategy: "t",
        exchange: "NSE",
        symbol: "SBIN",
        orderid,
        action: "BUY",
        product: "MIS",
        pricetype: "LIMIT",
        price: Math.floor(ltp / 2),
        quantity: 2,
        disclosed_quantity: 0,
        trigger_price: 0,
        ...extra,
      });
    expect((await modify(open.body.orderid, { trigger_price: 5 })).body).toEqual({
      status: "error",
      message: "LIMIT orders do not accept a trigger_price",
      mode: "analyze",
    });
    expect((await modify(done.body.orderid)).body.message).toBe("Cannot modify order in complete status");
    expect((await modify("99999999999999")).status).toBe(404);
    expect((await modify(open.body.orderid)).body).toEqual({
      status: "success",
      orderid: open.body.orderid,
      message: "Order modified successfully",
      mode: "analyze",
    });
    expect((await modify(26112228321373)).body.message).toBe("{'orderid': ['Not a valid string.']}");
  });

  it("keeps order ids unique across instances", async () => {
    const { call, order, broker } = setup();
    const other = broker.createInstance({ id: "acct2", apiKey: "key2", capital: 1000000 });
    const ids = new Set<string>();
    for (let i = 0; i < 20; i++) {
      ids.add((await call("placeorder", order({ symbol: "SBIN", action: "BUY", quantity: 1 }))).body.orderid as string);
      ids.add(
        (await call("placeorder", order({ symbol: "SBIN", action: "BUY", quantity: 1 }), other)).body.orderid as string,
      );
    }
    expect(ids.size).toBe(40);
    expect(broker.receivedOrders("acct2")).toHaveLength(20);
    expect(() => broker.createInstance({ id: "acct3", apiKey: "key2", capital: 1 })).toThrow(/already in use/);
  });
});
