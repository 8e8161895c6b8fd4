/**
 * The Fyers adapter's order updates against the simulator's Fyers order socket (real sockets, a login through the
 * simulator's pages): placements, partial fills and rejections arrive normalised; drops, stalls and refused tokens
 * are reported, typed, and never name the token.
 */
import type { LookupFunction } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createFyersAdapter } from "@/lib/brokers/fyers/adapter";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerAdapter, OrderUpdate, PlaceOrderRequest } from "@/lib/brokers/types";
import { type BrokerSessionTokens, LoginRequiredError } from "@/lib/brokers/login";
import { BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { FYERS_APP_ID, loginViaSim, simGate, startFyersSim } from "@/lib/testing/fyers-kit";

let sim: RunningSimulator;
let session: BrokerSessionTokens;
let adapter: BrokerAdapter;
let future: PlaceOrderRequest;

const make = (s: BrokerSessionTokens, stream?: { heartbeatMs?: number }) =>
  createFyersAdapter(
    { accountId: "fyers-stream", hostUrl: `${sim.httpUrl}/fyers`, apiKey: FYERS_APP_ID, session: s },
    { gate: simGate(), now: () => sim.market.clock.now(), stream },
  );

const control = (path: string, body: unknown) =>
  fetch(`${sim.httpUrl}/_sim${path}`, {
    method: "POST",
    headers: { Authorization: "Bearer fyers-admin", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });

beforeAll(async () => {
  sim = await startFyersSim();
  session = (await loginViaSim(sim)).session;
  adapter = make(session);
  const [expiry] = await adapter.expiries("NIFTY", "NFO", "futures");
  const fut = (await adapter.searchSymbols("NIFTY", "NFO")).find(
    (s) => s.instrumentType === "FUT" && s.expiry === expiry,
  )!;
  future = {
    symbol: fut.symbol,
    exchange: "NFO",
    action: "BUY",
    quantity: fut.lotSize,
    priceType: "MARKET",
    product: "NRML",
    strategy: "stream",
  };
});
afterAll(async () => {
  await adapter?.close();
  await sim?.close();
  await closeRateGovernor();
  await disconnectRedis();
});

async function placed(order: PlaceOrderRequest): Promise<string> {
  const r = await adapter.placeOrder(order);
  if (r.kind === "unknown") throw new Error("placement answer lost");
  return r.orderId!;
}

describe("fyers order updates", () => {
  it("delivers a placement's fill once, with the order book's id, quantities and average price", async () => {
    const updates: OrderUpdate[] = [];
    const errors: Error[] = [];
    const sub = await adapter.subscribeOrderUpdates!(
      (u) => updates.push(u),
      (e) => errors.push(e),
    );
    const id = await placed(future);
    await vi.waitFor(() => expect(updates.some((u) => u.orderId === id && u.status === "complete")).toBe(true));
    const done = updates.filter((u) => u.orderId === id && u.status === "complete");
    expect(done).toHaveLength(1);
    const book = await adapter.orderStatus(id, future.strategy);
    expect(done[0]).toMatchObject({
      orderId: id,
      symbol: future.symbol,
      exchange: "NFO",
      action: "BUY",
      quantity: future.quantity,
      filledQuantity: future.quantity,
      pendingQuantity: 0,
      priceType: "MARKET",
      product: "NRML",
      brokerStatus: "traded",
      rejectionReason: null,
      mode: "live",
    });
    expect(done[0].averagePrice?.toFixed(2)).toBe(book!.averagePrice!.toFixed(2));
    await sub.close();
    expect(errors).toEqual([]);
  });

  it("delivers a partial fill, then the rest, and a rejection with its reason", async () => {
    const updates: OrderUpdate[] = [];
    const sub = await adapter.subscribeOrderUpdates!(
      (u) => updates.push(u),
      () => undefined,
    );
    sim.broker.setFaults("fy1", { partialFillRate: 1, holdPartialFills: true });
    const qty = future.quantity * 2;
    const id = await placed({ ...future, quantity: qty });
    await vi.waitFor(() =>
      expect(updates.some((u) => u.orderId === id && u.filledQuantity > 0 && u.status === "open")).toBe(true),
    );
    const part = updates.find((u) => u.orderId === id && u.filledQuantity > 0)!;
    expect(part.filledQuantity).toBeLessThan(qty);
    expect(part.pendingQuantity).toBe(qty - part.filledQuantity);
    expect(part.averagePrice?.gt(0)).toBe(true);
    sim.broker.setFaults("fy1", { holdPartialFills: false, partialFillRate: 0 });
    await vi.waitFor(() =>
      expect(updates.some((u) => u.orderId === id && u.status === "complete" && u.filledQuantity === qty)).toBe(true),
    );

    // Above the exchange's freeze quantity: refused by the exchange, announced on the socket.
    const refused = await adapter.placeOrder({ ...future, quantity: future.quantity * 28 });
    expect(refused.kind).toBe("rejected");
    await vi.waitFor(() => expect(updates.some((u) => u.status === "rejected")).toBe(true));
    const rej = updates.find((u) => u.status === "rejected")!;
    expect(rej).toMatchObject({ filledQuantity: 0, pendingQuantity: 0, brokerStatus: "rejected" });
    expect(rej.rejectionReason).toMatch(/freeze/);
    await sub.close();
  });

  it("reports a dropped socket through onError", async () => {
    const errors: Error[] = [];
    await adapter.subscribeOrderUpdates!(
      () => undefined,
      (e) => errors.push(e),
    );
    const res = await control("/ws/drop", {});
    expect(((await res.json()) as { dropped: number }).dropped).toBeGreaterThan(0);
    await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0));
    expect(errors[0]).toBeInstanceOf(BrokerUnavailableError);
  });

  it("ends a stalled stream when its pong does not come", async () => {
    const quick = make(session, { heartbeatMs: 200 });
    const errors: Error[] = [];
    await quick.subscribeOrderUpdates!(
      () => undefined,
      (e) => errors.push(e),
    );
    expect((await control("/ws/stall", { stalled: true })).status).toBe(200);
    try {
      await vi.waitFor(() => expect(errors.length).toBeGreaterThan(0), { timeout: 5_000 });
      expect(errors[0]).toBeInstanceOf(BrokerUnavailableError);
      expect((errors[0] as BrokerUnavailableError).reason).toBe("timeout");
    } finally {
      await control("/ws/stall", { stalled: false });
      await quick.close();
    }
  });

  it("refuses a wrong token as an auth error that does not name it", async () => {
    const forged = make({ ...session, accessToken: "eyJforged-socket-token" });
    const e = await forged.subscribeOrderUpdates!(
      () => undefined,
      () => undefined,
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BrokerAuthError);
    expect(`${(e as Error).message} ${JSON.stringify(e)}`).not.toContain("eyJforged-socket-token");
    await forged.close();
  });

  it("resolves the socket's host through the host policy's lookup", async () => {
    const asked: string[] = [];
    const lookup = ((host: string, _opts: unknown, cb: (...a: unknown[]) => void) => {
      asked.push(host);
      cb(null, [{ address: "127.0.0.1", family: 4 }]);
    }) as unknown as LookupFunction;
    // A name no resolver knows: only the policy's lookup can reach the simulator under it.
    const hostUrl = `${sim.httpUrl.replace("127.0.0.1", "fyers-sim.invalid")}/fyers`;
    const viaPolicy = createFyersAdapter(
      { accountId: "fyers-lookup", hostUrl, apiKey: FYERS_APP_ID, session },
      { gate: simGate(), now: () => sim.market.clock.now(), transport: { lookup } },
    );
    await viaPolicy.positions();
    asked.length = 0;
    const sub = await viaPolicy.subscribeOrderUpdates!(
      () => undefined,
      () => undefined,
    );
    expect(asked).toContain("fyers-sim.invalid");
    await sub.close();
    await viaPolicy.close();
  });

  it("sends nothing once the day's session has expired: the trader must log in again", async () => {
    expect((await control("/clock", { advanceMs: 24 * 3_600_000 })).status).toBe(200);
    await expect(
      adapter.subscribeOrderUpdates!(
        () => undefined,
        () => undefined,
      ),
    ).rejects.toBeInstanceOf(LoginRequiredError);
  });
});
