/** The order-update stream against the simulator's WebSocket proxy (real sockets). */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "@/lib/testing/wait";
import { closeRateGovernor, RateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerAdapter, OrderUpdate } from "@/lib/brokers/types";
import { BrokerAuthError, BrokerUnavailableError, ValidationError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import { type RunningSimulator, startSimulator } from "@/lib/simulator/server/start-simulator";
import { createOpenAlgoAdapter } from "./adapter";

const ADMIN = "stream-admin-token";
const KEY = "stream-key-0001";
let sim: RunningSimulator;
let gate: RateGovernor;
let broker: BrokerAdapter;

beforeAll(async () => {
  sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: ADMIN,
    seed: 3,
    clock: { mode: "fixed" },
    alwaysOpen: true,
    instances: [{ id: "s1", apiKey: KEY, capital: "1000000", mode: "analyze", numbers: "number" }],
  });
  gate = new RateGovernor({ keyPrefix: `md:test-stream:${randomUUID()}` });
  broker = createOpenAlgoAdapter(
    { accountId: "stream", hostUrl: `${sim.httpUrl}/i/s1`, wsUrl: sim.wsUrl, apiKey: KEY },
    { gate },
  );
});
afterAll(async () => {
  await broker.close();
  await sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

describe("order updates", () => {
  it("delivers each state of a placed order once, normalised", async () => {
    const updates: OrderUpdate[] = [];
    const errors: Error[] = [];
    const sub = await broker.subscribeOrderUpdates!(
      (u) => updates.push(u),
      (e) => errors.push(e),
    );
    const r = await broker.placeOrder({
      symbol: "SBIN",
      exchange: "NSE",
      action: "BUY",
      quantity: 3,
      priceType: "MARKET",
      product: "MIS",
      strategy: "stream",
    });
    expect(r.kind).toBe("accepted");
    const id = r.kind === "accepted" ? r.orderId : "";
    await waitUntil(
      () => updates.some((u) => u.orderId === id && u.status === "complete"),
      3_000,
      "the complete update",
      20,
    );
    const done = updates.filter((u) => u.orderId === id && u.status === "complete");
    expect(done).toHaveLength(1);
    expect(done[0]).toMatchObject({ filledQuantity: 3, pendingQuantity: 0, mode: "analyze", symbol: "SBIN" });
    expect(done[0].averagePrice?.gt(0)).toBe(true);
    await sub.close();
    expect(errors).toEqual([]);
  });

  it("refuses a wrong key with a typed auth error", async () => {
    const bad = createOpenAlgoAdapter(
      { accountId: "stream", hostUrl: `${sim.httpUrl}/i/s1`, wsUrl: sim.wsUrl, apiKey: "wrong" },
      { gate },
    );
    await expect(
      bad.subscribeOrderUpdates!(
        () => undefined,
        () => undefined,
      ),
    ).rejects.toBeInstanceOf(BrokerAuthError);
    await bad.close();
  });

  it("reports a dropped connection instead of going quiet", async () => {
    const errors: Error[] = [];
    await broker.subscribeOrderUpdates!(
      () => undefined,
      (e) => errors.push(e),
    );
    const res = await fetch(`${sim.httpUrl}/_sim/instances/s1/ws/drop`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ADMIN}` },
    });
    expect(res.status).toBe(200);
    await waitUntil(() => errors.length > 0, 3_000, "a stream error", 20);
    expect(errors[0]).toBeInstanceOf(BrokerUnavailableError);
  });

  it("needs a WebSocket URL", async () => {
    const noWs = createOpenAlgoAdapter({ accountId: "stream", hostUrl: `${sim.httpUrl}/i/s1`, apiKey: KEY }, { gate });
    await expect(
      noWs.subscribeOrderUpdates!(
        () => undefined,
        () => undefined,
      ),
    ).rejects.toBeInstanceOf(ValidationError);
    await noWs.close();
  });
});
