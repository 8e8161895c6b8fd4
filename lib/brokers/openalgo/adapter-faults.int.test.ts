/**
 * How the OpenAlgo adapter behaves when things go wrong, against the simulator's fault injection over real HTTP.
 * The faults every broker shares (lost answers, 429s, 5xx, late rejections, partial fills, revoked sessions) are the
 * fault-conformance suite's (lib/brokers/conformance-faults.ts), run here in both of OpenAlgo's flavours; the cases
 * below are OpenAlgo's own: slow answers against its transport timeouts, unreachable hosts, sandbox refusals,
 * semi-auto queueing, a base URL without the instance prefix, and the API key kept out of logs and errors.
 */
import { randomUUID } from "node:crypto";
import { createServer } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { runBrokerFaultConformance } from "@/lib/brokers/conformance-faults";
import { closeRateGovernor, RateGovernor } from "@/lib/brokers/rate-governor";
import { createAdapter } from "@/lib/brokers/registry";
import type { BrokerAdapter, PlaceOrderRequest } from "@/lib/brokers/types";
import { BrokerRejectedError, BrokerUnavailableError, ValidationError } from "@/lib/errors";
import { log } from "@/lib/log";
import { disconnectRedis } from "@/lib/redis";
import { type RunningSimulator, startSimulator } from "@/lib/simulator/server/start-simulator";
import { createOpenAlgoAdapter, type OpenAlgoAdapterOptions } from "./adapter";

const ADMIN = "faults-admin-token";
const KEY = "faults-key-0001";
let sim: RunningSimulator;
let gate: RateGovernor;
const opened: BrokerAdapter[] = [];

const BUY_SBIN: PlaceOrderRequest = {
  symbol: "SBIN",
  exchange: "NSE",
  action: "BUY",
  quantity: 1,
  priceType: "MARKET",
  product: "MIS",
  strategy: "faults",
};

function adapter(opts: OpenAlgoAdapterOptions = {}, apiKey = KEY, hostUrl = `${sim.httpUrl}/i/f1`): BrokerAdapter {
  const a = createOpenAlgoAdapter({ accountId: "faults", hostUrl, apiKey }, { gate, ...opts });
  opened.push(a);
  return a;
}

async function control(path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${sim.httpUrl}/_sim${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ADMIN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: ADMIN,
    seed: 5,
    clock: { mode: "fixed" },
    alwaysOpen: true,
    instances: [{ id: "f1", apiKey: KEY, capital: "1000000", numbers: "string" }],
  });
  gate = new RateGovernor({ keyPrefix: `md:test-faults:${randomUUID()}` });
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((a) => a.close()));
  await control("/reset");
});
afterAll(async () => {
  await sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

// Live rows carry no fill details and no rejection text (docs/openalgo.md "Account reads"); sandbox rows carry both.
for (const flavour of [
  { numbers: "string", mode: "live" },
  { numbers: "number", mode: "analyze" },
] as const) {
  let made = 0;
  runBrokerFaultConformance(
    `openalgo vs simulator (${flavour.numbers} numbers, ${flavour.mode})`,
    async ({ timeouts }) => {
      // A fresh instance per step on the file's simulator; its path prefix in the base URL, as in a deployment.
      const id = `fc-${flavour.mode}-${++made}`;
      const apiKey = `${id}-key-${randomUUID()}`;
      sim.broker.createInstance({ id, apiKey, capital: "1000000", numbers: flavour.numbers, mode: flavour.mode });
      return {
        adapter: createAdapter(
          "openalgo",
          { accountId: id, hostUrl: `${sim.httpUrl}/i/${id}`, apiKey },
          { gate, timeouts },
        ),
        sim,
        instanceId: id,
        adminToken: ADMIN,
        close: async () => void sim.broker.removeInstance(id),
      };
    },
    { rejectionReasonInOrderBook: flavour.mode === "analyze" },
  );
}

describe("placeorder is never repeated", () => {
  it("a slow answer times out: unknown for placeorder (the order exists), timeout for reads", async () => {
    const a = adapter({ transport: { responseTimeoutMs: 300 } });
    await control("/instances/f1/faults", { latencyMs: 1_000 });
    const r = await a.placeOrder(BUY_SBIN);
    expect(r).toMatchObject({ kind: "unknown" });
    const err = await a.funds().catch((e: unknown) => e);
    expect((err as BrokerUnavailableError).reason).toBe("timeout");
    await control("/instances/f1/faults", { latencyMs: 0 });
    expect(await a.orders()).toHaveLength(1);
  });

  it("an answer slower than the idle-socket timeout but within the response timeout arrives", async () => {
    const a = adapter({ transport: { idleSocketMs: 300, responseTimeoutMs: 5_000 } });
    await control("/instances/f1/faults", { latencyMs: 800 });
    expect((await a.funds()).cash.gt(0)).toBe(true);
    expect((await a.placeOrder(BUY_SBIN)).kind).toBe("accepted");
  });

  it("an unreachable host throws (nothing can have been placed)", async () => {
    const port = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const a = adapter({}, KEY, `http://127.0.0.1:${port}`);
    const err = await a.placeOrder(BUY_SBIN).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerUnavailableError);
    expect((err as BrokerUnavailableError).reason).toBe("unreachable");
  });

  it("refuses an invalid order before sending it", async () => {
    const a = adapter();
    await expect(a.placeOrder({ ...BUY_SBIN, priceType: "LIMIT" })).rejects.toBeInstanceOf(ValidationError);
    await expect(a.placeOrder({ ...BUY_SBIN, quantity: 1.5 })).rejects.toBeInstanceOf(ValidationError);
    expect(await a.orders()).toHaveLength(0);
  });
});

describe("typed errors", () => {
  it("a refusal the sandbox records is rejected with its order id, matching the rejected row in the book", async () => {
    const a = adapter();
    await control("/instances/f1/mode", { mode: "analyze" });
    const r = await a.placeOrder({ ...BUY_SBIN, action: "SELL", product: "CNC" });
    expect(r).toMatchObject({ kind: "rejected", reason: expect.stringMatching(/^Cannot sell SBIN in CNC/) });
    const id = r.kind === "rejected" ? r.orderId : undefined;
    expect(id).toBeTruthy();
    // orderstatus carries no rejection_reason (docs/openalgo.md "Account reads"); the order book does.
    expect(await a.orderStatus(id!, "faults")).toMatchObject({ status: "rejected" });
    const row = (await a.orders()).find((o) => o.orderId === id);
    expect(row).toMatchObject({ status: "rejected", rejectionReason: r.kind === "rejected" ? r.reason : "" });
  });

  it("semi-auto queueing is unknown with the pending id; cancel is refused with the broker's text", async () => {
    const a = adapter();
    await control("/instances/f1/mode", { mode: "semi_auto" });
    const r = await a.placeOrder(BUY_SBIN);
    expect(r.kind).toBe("unknown");
    expect(r.kind === "unknown" && r.pendingOrderId).toBeTruthy();
    await expect(a.cancelOrder("123", "faults")).rejects.toThrow(BrokerRejectedError);
    await expect(a.cancelOrder("123", "faults")).rejects.toThrow(/Semi-Auto/);
  });

  it("a base URL without the instance prefix reaches no API and says so", async () => {
    const a = adapter({}, KEY, `${sim.httpUrl}/nowhere`);
    const err = await a.funds().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerUnavailableError);
    expect((err as Error).message).toMatch(/check the host URL/);
  });
});

describe("the API key stays secret", () => {
  it("appears in no log line and no error, on success or failure", async () => {
    const logger = log();
    const spies = (["debug", "info", "warn", "error"] as const).map((level) => vi.spyOn(logger, level));
    const errors: unknown[] = [];
    try {
      const a = adapter();
      await a.ping();
      await a.placeOrder(BUY_SBIN);
      await control("/instances/f1/faults", { http500Rate: 1 });
      errors.push(await a.funds().catch((e: unknown) => e));
      await control("/instances/f1/faults", { http500Rate: 0 });
      await control("/instances/f1/revoke");
      errors.push(await a.funds().catch((e: unknown) => e));
      errors.push(
        await adapter({}, KEY, "http://127.0.0.1:1")
          .funds()
          .catch((e: unknown) => e),
      );
      const lines = spies.flatMap((s) => s.mock.calls).map((args) => JSON.stringify(args));
      // Placement and failures are logged (so the check below has something to search)...
      expect(lines.some((l) => l.includes("order placement"))).toBe(true);
      expect(lines.some((l) => l.includes("broker call failed"))).toBe(true);
      expect(lines.every((l) => l.includes("faults"))).toBe(true);
      // ...and neither they nor the errors ever carry the key.
      for (const l of lines) expect(l).not.toContain(KEY);
      expect(errors).toHaveLength(3);
      for (const e of errors) expect(`${(e as Error).message} ${JSON.stringify(e)}`).not.toContain(KEY);
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });
});
