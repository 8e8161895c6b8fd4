/**
 * The Zerodha adapter's streams (market feed and order updates) against the simulator's Kite ticker over a real
 * WebSocket, after a login through the connector's own flow. Prices move only on `market.tick()` (fixed clock); order
 * states are held and released through the engine's faults; every wait is on observable state.
 */
import type { LookupFunction } from "node:net";
import Decimal from "decimal.js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { FeedItem, FeedTick, MarketFeed } from "@/lib/brokers/market-types";
import type { BrokerSessionTokens } from "@/lib/brokers/login";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerAdapter, OrderUpdate, PlaceOrderRequest, Subscription } from "@/lib/brokers/types";
import { BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import { type KiteWorld, startKiteWorld } from "@/lib/testing/zerodha-sim-kit";
import { createZerodhaAdapter } from "./adapter";

/** How long a wait on observable state may take on a busy machine (vi.waitFor defaults to 1 s). */
const WAIT = { timeout: 15_000 };

const ID = "kstream";
let world: KiteWorld;
let session: BrokerSessionTokens;
let adapter: BrokerAdapter;
const open: { close(): Promise<void> }[] = [];
let ce = "";
let pe = "";

interface Feed {
  feed: MarketFeed;
  ticks: FeedTick[];
  closed: Error[];
}

async function openFeed(a = adapter, heartbeatMs = 10_000): Promise<Feed> {
  const ticks: FeedTick[] = [];
  const closed: Error[] = [];
  const feed = await a.openMarketFeed!(
    { onTick: (t) => ticks.push(t), onClose: (e) => closed.push(e) },
    { heartbeatMs, setupTimeoutMs: 5_000 },
  );
  open.push(feed);
  return { feed, ticks, closed };
}

async function subscribeOrders(): Promise<{ updates: OrderUpdate[]; errors: Error[]; sub: Subscription }> {
  const updates: OrderUpdate[] = [];
  const errors: Error[] = [];
  const sub = await adapter.subscribeOrderUpdates!(
    (u) => updates.push(u),
    (e) => errors.push(e),
  );
  open.push(sub);
  return { updates, errors, sub };
}

const last = (f: Feed, symbol: string) => f.ticks.filter((t) => t.symbol === symbol).at(-1);
const money = (n: number) => new Decimal(n).toFixed();
const faults = (f: Parameters<KiteWorld["sim"]["broker"]["setFaults"]>[1]) => world.sim.broker.setFaults(ID, f);
const sbin = (quantity: number): PlaceOrderRequest => ({
  symbol: "SBIN",
  exchange: "NSE",
  action: "BUY",
  quantity,
  priceType: "MARKET",
  product: "MIS",
  strategy: "stream-test",
});

beforeAll(async () => {
  world = await startKiteWorld(ID, 9);
  session = await world.login();
  adapter = world.adapter(session);
  const expiry = world.sim.market.expiries("NIFTY", "NFO", "options")[0];
  const chain = world.sim.market.optionChain("NIFTY", "NSE_INDEX", expiry.replaceAll("-", ""), 1)!;
  ce = chain.rows[1].ce!.instrument.symbol;
  pe = chain.rows[1].pe!.instrument.symbol;
});
afterEach(async () => {
  for (const x of open.splice(0)) await x.close();
  await world.control("POST", "/ws/stall", { stalled: false });
  faults({ partialFillRate: 0, holdPartialFills: false, lateRejectRate: 0, holdTransitions: false });
});
afterAll(async () => {
  await adapter.close();
  await world.sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

describe("zerodha market feed", () => {
  it("streams each mode's fields at the simulator's prices, for subscribed contracts only", async () => {
    const f = await openFeed();
    expect(f.feed.host).toBe(new URL(world.sim.httpUrl).host);
    const items: FeedItem[] = [
      { exchange: "NSE_INDEX", symbol: "NIFTY", mode: 1 },
      { exchange: "NFO", symbol: pe, mode: 2 },
      { exchange: "NFO", symbol: ce, mode: 3 },
      { exchange: "NFO", symbol: "NIFTY01JAN2099999CE", mode: 2 },
    ];
    const r = await f.feed.subscribe(items);
    expect(r.refused).toEqual([{ exchange: "NFO", symbol: "NIFTY01JAN2099999CE", reason: expect.any(String) }]);
    // Kite snapshots a new subscription in quote mode, then again at the mode asked for.
    await vi.waitFor(() => expect(last(f, ce)?.depth).toBeTruthy(), WAIT);
    await vi.waitFor(() => expect(last(f, pe)?.oi).not.toBeNull(), WAIT);
    await vi.waitFor(() => expect(last(f, "NIFTY")).toBeDefined(), WAIT);
    const m = world.sim.market;
    const n = f.ticks.length;
    m.tick();
    await vi.waitFor(
      () => expect(new Set(f.ticks.slice(n).map((t) => t.symbol))).toEqual(new Set(["NIFTY", ce, pe])),
      WAIT,
    );

    const nifty = last(f, "NIFTY")!;
    expect(nifty).toMatchObject({ exchange: "NSE_INDEX", ltp: money(m.quote("NIFTY", "NSE_INDEX")!.ltp) });
    expect(nifty).toMatchObject({ open: null, volume: null, oi: null, depth: null, bid: null });

    const q = m.quote(pe, "NFO")!;
    expect(last(f, pe)).toMatchObject({
      exchange: "NFO",
      ltp: money(q.ltp),
      open: money(q.open),
      high: money(q.high),
      low: money(q.low),
      prevClose: money(q.prevClose),
      volume: q.volume,
      oi: q.oi,
      exchangeTs: new Date(Math.floor(q.ts / 1000) * 1000).toISOString(),
      depth: null,
      bid: null,
    });

    const d = m.depth(ce, "NFO")!;
    const c = last(f, ce)!;
    expect(c.ltp).toBe(money(d.quote.ltp));
    expect(c.depth!.buy).toEqual(
      d.bids.map((l) => ({ price: money(l.price), quantity: l.quantity, orders: l.orders })),
    );
    expect(c.depth!.sell[0]).toEqual({
      price: money(d.asks[0].price),
      quantity: d.asks[0].quantity,
      orders: d.asks[0].orders,
    });
    expect(c).toMatchObject({ bid: money(d.bids[0].price), bidQty: d.bids[0].quantity, ask: money(d.asks[0].price) });
    expect(f.closed).toEqual([]);
  });

  it("stops a contract's ticks on unsubscribe, and keeps a token at its richest wanted mode", async () => {
    const f = await openFeed();
    await f.feed.subscribe([
      { exchange: "NFO", symbol: ce, mode: 1 },
      { exchange: "NFO", symbol: ce, mode: 3 },
      { exchange: "NFO", symbol: pe, mode: 2 },
    ]);
    await vi.waitFor(() => expect(last(f, ce)?.depth).toBeTruthy(), WAIT);
    // Dropping mode 3 leaves mode 1: LTP only.
    await f.feed.unsubscribe([{ exchange: "NFO", symbol: ce, mode: 3 }]);
    await vi.waitFor(() => expect(last(f, ce)).toMatchObject({ depth: null, volume: null }), WAIT);
    await f.feed.unsubscribe([
      { exchange: "NFO", symbol: ce, mode: 1 },
      { exchange: "NFO", symbol: pe, mode: 2 },
    ]);
    // Kite acknowledges nothing: a later subscription's first tick shows the server has read the unsubscribe.
    await f.feed.subscribe([{ exchange: "NSE", symbol: "SBIN", mode: 1 }]);
    await vi.waitFor(() => expect(last(f, "SBIN")).toBeDefined(), WAIT);
    const n = f.ticks.length;
    world.sim.market.tick();
    await vi.waitFor(() => expect(f.ticks.slice(n).some((t) => t.symbol === "SBIN")).toBe(true), WAIT);
    expect(new Set(f.ticks.slice(n).map((t) => t.symbol))).toEqual(new Set(["SBIN"]));
  });

  it("reports a dropped socket through onClose, and not one it closed itself", async () => {
    const a = await openFeed();
    expect(await world.control("POST", "/ws/drop", {})).toBe(200);
    await vi.waitFor(() => expect(a.closed).toHaveLength(1), WAIT);
    expect(a.closed[0]).toBeInstanceOf(BrokerUnavailableError);
    const b = await openFeed();
    await b.feed.close();
    await expect(b.feed.subscribe([{ exchange: "NSE", symbol: "SBIN", mode: 1 }])).rejects.toBeInstanceOf(
      BrokerUnavailableError,
    );
    expect(b.closed).toEqual([]);
  });

  it("ends a stalled stream when even Kite's heartbeat stops", async () => {
    const f = await openFeed(adapter, 3_000);
    await f.feed.subscribe([{ exchange: "NSE", symbol: "SBIN", mode: 2 }]);
    await vi.waitFor(() => expect(last(f, "SBIN")).toBeDefined(), WAIT);
    expect(await world.control("POST", "/ws/stall", { stalled: true })).toBe(200);
    await vi.waitFor(() => expect(f.closed).toHaveLength(1), WAIT);
    expect(f.closed[0].message).toMatch(/silent for 3000 ms/);
  });

  it("resolves the ticker's host with the deps' lookup (the operator's host policy)", async () => {
    const asked: string[] = [];
    const lookup = ((hostname: string, _options: unknown, callback: (e: Error) => void) => {
      asked.push(hostname);
      callback(Object.assign(new Error("refused by the host policy"), { code: "ENOTFOUND" }));
    }) as unknown as LookupFunction;
    const hostUrl = world.app.hostUrl.replace("127.0.0.1", "localhost");
    const a = createZerodhaAdapter(
      { accountId: world.accountId, hostUrl, apiKey: world.app.apiKey, apiSecret: world.app.apiSecret, session },
      { gate: world.gate, now: world.now, lookup },
    );
    await expect(openFeed(a)).rejects.toMatchObject({ code: "BROKER_UNAVAILABLE", reason: "unreachable" });
    expect(asked).toContain("localhost");
    await a.close();
  });

  it("refuses a wrong or expired token as an auth error", async () => {
    const wrong = world.adapter({ ...session, accessToken: "not-the-access-token" });
    await expect(openFeed(wrong)).rejects.toBeInstanceOf(BrokerAuthError);
    const expired = world.adapter({ ...session, expiresAt: new Date(world.now() - 1) });
    await expect(openFeed(expired)).rejects.toBeInstanceOf(BrokerAuthError);
    await Promise.all([wrong.close(), expired.close()]);
  });
});

describe("zerodha order updates", () => {
  it("pushes a placement's fill with the order id, status, filled quantity and the book's average price", async () => {
    const { updates, errors } = await subscribeOrders();
    const r = await adapter.placeOrder(sbin(3));
    const id = r.kind === "accepted" ? r.orderId : "";
    expect(id).not.toBe("");
    await vi.waitFor(() => expect(updates.some((u) => u.orderId === id && u.status === "complete")).toBe(true), WAIT);
    const done = updates.find((u) => u.orderId === id && u.status === "complete")!;
    const row = (await adapter.orders()).find((o) => o.orderId === id)!;
    expect(done).toMatchObject({ symbol: "SBIN", exchange: "NSE", action: "BUY", quantity: 3, filledQuantity: 3 });
    expect(done).toMatchObject({ pendingQuantity: 0, priceType: "MARKET", product: "MIS", brokerStatus: "COMPLETE" });
    expect(done.averagePrice!.eq(row.averagePrice!)).toBe(true);
    expect(errors).toEqual([]);
  });

  it("pushes a partial fill, then the rest", async () => {
    const { updates } = await subscribeOrders();
    faults({ partialFillRate: 1, partialFillMs: 0, holdPartialFills: true });
    const r = await adapter.placeOrder(sbin(10));
    const id = r.kind === "accepted" ? r.orderId : "";
    await vi.waitFor(() => expect(updates.some((u) => u.orderId === id && u.filledQuantity > 0)).toBe(true), WAIT);
    const part = updates.find((u) => u.orderId === id && u.filledQuantity > 0)!;
    expect(part).toMatchObject({ status: "open", quantity: 10 });
    expect(part.filledQuantity).toBeLessThan(10);
    expect(part.pendingQuantity).toBe(10 - part.filledQuantity);
    expect(part.averagePrice).not.toBeNull();
    faults({ holdPartialFills: false });
    await vi.waitFor(() => expect(updates.some((u) => u.orderId === id && u.status === "complete")).toBe(true), WAIT);
    expect(updates.find((u) => u.orderId === id && u.status === "complete")).toMatchObject({ filledQuantity: 10 });
  });

  it("pushes a late rejection with the engine's reason", async () => {
    const { updates } = await subscribeOrders();
    faults({ lateRejectRate: 1, lateRejectMs: 0, holdTransitions: true });
    const r = await adapter.placeOrder(sbin(2));
    const id = r.kind === "accepted" ? r.orderId : "";
    await vi.waitFor(() => expect(updates.some((u) => u.orderId === id && u.status === "open")).toBe(true), WAIT);
    faults({ holdTransitions: false });
    await vi.waitFor(() => expect(updates.some((u) => u.orderId === id && u.status === "rejected")).toBe(true), WAIT);
    const rejected = updates.find((u) => u.orderId === id && u.status === "rejected")!;
    expect(rejected).toMatchObject({ filledQuantity: 0, pendingQuantity: 0, averagePrice: null });
    expect(rejected.rejectionReason?.length).toBeGreaterThan(0);
  });

  it("reports a dropped stream through onError", async () => {
    const { errors } = await subscribeOrders();
    expect(await world.control("POST", `/instances/${ID}/ws/drop`)).toBe(200);
    await vi.waitFor(() => expect(errors).toHaveLength(1), WAIT);
    expect(errors[0]).toBeInstanceOf(BrokerUnavailableError);
  });
});

describe("a token the broker has ended", () => {
  it("is refused at the ticker's handshake as an auth error, for both streams", async () => {
    expect(await world.control("POST", `/instances/${ID}/revoke`)).toBe(200);
    // The stored session still looks live here: the refusal is the broker's.
    const err = await openFeed().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerAuthError);
    expect((err as Error).message).not.toContain(session.accessToken);
    await expect(subscribeOrders()).rejects.toBeInstanceOf(BrokerAuthError);
  });
});
