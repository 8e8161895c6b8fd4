/**
 * Compatibility suite, fault knobs (FaultConfig): each does exactly what it says, observed over real HTTP.
 * Server-level: latency + jitter, 500 without acting, lost responses, 429 bursts and random 429s.
 * Engine-level: late RMS rejection, flapping status, partial fills.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "./simulator";
import { ALPHA, control, post, startTestSimulator } from "./test-kit";

let sim: RunningSimulator;
let url: string;
const api = (name: string, body: Record<string, unknown>) => post(url, `/api/v1/${name}`, { apikey: ALPHA.apiKey, ...body });
const order = (extra: Record<string, unknown> = {}) =>
  api("placeorder", { strategy: "f", symbol: "SBIN", exchange: "NSE", action: "BUY", quantity: 1, pricetype: "MARKET", product: "MIS", ...extra });
const faults = (f: Record<string, unknown>) => control(url, "POST", "/instances/alpha/faults", f);
const received = async () => (await control(url, "GET", "/instances/alpha/orders")).json.orders as { orderid: string; status: string }[];
const statusOf = async (orderid: string) => (await api("orderstatus", { strategy: "f", orderid })).json.data;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  sim = await startTestSimulator({ rateLimits: { order: { count: 1000, windowMs: 1000 } } });
  url = sim.httpUrl;
});
afterAll(() => sim.close());
afterEach(async () => {
  await control(url, "POST", "/reset");
});

describe("server-level faults", () => {
  it("latency delays every reply by latencyMs plus jitter in [0, jitterMs)", async () => {
    await faults({ latencyMs: 120 });
    let t0 = performance.now();
    expect((await api("ping", {})).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(115);
    await faults({ latencyMs: 20, jitterMs: 100 });
    const took: number[] = [];
    for (let i = 0; i < 8; i++) {
      t0 = performance.now();
      await api("ping", {});
      took.push(performance.now() - t0);
    }
    expect(Math.min(...took)).toBeGreaterThanOrEqual(15);
    expect(Math.max(...took)).toBeLessThan(250);
    // Jitter actually varies the delay.
    expect(Math.max(...took) - Math.min(...took)).toBeGreaterThan(5);
    await faults({ latencyMs: 0, jitterMs: 0 });
    t0 = performance.now();
    await api("ping", {});
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it("http500Rate answers 500 without acting", async () => {
    await faults({ http500Rate: 1 });
    const r = await order();
    expect(r.status).toBe(500);
    expect(r.text).toBe('{"message": "Internal Server Error"}\n');
    expect(await received()).toHaveLength(0);
    await faults({ http500Rate: 0 });
    expect((await order()).status).toBe(200);
    expect(await received()).toHaveLength(1);
  });

  it("lostResponseRate executes the order but never answers", async () => {
    await faults({ lostResponseRate: 1 });
    await expect(order()).rejects.toThrow();
    const orders = await received();
    expect(orders).toHaveLength(1);
    expect(orders[0].status).toBe("complete");
    // Non-order routes are unaffected.
    expect((await api("funds", {})).status).toBe(200);
  });

  it("burst429Remaining answers exactly the next N requests 429, then resumes", async () => {
    await faults({ burst429Remaining: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await order()).status);
    expect(statuses).toEqual([429, 429, 429, 200]);
    expect(await received()).toHaveLength(1);
    const state = await control(url, "GET", "/instances");
    expect(state.json.instances.find((i: { id: string }) => i.id === "alpha").faults.burst429Remaining).toBe(0);
  });

  it("http429Rate answers 429 with the route's limit text", async () => {
    await faults({ http429Rate: 1 });
    const r = await order();
    expect(r.status).toBe(429);
    expect(r.text).toBe('{"message": "1000 per 1 second"}\n');
    expect(await received()).toHaveLength(0);
  });
});

describe("engine-level faults", () => {
  it("late reject: an accepted order turns rejected after lateRejectMs", async () => {
    await faults({ lateRejectRate: 1, lateRejectMs: 80 });
    const r = await order({ pricetype: "LIMIT", price: 100 });
    expect(r.status).toBe(200);
    expect((await statusOf(r.json.orderid)).order_status).toBe("open");
    await sleep(200);
    expect((await statusOf(r.json.orderid)).order_status).toBe("rejected");
  });

  it("flap: a filled order first shows rejected, then complete after flapMs", async () => {
    await faults({ flapRate: 1, flapMs: 120 });
    const r = await order();
    expect(r.status).toBe(200);
    expect((await statusOf(r.json.orderid)).order_status).toBe("rejected");
    await sleep(250);
    expect((await statusOf(r.json.orderid)).order_status).toBe("complete");
  });

  it("partial fill: part fills first, the rest after partialFillMs", async () => {
    await faults({ partialFillRate: 1, partialFillMs: 120 });
    const r = await order({ quantity: 10 });
    const first = await statusOf(r.json.orderid);
    expect(first.order_status).toBe("open");
    expect(Number(first.filled_quantity ?? 0)).toBeLessThan(10);
    await sleep(250);
    const later = await statusOf(r.json.orderid);
    expect(later.order_status).toBe("complete");
  });
});
