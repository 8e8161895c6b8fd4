/**
 * The Dhan adapter's order-update stream against the simulator's Dhan Live Order Update socket (real WebSocket,
 * session from the connector's own login): placements, partial and full fills and rejections arrive with the order
 * book's numbers; a dropped socket is reported.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerAdapter, OrderUpdate, Subscription } from "@/lib/brokers/types";
import { BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import { dhanStreams } from "@/lib/simulator/native/dhan/streams";
import { type DhanSim, startDhanSim } from "@/lib/testing/dhan-kit";
import { createDhanAdapter } from "./adapter";

const ID = "dorders";
let d: DhanSim;
let adapter: BrokerAdapter;
let accessToken = "";

beforeAll(async () => {
  d = await startDhanSim(ID);
  const { session } = await d.login();
  accessToken = session.accessToken;
  const config = { accountId: "dhan-orders", hostUrl: d.app.hostUrl, apiKey: d.app.apiKey, clientId: ID, session };
  adapter = createDhanAdapter(config, { gate: d.gate, now: d.now });
});
afterAll(async () => {
  await adapter?.close();
  await d?.sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

async function control(path: string, body: unknown = {}) {
  const res = await fetch(`${d.sim.httpUrl}/_sim${path}`, {
    method: "POST",
    headers: { Authorization: "Bearer dhan-admin", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

async function subscribe() {
  const updates: OrderUpdate[] = [];
  const errors: Error[] = [];
  const sub: Subscription = await adapter.subscribeOrderUpdates!(
    (u) => updates.push(u),
    (e) => errors.push(e),
  );
  return { sub, updates, errors };
}

async function place(symbol: string, exchange: "NSE" | "NFO", quantity: number) {
  const r = await adapter.placeOrder({
    symbol,
    exchange,
    action: "BUY",
    quantity,
    priceType: "MARKET",
    product: "MIS",
    strategy: "stream-test",
  });
  return r;
}

describe("Dhan order updates", () => {
  it("delivers a placement's fill with the order book's numbers, once", async () => {
    const { sub, updates, errors } = await subscribe();
    expect(dhanStreams(d.sim.broker).orders.size).toBe(1);
    const r = await place("SBIN", "NSE", 3);
    expect(r.kind).toBe("accepted");
    const id = r.kind === "accepted" ? r.orderId : "";
    await vi.waitFor(() => expect(updates.some((u) => u.orderId === id && u.status === "complete")).toBe(true));
    const done = updates.filter((u) => u.orderId === id && u.status === "complete");
    expect(done).toHaveLength(1);
    const book = (await adapter.orderStatus(id, "stream-test"))!;
    expect(done[0]).toMatchObject({
      symbol: "SBIN",
      exchange: "NSE",
      action: "BUY",
      quantity: 3,
      filledQuantity: 3,
      pendingQuantity: 0,
      priceType: "MARKET",
      product: "MIS",
      brokerStatus: "TRADED",
      rejectionReason: null,
      mode: "live",
    });
    expect(book.averagePrice).not.toBeNull();
    expect(done[0].averagePrice!.eq(book.averagePrice!)).toBe(true);
    await sub.close();
    expect(errors).toEqual([]);
  });

  it("delivers a partial fill, then the rest", async () => {
    await control(`/instances/${ID}/faults`, { partialFillRate: 1, holdPartialFills: true });
    const { sub, updates } = await subscribe();
    const ce = d.sim.market.instruments("NFO").find((i) => i.name === "NIFTY" && i.instrumenttype === "CE")!;
    const r = await place(ce.symbol, "NFO", 130);
    const id = r.kind === "accepted" ? r.orderId : "";
    await vi.waitFor(() => expect(updates.find((u) => u.orderId === id && u.filledQuantity > 0)).toBeDefined());
    const part = updates.find((u) => u.orderId === id && u.filledQuantity > 0)!;
    expect(part).toMatchObject({ symbol: ce.symbol, exchange: "NFO", status: "open", brokerStatus: "PART_TRADED" });
    expect(part.filledQuantity).toBeLessThan(130);
    expect(part.pendingQuantity).toBe(130 - part.filledQuantity);
    await control(`/instances/${ID}/faults`, { partialFillRate: 0, holdPartialFills: false });
    await vi.waitFor(() => expect(updates.find((u) => u.orderId === id && u.status === "complete")).toBeDefined());
    const done = updates.find((u) => u.orderId === id && u.status === "complete")!;
    expect(done).toMatchObject({ filledQuantity: 130, pendingQuantity: 0 });
    expect(done.averagePrice!.eq((await adapter.orderStatus(id, "stream-test"))!.averagePrice!)).toBe(true);
    await sub.close();
  });

  it("delivers a rejection with its reason", async () => {
    const { sub, updates } = await subscribe();
    const ce = d.sim.market.instruments("NFO").find((i) => i.name === "NIFTY" && i.instrumenttype === "PE")!;
    // Above NIFTY's freeze quantity: the exchange refuses it.
    const r = await place(ce.symbol, "NFO", 65 * 28);
    expect(r.kind).toBe("rejected");
    await vi.waitFor(() => expect(updates.find((u) => u.status === "rejected")).toBeDefined());
    const rejected = updates.find((u) => u.status === "rejected")!;
    expect(rejected).toMatchObject({ symbol: ce.symbol, quantity: 1820, filledQuantity: 0, brokerStatus: "REJECTED" });
    expect(rejected.rejectionReason).toMatch(/freeze/i);
    if (r.kind === "rejected" && r.orderId) expect(rejected.orderId).toBe(r.orderId);
    await sub.close();
  });

  it("reports a dropped socket through onError", async () => {
    const { errors } = await subscribe();
    await control("/ws/drop");
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toBeInstanceOf(BrokerUnavailableError);
  });

  it("refuses a wrong token with an auth error", async () => {
    const config = { accountId: "dhan-orders", hostUrl: d.app.hostUrl, apiKey: d.app.apiKey, clientId: ID };
    const session = { accessToken: `${accessToken}x`, expiresAt: new Date(d.now() + 3_600_000) };
    const bad = createDhanAdapter({ ...config, session }, { gate: d.gate, now: d.now });
    await expect(
      bad.subscribeOrderUpdates!(
        () => {},
        () => {},
      ),
    ).rejects.toBeInstanceOf(BrokerAuthError);
  });
});
