/**
 * The Upstox connector's order updates against the simulator's portfolio stream (real sockets, fixed clock): a
 * placement's fill, a partial fill held by the simulator and then completed, an exchange rejection, and a drop.
 */
import Decimal from "decimal.js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import type { OrderUpdate, PlaceOrderRequest, Subscription } from "@/lib/brokers/types";
import { BrokerUnavailableError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import type { Instrument } from "@/lib/simulator/types";
import { control } from "@/lib/testing/simulator-server-kit";
import { startUpstoxStreamWorld, UPSTOX_TRADER, type UpstoxStreamWorld } from "@/lib/testing/upstox-stream-kit";

let world: UpstoxStreamWorld;
const subs: Subscription[] = [];

beforeAll(async () => {
  world = await startUpstoxStreamWorld();
});
afterEach(async () => {
  for (const s of subs.splice(0)) await s.close();
  world.sim.broker.setFaults(UPSTOX_TRADER.id, { partialFillRate: 0, holdPartialFills: false });
});
afterAll(async () => {
  await world?.close();
  await closeRateGovernor();
  await disconnectRedis();
});

async function subscribe() {
  const updates: OrderUpdate[] = [];
  const errors: Error[] = [];
  const adapter = world.adapter({}, { orderStream: { setupTimeoutMs: 3_000, heartbeatMs: 60_000 } });
  const sub = await adapter.subscribeOrderUpdates!(
    (u) => updates.push(u),
    (e) => errors.push(e),
  );
  subs.push(sub);
  return { adapter, updates, errors };
}

const buy = (i: Instrument, lots = 1): PlaceOrderRequest => ({
  symbol: i.symbol,
  exchange: "NFO",
  action: "BUY",
  quantity: i.lotsize * lots,
  priceType: "MARKET",
  product: "MIS",
  strategy: "stream-test",
});

function placedId(r: { kind: string; orderId?: string }): string {
  expect(r.kind).toBe("accepted");
  return r.orderId!;
}

describe("Upstox subscribeOrderUpdates", () => {
  it("delivers a placement's fill with id, status, filled quantity and the broker's average price", async () => {
    const { adapter, updates, errors } = await subscribe();
    const fut = world.nifty("FUT");
    const id = placedId(await adapter.placeOrder(buy(fut)));
    await vi.waitFor(() => expect(updates.some((u) => u.orderId === id && u.status === "complete")).toBe(true));
    const done = updates.find((u) => u.orderId === id && u.status === "complete")!;
    const book = (await adapter.orders(new Set([id]))).find((o) => o.orderId === id)!;
    expect(done).toMatchObject({
      symbol: fut.symbol,
      exchange: "NFO",
      action: "BUY",
      quantity: fut.lotsize,
      filledQuantity: fut.lotsize,
      pendingQuantity: 0,
      priceType: "MARKET",
      product: "MIS",
      brokerStatus: "complete",
      rejectionReason: null,
      mode: "live",
    });
    expect(done.averagePrice).toBeInstanceOf(Decimal);
    expect(done.averagePrice!.toFixed(2)).toBe(book.averagePrice!.toFixed(2));
    expect(errors).toEqual([]);
  });

  it("delivers a partial fill, then the rest once the simulator lets it fill", async () => {
    const { adapter, updates } = await subscribe();
    world.sim.broker.setFaults(UPSTOX_TRADER.id, { partialFillRate: 1, holdPartialFills: true });
    const fut = world.nifty("FUT");
    const id = placedId(await adapter.placeOrder(buy(fut, 4)));
    const mine = () => updates.filter((u) => u.orderId === id);
    await vi.waitFor(() => expect(mine().some((u) => u.filledQuantity > 0)).toBe(true));
    const partial = mine().find((u) => u.filledQuantity > 0)!;
    expect(partial.status).toBe("open");
    expect(partial.filledQuantity).toBeLessThan(fut.lotsize * 4);
    expect(partial.pendingQuantity).toBe(fut.lotsize * 4 - partial.filledQuantity);
    expect(partial.averagePrice!.gt(0)).toBe(true);
    world.sim.broker.setFaults(UPSTOX_TRADER.id, { holdPartialFills: false });
    await vi.waitFor(() =>
      expect(mine().at(-1)).toMatchObject({ status: "complete", filledQuantity: fut.lotsize * 4 }),
    );
  });

  it("delivers a rejection with the exchange's reason", async () => {
    const { adapter, updates } = await subscribe();
    const fut = world.nifty("FUT");
    const lots = Math.floor(fut.freezeQty / fut.lotsize) + 1;
    const r = await adapter.placeOrder(buy(fut, lots));
    expect(r.kind).toBe("rejected");
    await vi.waitFor(() => expect(updates.some((u) => u.status === "rejected")).toBe(true));
    const rejected = updates.find((u) => u.status === "rejected")!;
    expect(rejected).toMatchObject({ symbol: fut.symbol, quantity: fut.lotsize * lots, filledQuantity: 0 });
    expect(rejected.rejectionReason).toMatch(/freeze/i);
    const booked = (await adapter.orders()).filter((o) => o.status === "rejected");
    expect(booked.map((o) => o.orderId)).toEqual([rejected.orderId]);
  });

  it("reports a dropped stream through onError", async () => {
    const { errors } = await subscribe();
    await control(world.sim.httpUrl, "POST", "/ws/drop", { instanceId: UPSTOX_TRADER.id });
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toBeInstanceOf(BrokerUnavailableError);
  });
});
