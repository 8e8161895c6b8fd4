/**
 * Compatibility suite, fault knobs (FaultConfig): each does exactly what it says, observed over real HTTP.
 * Server-level: latency + jitter, 500 without acting, lost responses (reset or hang), 429 bursts and random 429s.
 * Engine-level: late RMS rejection, flapping status, partial fills. (WebSocket faults: websocket.int.test.ts.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunningSimulator } from "./start-simulator";
import { ALPHA, control, post, startTestSimulator } from "@/lib/testing/simulator-server-kit";

let sim: RunningSimulator;
let url: string;
const api = (name: string, body: Record<string, unknown>) =>
  post(url, `/api/v1/${name}`, { apikey: ALPHA.apiKey, ...body });
const order = (extra: Record<string, unknown> = {}) =>
  api("placeorder", {
    strategy: "f",
    symbol: "SBIN",
    exchange: "NSE",
    action: "BUY",
    quantity: 1,
    pricetype: "MARKET",
    product: "MIS",
    ...extra,
  });
const faults = (f: Record<string, unknown>) => control(url, "POST", "/instances/alpha/faults", f);
const received = async () =>
  (await control(url, "GET", "/instances/alpha/orders")).json.orders as {
    orderid: string;
    status: string;
    filledQuantity: number;
    rejectionReason: string;
  }[];
const tradedQty = async (orderid: string) =>
  ((await api("tradebook", {})).json.data as { orderid: string; quantity: string }[])
    .filter((t) => t.orderid === orderid)
    .reduce((n, t) => n + Number(t.quantity), 0);
const statusOf = async (orderid: string) => (await api("orderstatus", { strategy: "f", orderid })).json.data;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Reads `read` until `ok` holds (the fault's own timer has fired), or fails after the test's time. */
async function eventually<T>(read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (let v = await read(); ; v = await read()) {
    if (ok(v) || Date.now() > end) return v;
    await sleep(20);
  }
}

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
    // Lower bounds only (a loaded machine adds time, never removes it); the delay's upper end and "none when off"
    // are replyDelayMs's unit tests (faults.test.ts).
    expect(Math.min(...took)).toBeGreaterThanOrEqual(15);
    // Jitter actually varies the delay.
    expect(Math.max(...took) - Math.min(...took)).toBeGreaterThan(5);
    expect((await faults({ latencyMs: 0, jitterMs: 0 })).json.faults).toMatchObject({ latencyMs: 0, jitterMs: 0 });
    expect((await api("ping", {})).status).toBe(200);
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

  it("lostResponseRate (reset, the default) executes the order and drops the connection at once", async () => {
    await faults({ lostResponseRate: 1 });
    const err = await order().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    // A reset, not a timeout (the error's code says which, however long a loaded machine took).
    expect(((err as Error).cause as { code?: string } | undefined)?.code).toMatch(/ECONNRESET|UND_ERR_SOCKET/);
    const orders = await received();
    expect(orders).toHaveLength(1);
    expect(orders[0].status).toBe("complete");
    // Non-order routes are unaffected.
    expect((await api("funds", {})).status).toBe(200);
  });

  it("lostResponseMode hang executes the order and never answers, the connection open until the client times out", async () => {
    await faults({ lostResponseRate: 1, lostResponseMode: "hang" });
    const t0 = performance.now();
    const body = JSON.stringify({
      apikey: ALPHA.apiKey,
      strategy: "f",
      symbol: "SBIN",
      exchange: "NSE",
      action: "BUY",
      quantity: 1,
      pricetype: "MARKET",
      product: "MIS",
    });
    const err = await fetch(`${url}/api/v1/placeorder`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body,
      signal: AbortSignal.timeout(600),
    }).catch((e: unknown) => e);
    // Only the client's own timeout ended the wait: no reset, no answer.
    expect((err as Error).name).toBe("TimeoutError");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(580);
    const orders = await received();
    expect(orders).toHaveLength(1);
    expect(orders[0].status).toBe("complete");
    expect((await api("funds", {})).status).toBe(200);
    await faults({ lostResponseMode: "reset" });
    await expect(order()).rejects.toThrow();
    expect(await received()).toHaveLength(2);
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
  it("late reject: an order that would fill at once (MARKET) is held unfilled, then rejected with the reason", async () => {
    // holdTransitions keeps the rejection back until the test releases it, so "still open" is not a race with
    // lateRejectMs (the timer may well have fired by then; its rejection waits).
    await faults({ lateRejectRate: 1, lateRejectMs: 0, holdTransitions: true });
    const r = await order({ quantity: 5 });
    expect(r.status).toBe(200);
    // Accepted and held: not filled on arrival, not by later ticks.
    expect((await statusOf(r.json.orderid)).order_status).toBe("open");
    await control(url, "POST", "/market/tick");
    await control(url, "POST", "/market/tick");
    expect((await statusOf(r.json.orderid)).order_status).toBe("open");
    expect(await tradedQty(r.json.orderid)).toBe(0);
    expect((await received())[0]).toMatchObject({ status: "open", filledQuantity: 0 });
    await faults({ holdTransitions: false });
    expect(
      (
        await eventually(
          () => statusOf(r.json.orderid),
          (o) => o.order_status !== "open",
        )
      ).order_status,
    ).toBe("rejected");
    expect(await tradedQty(r.json.orderid)).toBe(0);
    const [o] = await received();
    expect(o).toMatchObject({ status: "rejected", filledQuantity: 0 });
    expect(o.rejectionReason).toMatch(/^RMS: order rejected by risk management/);
    // The sandbox's order book shows the reason too (live rows carry none: docs/openalgo.md "Account reads").
    await control(url, "POST", "/instances/alpha/mode", { mode: "analyze" });
    const row = (await api("orderbook", {})).json.data.orders.find(
      (x: { orderid: string }) => x.orderid === r.json.orderid,
    );
    expect(row).toMatchObject({ order_status: "rejected", filled_quantity: "0", rejection_reason: o.rejectionReason });
  });

  it("flap: a filled order first shows rejected, then complete after flapMs", async () => {
    // The flip to complete waits for the release (holdTransitions), so the rejected phase is seen without a race.
    await faults({ flapRate: 1, flapMs: 0, holdTransitions: true });
    const r = await order();
    expect(r.status).toBe(200);
    expect((await statusOf(r.json.orderid)).order_status).toBe("rejected");
    expect(await tradedQty(r.json.orderid)).toBe(0);
    await control(url, "POST", "/market/tick");
    expect((await statusOf(r.json.orderid)).order_status).toBe("rejected");
    expect(await tradedQty(r.json.orderid)).toBe(0);
    await faults({ holdTransitions: false });
    expect(
      (
        await eventually(
          () => statusOf(r.json.orderid),
          (o) => o.order_status !== "rejected",
        )
      ).order_status,
    ).toBe("complete");
    expect(await tradedQty(r.json.orderid)).toBe(1);
  });

  it("partial fill: part fills first, the rest after partialFillMs (seen in the trade book and the control API)", async () => {
    await faults({ partialFillRate: 1, partialFillMs: 200 });
    const r = await order({ quantity: 10 });
    const first = await statusOf(r.json.orderid);
    expect(first.order_status).toBe("open");
    const part = await tradedQty(r.json.orderid);
    expect(part).toBeGreaterThan(0);
    expect(part).toBeLessThan(10);
    expect((await received())[0]).toMatchObject({ status: "open", filledQuantity: part });
    expect(
      (
        await eventually(
          () => statusOf(r.json.orderid),
          (o) => o.order_status !== "open",
        )
      ).order_status,
    ).toBe("complete");
    expect(await tradedQty(r.json.orderid)).toBe(10);
    expect((await received())[0]).toMatchObject({ status: "complete", filledQuantity: 10 });
  });
});
