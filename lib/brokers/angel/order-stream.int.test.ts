/**
 * The Angel One adapter's order-status stream against the simulator's `/angel/smart-order-update` over a real
 * WebSocket. Fills, partial fills and late rejections are held and released through the instance's faults, so every
 * state is waited for, never timed.
 */
import Decimal from "decimal.js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { BrokerSessionTokens } from "@/lib/brokers/login";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerAdapter, OrderUpdate, PlaceOrderRequest, Subscription } from "@/lib/brokers/types";
import { BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import { ANGEL_ADMIN, type AngelWorld, loginAngel, startAngelWorld } from "@/lib/testing/angel-kit";
import { createAngelAdapter } from "./adapter";

const ID = "angorders";
let world: AngelWorld;
let session: BrokerSessionTokens;
let adapter: BrokerAdapter;
const subs: Subscription[] = [];

beforeAll(async () => {
  world = await startAngelWorld(ID);
  session = await loginAngel(world);
  adapter = adapterWith(session);
});
afterEach(async () => {
  for (const s of subs.splice(0)) await s.close();
  world.sim.broker.setFaults(ID, {
    partialFillRate: 0,
    holdPartialFills: false,
    lateRejectRate: 0,
    holdTransitions: false,
    holdRestingOrders: false,
  });
});
afterAll(async () => {
  await adapter.close();
  await world.sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

function adapterWith(s: BrokerSessionTokens) {
  return createAngelAdapter(
    { accountId: "angel-orders", hostUrl: world.app.hostUrl, apiKey: world.app.apiKey, session: s },
    { gate: world.gate, now: world.now },
  );
}

async function listen(a = adapter) {
  const updates: OrderUpdate[] = [];
  const errors: Error[] = [];
  const sub = await a.subscribeOrderUpdates!(
    (u) => updates.push(u),
    (e) => errors.push(e),
  );
  subs.push(sub);
  return { updates, errors };
}

const order = (over: Partial<PlaceOrderRequest> = {}): PlaceOrderRequest => ({
  symbol: "SBIN",
  exchange: "NSE",
  action: "BUY",
  quantity: 10,
  priceType: "MARKET",
  product: "MIS",
  strategy: "stream-test",
  ...over,
});

async function place(o: PlaceOrderRequest): Promise<string> {
  const r = await adapter.placeOrder(o);
  if (r.kind !== "accepted") throw new Error(`placement ${r.kind}`);
  return r.orderId;
}

const of = (updates: OrderUpdate[], id: string) => updates.filter((u) => u.orderId === id);

describe("Angel order updates", () => {
  it("a placement's fill arrives with order id, status, filled quantity and average price", async () => {
    const { updates, errors } = await listen();
    const id = await place(order({ quantity: 3 }));
    await vi.waitFor(() => expect(of(updates, id).some((u) => u.status === "complete")).toBe(true));
    const done = of(updates, id).filter((u) => u.status === "complete");
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({
      symbol: "SBIN",
      exchange: "NSE",
      action: "BUY",
      quantity: 3,
      filledQuantity: 3,
      pendingQuantity: 0,
      priceType: "MARKET",
      product: "MIS",
      brokerStatus: "complete",
      mode: "live",
    });
    // The average price is the order book's, not an LTP.
    const book = (await adapter.orders(new Set([id])))[0];
    expect(done[0].averagePrice!.gt(0)).toBe(true);
    expect(done[0].averagePrice!.eq(book.averagePrice!)).toBe(true);
    expect(errors).toEqual([]);
  });

  it("a partial fill arrives open with its filled part, then the rest completes it", async () => {
    const { updates } = await listen();
    world.sim.broker.setFaults(ID, { partialFillRate: 1, holdPartialFills: true });
    const id = await place(order({ quantity: 10 }));
    await vi.waitFor(() => expect(of(updates, id).some((u) => u.filledQuantity > 0)).toBe(true));
    const partial = of(updates, id).find((u) => u.filledQuantity > 0)!;
    expect(partial.status).toBe("open");
    expect(partial.filledQuantity).toBeLessThan(10);
    expect(partial.pendingQuantity).toBe(10 - partial.filledQuantity);
    expect(partial.averagePrice!.gt(0)).toBe(true);
    world.sim.broker.setFaults(ID, { holdPartialFills: false });
    await vi.waitFor(() => expect(of(updates, id).some((u) => u.status === "complete")).toBe(true));
    expect(of(updates, id).find((u) => u.status === "complete")).toMatchObject({
      filledQuantity: 10,
      pendingQuantity: 0,
    });
  });

  it("a resting order arrives open, and its late rejection arrives with the reason", async () => {
    const { updates } = await listen();
    world.sim.broker.setFaults(ID, {
      holdRestingOrders: true,
      lateRejectRate: 1,
      lateRejectMs: 1,
      holdTransitions: true,
    });
    const ltp = new Decimal(world.sim.market.quote("SBIN", "NSE")!.ltp);
    const price = ltp.mul(0.9).div(0.05).floor().mul(0.05);
    const id = await place(order({ priceType: "LIMIT", price, quantity: 4 }));
    await vi.waitFor(() => expect(of(updates, id).some((u) => u.status === "open")).toBe(true));
    expect(of(updates, id)[0]).toMatchObject({ filledQuantity: 0, pendingQuantity: 4, priceType: "LIMIT" });
    expect(of(updates, id)[0].price.eq(price)).toBe(true);
    world.sim.broker.setFaults(ID, { holdTransitions: false });
    await vi.waitFor(() => expect(of(updates, id).some((u) => u.status === "rejected")).toBe(true));
    const rejected = of(updates, id).find((u) => u.status === "rejected")!;
    expect(rejected.rejectionReason).toBeTruthy();
    expect(rejected.filledQuantity).toBe(0);
  });

  it("a dropped connection is reported through onError", async () => {
    const { errors } = await listen();
    const res = await fetch(`${world.sim.httpUrl}/_sim/instances/${ID}/ws/drop`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ANGEL_ADMIN}` },
    });
    expect(res.status).toBe(200);
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toBeInstanceOf(BrokerUnavailableError);
  });

  it("a wrong token is refused as an auth error", async () => {
    const bad = adapterWith({ ...session, accessToken: "eyJwrong" });
    await expect(listen(bad)).rejects.toBeInstanceOf(BrokerAuthError);
    await bad.close();
  });
});
