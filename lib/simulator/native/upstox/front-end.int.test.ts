/**
 * The simulator's Upstox front-end: its own per-second limits answering Upstox's 429, the instance's faults as the
 * connector sees them, and the BOD master's format (weekly flags, units, expiry instants, symbols).
 */
import { randomUUID } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeRateGovernor, RateGovernor } from "@/lib/brokers/rate-governor";
import { createUpstoxAdapter } from "@/lib/brokers/upstox/adapter";
import { BrokerUnavailableError, RateLimitedError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import { startSimulator, type RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { loginViaSimulator } from "@/lib/testing/upstox-sim-login";
import { UPSTOX_SIM_LIMITS } from "./front-end";

let sim: RunningSimulator;
let base = "";
const app = () => ({ hostUrl: base, apiKey: "fe-key-0001", apiSecret: "sim-secret-fe" });
const now = () => sim.market.clock.now();
const gate = new RateGovernor({ keyPrefix: `md:test-upstox-fe:${randomUUID()}` });

beforeAll(async () => {
  sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: "upstox-fe",
    seed: 9,
    clock: { mode: "fixed" },
    alwaysOpen: true,
    instances: [{ id: "fe", apiKey: "fe-key-0001", capital: "1000000" }],
  });
  base = `${sim.httpUrl}/upstox`;
});
afterAll(async () => {
  await sim?.close();
  await closeRateGovernor();
  await disconnectRedis();
});

describe("upstox front-end", () => {
  it("answers Upstox's 429 past the per-second order budget, and keeps the other budget apart", async () => {
    const limited = await startSimulator({
      httpPort: 0,
      wsPort: 0,
      adminToken: "upstox-fe-429",
      seed: 9,
      clock: { mode: "fixed" },
      alwaysOpen: true,
      // Every request falls in the same rate-limit second: the limit is reached by count, not by timing.
      rateLimitNow: () => 1_000,
      instances: [{ id: "fe", apiKey: "fe-key-0001", capital: "1000000" }],
    });
    try {
      const hostUrl = `${limited.httpUrl}/upstox`;
      const { accessToken } = await loginViaSimulator({ ...app(), hostUrl }, () => limited.market.clock.now());
      const headers = { Authorization: `Bearer ${accessToken}`, Accept: "application/json" };
      const statuses: number[] = [];
      for (let i = 0; i <= UPSTOX_SIM_LIMITS.order; i++) {
        const r = await fetch(`${hostUrl}/v2/order/cancel?order_id=4242${i}`, { method: "DELETE", headers });
        statuses.push(r.status);
        if (r.status === 429)
          expect(await r.json()).toMatchObject({ status: "error", errors: [{ error_code: "UDAPI10005" }] });
        else await r.body?.cancel();
      }
      expect(statuses).toEqual([...Array(UPSTOX_SIM_LIMITS.order).fill(400), 429]);
      expect((await fetch(`${hostUrl}/v2/user/profile`, { headers })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it("the instance's faults reach the connector as typed errors, placing nothing", async () => {
    const session = await loginViaSimulator(app(), now);
    const adapter = createUpstoxAdapter({ accountId: "fe", ...app(), session }, { gate, now });
    const fut = sim.market.instruments().find((i) => i.instrumenttype === "FUT" && i.underlying === "BANKNIFTY")!;
    const order = {
      symbol: fut.symbol,
      exchange: "NFO" as const,
      action: "BUY" as const,
      quantity: fut.lotsize,
      priceType: "MARKET" as const,
      product: "MIS" as const,
      strategy: "faults",
    };
    const received = () => sim.broker.receivedOrders("fe").length;
    const before = received();
    try {
      sim.broker.setFaults("fe", { burst429Remaining: 1 });
      await expect(adapter.placeOrder(order)).rejects.toBeInstanceOf(RateLimitedError);
      sim.broker.setFaults("fe", { http500Rate: 1 });
      await expect(adapter.orders()).rejects.toBeInstanceOf(BrokerUnavailableError);
      // A 500 may come after a real broker took the order: unknown, never rejected.
      expect((await adapter.placeOrder(order)).kind).toBe("unknown");
      expect(received()).toBe(before);
    } finally {
      sim.broker.setFaults("fe", { http500Rate: 0, burst429Remaining: 0 });
    }
    expect((await adapter.placeOrder(order)).kind).toBe("accepted");
    expect(received()).toBe(before + 1);
    await adapter.close();
  });

  it("serves the BOD master in Upstox's format", async () => {
    const res = await fetch(`${base}/market-quote/instruments/exchange/complete.json.gz`);
    const rows = JSON.parse(gunzipSync(Buffer.from(await res.arrayBuffer())).toString("utf8")) as Record<
      string,
      unknown
    >[];
    const options = rows.filter(
      (r) => r.segment === "NSE_FO" && r.underlying_symbol === "NIFTY" && r.instrument_type === "CE",
    );
    const expiries = [...new Set(options.map((r) => Number(r.expiry)))].sort((a, b) => a - b);
    for (const ms of expiries) {
      expect(new Date(ms).toISOString().slice(11, 19)).toBe("18:29:59");
      const month = new Date(ms).toISOString().slice(0, 7);
      const lastOfMonth = Math.max(...expiries.filter((e) => new Date(e).toISOString().startsWith(month)));
      for (const r of options.filter((o) => o.expiry === ms)) expect(r.weekly).toBe(ms !== lastOfMonth);
    }
    expect(options.some((r) => r.weekly === true)).toBe(true);
    const ce = options[0];
    expect(ce).toMatchObject({ tick_size: 5, lot_size: 65, minimum_lot: 65, underlying_key: "NSE_INDEX|Nifty 50" });
    expect(String(ce.trading_symbol)).toMatch(/^NIFTY \d+ CE \d{2} [A-Z]{3} \d{2}$/);
    expect(String(ce.instrument_key)).toBe(`NSE_FO|${ce.exchange_token}`);
    expect(rows.find((r) => r.instrument_key === "BSE_INDEX|SENSEX")).toMatchObject({ trading_symbol: "SENSEX" });
  });
});
