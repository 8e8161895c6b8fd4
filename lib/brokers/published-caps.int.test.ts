/**
 * Every direct kind's declared order caps, enforced through its real adapter against the simulator's front-end of
 * that broker: with a cap one call short of spent, one order reaches the simulator and the next is refused with
 * RateLimitedError naming the cap, without reaching it (the simulator's received orders are counted).
 *
 * A cap is brought to one short of spent by writing the calls it already holds into its Redis window (the governor's
 * own key), stamped with Redis' clock: a minute or a day of orders is not placed for real, and the window stays spent
 * for the whole test, so nothing depends on timing.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAngelAdapter } from "@/lib/brokers/angel/adapter";
import { ANGEL_PUBLISHED } from "@/lib/brokers/angel/limits";
import { createDhanAdapter } from "@/lib/brokers/dhan/adapter";
import { DHAN_PUBLISHED } from "@/lib/brokers/dhan/limits";
import { createFyersAdapter } from "@/lib/brokers/fyers/adapter";
import { FYERS_PUBLISHED } from "@/lib/brokers/fyers/limits";
import { describeWindow, type PublishedLimits, type PublishedWindow } from "@/lib/brokers/published-limits";
import { closeRateGovernor, RateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerSessionTokens } from "@/lib/brokers/login";
import type { BrokerAdapter, PlaceOrderRequest } from "@/lib/brokers/types";
import { createUpstoxAdapter } from "@/lib/brokers/upstox/adapter";
import { UPSTOX_PUBLISHED } from "@/lib/brokers/upstox/limits";
import { createZerodhaAdapter } from "@/lib/brokers/zerodha/adapter";
import { ZERODHA_PUBLISHED } from "@/lib/brokers/zerodha/limits";
import { RateLimitedError } from "@/lib/errors";
import { disconnectRedis, redis } from "@/lib/redis";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { startSimulator } from "@/lib/simulator/server/start-simulator";
import { istInstant } from "@/lib/trading/calendar";
import { futureSymbol } from "@/lib/trading/symbols";
import { addAngelAccount, loginAngel, startAngelSimulator } from "@/lib/testing/angel-kit";
import { startDhanSim } from "@/lib/testing/dhan-kit";
import { FYERS_APP_ID, loginViaSim, simGate, startFyersSim } from "@/lib/testing/fyers-kit";
import { loginViaSimulator } from "@/lib/testing/upstox-sim-login";
import { startKiteWorld } from "@/lib/testing/zerodha-sim-kit";

/** One simulated broker account, and adapters on it under any account id (each id has budgets of its own). */
interface CapWorld {
  sim: RunningSimulator;
  instanceId: string;
  gate: RateGovernor;
  adapter(accountId: string): BrokerAdapter;
}

let conn: Redis;
beforeAll(() => {
  conn = redis().duplicate();
});
afterAll(async () => {
  await conn.quit();
  await closeRateGovernor();
  await disconnectRedis();
});

/** Writes calls into `key` (now, by Redis' clock) until it holds `count`. */
async function fillWindow(key: string, count: number): Promise<void> {
  const [sec, usec] = await conn.time();
  const nowMs = Number(sec) * 1000 + Math.floor(Number(usec) / 1000);
  const missing = count - (await conn.zcard(key));
  for (let i = 0; i < missing; i += 1_000) {
    const batch = Array.from({ length: Math.min(1_000, missing - i) }, (_, j) => [nowMs, `held-${i + j}`]).flat();
    await conn.zadd(key, ...batch);
  }
  await conn.pexpire(key, 120_000);
}

async function anOrder(adapter: BrokerAdapter): Promise<PlaceOrderRequest> {
  const [expiry] = await adapter.expiries("NIFTY", "NFO", "futures");
  const symbol = futureSymbol("NIFTY", expiry);
  const row = (await adapter.searchSymbols(symbol, "NFO")).find((s) => s.symbol === symbol);
  if (!row) throw new Error(`the simulator lists no ${symbol}`);
  return {
    symbol,
    exchange: "NFO",
    action: "BUY",
    quantity: row.lotSize,
    priceType: "MARKET",
    product: "NRML",
    strategy: "caps",
  };
}

/** The caps longer than a second that count orders (per-second caps are the governor's own tests). */
const orderCaps = (published: PublishedLimits) =>
  published.windows.filter((w) => w.calls.includes("order") && w.seconds > 1);

function capSuite(kind: string, published: PublishedLimits, start: () => Promise<CapWorld>) {
  describe(`${kind}: ${published.broker}'s published order caps`, () => {
    let world: CapWorld;
    let order: PlaceOrderRequest;
    const adapters: BrokerAdapter[] = [];
    const adapter = (id: string) => {
      const a = world.adapter(id);
      adapters.push(a);
      return a;
    };
    const received = () => world.sim.broker.receivedOrders(world.instanceId).length;

    beforeAll(async () => {
      world = await start();
      order = await anOrder(adapter(`${kind}-prep`));
    });
    afterAll(async () => {
      await Promise.all(adapters.map((a) => a.close()));
      await world?.sim.close();
    });

    it("declares caps beyond a second", () => expect(orderCaps(published).length).toBeGreaterThan(0));

    it.each(orderCaps(published).map((w): [string, PublishedWindow] => [describeWindow(w), w]))(
      "%s: the last order of the window is sent, the next is refused without reaching the broker",
      async (_, cap) => {
        const accountId = `${kind}-cap-${cap.seconds}`;
        const a = adapter(accountId);
        await fillWindow(world.gate.publishedKey(accountId, cap), cap.limit - 1);
        const before = received();
        expect((await a.placeOrder(order)).kind).toBe("accepted");
        expect(received()).toBe(before + 1);
        const refused = await a.placeOrder(order).then(
          () => null,
          (e: unknown) => e,
        );
        expect(refused).toBeInstanceOf(RateLimitedError);
        expect((refused as Error).message).toContain(`${published.broker}'s ${describeWindow(cap)}`);
        expect(received()).toBe(before + 1);
      },
    );
  });
}

/** A fixed trading morning: sessions' expiries are judged on this clock, never on the wall clock. */
const MORNING = istInstant("2026-12-08", "10:00");

capSuite("zerodha", ZERODHA_PUBLISHED, async () => {
  const w = await startKiteWorld("kcap", 11);
  const session = await w.login();
  const { hostUrl, apiKey, apiSecret } = w.app;
  return {
    sim: w.sim,
    instanceId: "kcap",
    gate: w.gate,
    adapter: (accountId) =>
      createZerodhaAdapter({ accountId, hostUrl, apiKey, apiSecret, session }, { gate: w.gate, now: w.now }),
  };
});

capSuite("upstox", UPSTOX_PUBLISHED, async () => {
  const sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: "upstox-caps-admin",
    seed: 7,
    clock: { mode: "fixed", startAt: MORNING },
    alwaysOpen: true,
  });
  sim.broker.createInstance({ id: "ucap", apiKey: "ucap-key", capital: "1000000" });
  const now = () => sim.market.clock.now();
  const app = { hostUrl: `${sim.httpUrl}/upstox`, apiKey: "ucap-key", apiSecret: "sim-secret-ucap" };
  const session: BrokerSessionTokens = await loginViaSimulator(app, now);
  const gate = new RateGovernor({ keyPrefix: `md:test-caps-upstox:${randomUUID()}` });
  return {
    sim,
    instanceId: "ucap",
    gate,
    adapter: (accountId) => createUpstoxAdapter({ accountId, ...app, session }, { gate, now }),
  };
});

capSuite("fyers", FYERS_PUBLISHED, async () => {
  const sim = await startFyersSim();
  const { session } = await loginViaSim(sim);
  const gate = simGate();
  const now = () => sim.market.clock.now();
  const hostUrl = `${sim.httpUrl}/fyers`;
  return {
    sim,
    instanceId: "fy1",
    gate,
    adapter: (accountId) => createFyersAdapter({ accountId, hostUrl, apiKey: FYERS_APP_ID, session }, { gate, now }),
  };
});

capSuite("dhan", DHAN_PUBLISHED, async () => {
  const d = await startDhanSim("dcap");
  const { session } = await d.login();
  const { hostUrl, apiKey } = d.app;
  return {
    sim: d.sim,
    instanceId: "dcap",
    gate: d.gate,
    adapter: (accountId) =>
      createDhanAdapter({ accountId, hostUrl, apiKey, clientId: "dcap", session }, { gate: d.gate, now: d.now }),
  };
});

capSuite("angel", ANGEL_PUBLISHED, async () => {
  const world = addAngelAccount(await startAngelSimulator(MORNING), "acap");
  const session = await loginAngel(world);
  return {
    sim: world.sim,
    instanceId: "acap",
    gate: world.gate,
    adapter: (accountId) =>
      createAngelAdapter({ accountId, ...world.app, session }, { gate: world.gate, now: world.now }),
  };
});
