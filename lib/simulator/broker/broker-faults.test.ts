import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { istInstant } from "@/lib/trading/calendar";
import { setup } from "@/lib/testing/simulated-broker-harness";

type Row = Record<string, unknown>;

describe("engine-level faults", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("late RMS rejection: accepted and unfilled, then rejected with its margin released", async () => {
    const { call, order, updates } = setup({ faults: { lateRejectRate: 1, lateRejectMs: 2000 } });
    const r = await call("placeorder", order({ symbol: "SBIN", action: "BUY", quantity: 10 }));
    expect(r.body).toEqual({ status: "success", orderid: expect.any(String) });
    const status = async () => (await call("orderstatus", { strategy: "t", orderid: r.body.orderid })).body.data as Row;
    expect(await status()).toMatchObject({ order_status: "open", average_price: 0 });
    expect(((await call("funds", {})).body.data as Row).utiliseddebits).toBeGreaterThan(0);
    vi.advanceTimersByTime(1999);
    expect((await status()).order_status).toBe("open");
    vi.advanceTimersByTime(1);
    expect((await status()).order_status).toBe("rejected");
    expect((await call("funds", {})).body.data as Row).toMatchObject({ utiliseddebits: 0, availablecash: 1_000_000 });
    expect(updates.map((u) => u.order_status)).toEqual(["open", "rejected"]);
    expect(String(updates[1].rejection_reason)).toMatch(/RMS/);
  });

  it("flap: shows rejected with no fill, then complete with the fill after flapMs", async () => {
    const { call, order, updates } = setup({ faults: { flapRate: 1, flapMs: 500 } });
    const r = await call("placeorder", order({ symbol: "SBIN", action: "BUY", quantity: 3 }));
    const pos = async () =>
      (await call("openposition", { strategy: "t", symbol: "SBIN", exchange: "NSE", product: "MIS" })).body.quantity;
    expect(
      ((await call("orderstatus", { strategy: "t", orderid: r.body.orderid })).body.data as Row).order_status,
    ).toBe("rejected");
    expect(await pos()).toBe(0);
    vi.advanceTimersByTime(500);
    expect(
      ((await call("orderstatus", { strategy: "t", orderid: r.body.orderid })).body.data as Row).order_status,
    ).toBe("complete");
    expect(await pos()).toBe(3);
    expect(updates.map((u) => u.order_status)).toEqual(["open", "rejected", "complete"]);
  });

  it("partial fill: some lots first, the rest after partialFillMs", async () => {
    const { call, order, option, updates } = setup({
      capital: "5000000",
      faults: { partialFillRate: 1, partialFillMs: 300 },
    });
    const r = await call("placeorder", order({ symbol: option("CE"), exchange: "NFO", action: "BUY", quantity: 195 }));
    const row = async () => {
      const book = (await call("orderbook", {})).body.data as { orders: Row[] };
      return book.orders.find((o) => o.orderid === r.body.orderid)!;
    };
    const traded = async () =>
      ((await call("tradebook", {})).body.data as Row[]).reduce((n, t) => n + (t.quantity as number), 0);
    const first = await row();
    expect(first.order_status).toBe("open");
    // A live order-book row carries no fill quantities (docs/openalgo.md "Account reads"): the trade book and the order
    // stream say them.
    expect(first).not.toHaveProperty("filled_quantity");
    const part = await traded();
    expect([65, 130]).toContain(part);
    expect(updates.at(-1)).toMatchObject({ order_status: "open", filled_quantity: part, pending_quantity: 195 - part });
    vi.advanceTimersByTime(300);
    expect(await row()).toMatchObject({ order_status: "complete" });
    expect(await traded()).toBe(195);
    expect(updates.at(-1)).toMatchObject({ order_status: "complete", filled_quantity: 195, pending_quantity: 0 });
  });

  it("holdPartialFills keeps the rest of a partial fill back until it is switched off", async () => {
    const { call, order, option, updates, broker, inst } = setup({
      capital: "5000000",
      faults: { partialFillRate: 1, partialFillMs: 300, holdPartialFills: true },
    });
    const r = await call("placeorder", order({ symbol: option("CE"), exchange: "NFO", action: "BUY", quantity: 195 }));
    const part = updates.at(-1)!.filled_quantity;
    expect([65, 130]).toContain(part);
    vi.advanceTimersByTime(60_000);
    expect(updates.at(-1)).toMatchObject({ orderid: r.body.orderid, order_status: "open", filled_quantity: part });
    broker.setFaults(inst.id, { holdPartialFills: false });
    expect(updates.at(-1)).toMatchObject({
      orderid: r.body.orderid,
      order_status: "complete",
      filled_quantity: 195,
      pending_quantity: 0,
    });
  });

  it("reset clears books, restores capital and cancels pending fault timers", async () => {
    const { call, order, broker, inst } = setup({ faults: { lateRejectRate: 1, lateRejectMs: 1000 } });
    await call("placeorder", order({ symbol: "SBIN", action: "BUY", quantity: 10 }));
    expect(inst.timers.size).toBe(1);
    broker.reset();
    expect(inst.timers.size).toBe(0);
    expect(broker.receivedOrders("acct1")).toEqual([]);
    expect((await call("funds", {})).body.data as Row).toMatchObject({ availablecash: 1_000_000, utiliseddebits: 0 });
    expect(broker.removeInstance("acct1")).toBe(true);
    expect(broker.instanceByKey("key1")).toBeUndefined();
  });
});

describe("number flavours and strategy echo", () => {
  it("gives strings like a live broker, numbers like the sandbox", async () => {
    const live = setup({ numbers: "string" });
    await live.call("placeorder", live.order({ symbol: "SBIN", action: "SELL", quantity: 10 }));
    const funds = (await live.call("funds", {})).body.data as Row;
    expect(Object.keys(funds).sort()).toEqual([
      "availablecash",
      "collateral",
      "m2mrealized",
      "m2munrealized",
      "utiliseddebits",
    ]);
    expect(funds.collateral).toBe("0.00");
    expect(funds.availablecash).toMatch(/^\d+\.\d{2}$/);
    const pos = (await live.call("positionbook", {})).body.data as Row[];
    expect(pos[0]).toMatchObject({ quantity: "-10", symbol: "SBIN" });
    expect(Object.keys(pos[0]).sort()).toEqual([
      "average_price",
      "exchange",
      "ltp",
      "pnl",
      "product",
      "quantity",
      "symbol",
    ]);
    const row = ((await live.call("orderbook", {})).body.data as { orders: Row[] }).orders[0];
    expect(row).toMatchObject({ quantity: "10", price: "0.00" });
    expect(row.strategy).toBeUndefined();

    const sandbox = setup({ numbers: "number", mode: "analyze", showStrategy: true });
    await sandbox.call("placeorder", sandbox.order({ symbol: "SBIN", action: "SELL", quantity: 10 }));
    const sf = (await sandbox.call("funds", {})).body;
    expect(sf.mode).toBe("analyze");
    expect(typeof (sf.data as Row).availablecash).toBe("number");
    expect(sf.data).toHaveProperty("grossexposure");
    const srow = (await sandbox.call("orderbook", {})).body.data as { orders: Row[]; statistics: Row };
    expect(srow.orders[0]).toMatchObject({ quantity: 10, strategy: "t" });
    expect(srow.statistics).toHaveProperty("total_trigger_pending_orders", 0);
    const trade = ((await sandbox.call("tradebook", {})).body.data as Row[])[0];
    expect(trade).toMatchObject({ strategy: "t", tradeid: expect.stringMatching(/^TRADE-\d{8}-\d{6}-[0-9a-f]{8}$/) });
    const st = (await sandbox.call("orderstatus", { strategy: "t", orderid: srow.orders[0].orderid })).body.data as Row;
    expect(st).toHaveProperty("price_type", "MARKET");
    expect(st).not.toHaveProperty("pricetype");
  });

  it("emits order_update payloads in the observed shape", async () => {
    const { call, order, updates, market } = setup({ mode: "analyze" });
    await call("placeorder", order({ symbol: "SBIN", action: "BUY", quantity: 1 }));
    const ask = market.quote("SBIN", "NSE")!.ask;
    expect(Object.keys(updates[0])).toEqual([
      "user_id",
      "mode",
      "broker",
      "orderid",
      "symbol",
      "exchange",
      "action",
      "quantity",
      "price",
      "trigger_price",
      "pricetype",
      "product",
      "order_status",
      "filled_quantity",
      "pending_quantity",
      "average_price",
      "rejection_reason",
    ]);
    expect(updates[0]).toMatchObject({
      mode: "analyze",
      broker: "sandbox",
      order_status: "open",
      pending_quantity: 0,
      average_price: 0,
    });
    expect(updates[1]).toMatchObject({ order_status: "complete", price: ask, average_price: ask, filled_quantity: 1 });
  });
});

describe("session", () => {
  it("revokes at 03:00 IST, then shows only the new session with NRML carried and MIS settled", async () => {
    const s = setup({ capital: "5000000" });
    const { call, order, option, inst, broker, market } = s;
    await call("placeorder", order({ symbol: "SBIN", action: "BUY", quantity: 10 }));
    await call(
      "placeorder",
      order({ symbol: option("PE"), exchange: "NFO", action: "SELL", quantity: 65, product: "NRML" }),
    );
    const resting = await call(
      "placeorder",
      order({ symbol: "TCS", action: "BUY", quantity: 1, pricetype: "LIMIT", price: 1 }),
    );
    expect(inst.sessionActive).toBe(true);

    market.clock.set(istInstant("2026-11-26", "02:59"));
    expect(inst.sessionActive).toBe(true);
    market.clock.set(istInstant("2026-11-26", "03:00"));
    expect((await call("funds", {})).status).toBe(403);
    expect(broker.login("acct1")).toBe(true);

    const book = (await call("orderbook", {})).body.data as { orders: Row[] };
    expect(book.orders).toEqual([]);
    expect((await call("tradebook", {})).body.data).toEqual([]);
    const positions = (await call("positionbook", {})).body.data as Row[];
    expect(positions.map((p) => [p.symbol, p.quantity, p.product])).toEqual([[option("PE"), -65, "NRML"]]);
    // The resting day order lapsed, and every order is still in the received list.
    expect(broker.receivedOrders("acct1").find((o) => o.orderid === resting.body.orderid)?.status).toBe("cancelled");
    expect(broker.receivedOrders("acct1")).toHaveLength(3);
    const funds = (await call("funds", {})).body.data as Row;
    expect(funds.m2mrealized).toBe(0);
    expect(funds.utiliseddebits).toBe(250000);

    expect(broker.revokeSession("acct1")).toBe(true);
    expect((await call("orderbook", {})).status).toBe(403);
  });

  it("hold resting orders: a LIMIT that did not fill at placement stays open through a tick that crosses it; marketable orders still fill", async () => {
    const { call, order, market } = setup({ faults: { holdRestingOrders: true } });
    const status = async (id: unknown) =>
      ((await call("orderstatus", { strategy: "t", orderid: id })).body.data as Row).order_status;
    const q = market.quote("SBIN", "NSE")!;
    const limit = Math.round((q.ltp * 0.98) / 0.05) * 0.05;
    const resting = await call(
      "placeorder",
      order({ symbol: "SBIN", action: "BUY", quantity: 2, pricetype: "LIMIT", price: limit.toFixed(2) }),
    );
    const marketable = await call(
      "placeorder",
      order({ symbol: "SBIN", action: "BUY", quantity: 1, pricetype: "LIMIT", price: q.ask + 10 }),
    );
    const atMarket = await call("placeorder", order({ symbol: "SBIN", action: "BUY", quantity: 1 }));
    market.setSpot("SBIN", limit - 1); // would fill the resting order without the hold
    expect([
      await status(resting.body.orderid),
      await status(marketable.body.orderid),
      await status(atMarket.body.orderid),
    ]).toEqual(["open", "complete", "complete"]);
    expect((await call("cancelorder", { strategy: "t", orderid: resting.body.orderid })).body.status).toBe("success");
    expect(await status(resting.body.orderid)).toBe("cancelled");
  });
});
