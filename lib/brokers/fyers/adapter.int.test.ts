/**
 * The Fyers adapter against the simulator's Fyers front-end over real HTTP, through the real Redis rate governor,
 * after a login through the simulator's own login pages.
 */
import { afterAll, describe, expect, it } from "vitest";
import { runBrokerConformance } from "@/lib/brokers/conformance";
import { createFyersAdapter } from "@/lib/brokers/fyers/adapter";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import { disconnectRedis } from "@/lib/redis";
import { BrokerAuthError, BrokerUnavailableError, RateLimitedError } from "@/lib/errors";
import { FYERS_APP_ID, FYERS_SECRET, loginViaSim, simGate, startFyersSim } from "@/lib/testing/fyers-kit";

afterAll(async () => {
  await closeRateGovernor();
  await disconnectRedis();
});

runBrokerConformance("fyers vs simulator", async () => {
  const sim = await startFyersSim();
  const { session } = await loginViaSim(sim);
  const gate = simGate();
  const now = () => sim.market.clock.now();
  const config = { accountId: "fyers-conf", hostUrl: `${sim.httpUrl}/fyers`, apiKey: FYERS_APP_ID };
  return {
    adapter: createFyersAdapter({ ...config, session }, { gate, now }),
    badKeyAdapter: createFyersAdapter(
      { ...config, session: { ...session, accessToken: "eyJnot-the-token" } },
      { gate, now },
    ),
    close: () => sim.close(),
  };
});

describe("fyers adapter: a lost placement answer", () => {
  it("is unknown, and the order is in the book exactly once", async () => {
    const sim = await startFyersSim();
    const { session } = await loginViaSim(sim);
    const adapter = createFyersAdapter(
      { accountId: "fyers-lost", hostUrl: `${sim.httpUrl}/fyers`, apiKey: FYERS_APP_ID, session },
      { gate: simGate(), now: () => sim.market.clock.now(), transport: { responseTimeoutMs: 2_000 } },
    );
    try {
      const [future] = await adapter.expiries("NIFTY", "NFO", "futures");
      const symbol = (await adapter.searchSymbols("NIFTY", "NFO")).find(
        (s) => s.instrumentType === "FUT" && s.expiry === future,
      )!;
      sim.broker.setFaults("fy1", { lostResponseRate: 1 });
      const r = await adapter.placeOrder({
        symbol: symbol.symbol,
        exchange: "NFO",
        action: "BUY",
        quantity: symbol.lotSize,
        priceType: "MARKET",
        product: "NRML",
        strategy: "lost",
      });
      expect(r.kind).toBe("unknown");
      sim.broker.setFaults("fy1", { lostResponseRate: 0 });
      const orders = await adapter.orders();
      expect(orders).toHaveLength(1);
      expect(sim.broker.receivedOrders("fy1")).toHaveLength(1);
      expect(orders[0]).toMatchObject({ symbol: symbol.symbol, quantity: symbol.lotSize, status: "complete" });
    } finally {
      await adapter.close();
      await sim.close();
    }
  });
});

describe("fyers adapter: the simulator's faults and refusals, typed", () => {
  it("maps 429 to RateLimitedError, 5xx to unavailable, a refused token to BrokerAuthError, naming no secret", async () => {
    const sim = await startFyersSim();
    const { session } = await loginViaSim(sim);
    const config = {
      accountId: "fyers-faults",
      hostUrl: `${sim.httpUrl}/fyers`,
      apiKey: FYERS_APP_ID,
      apiSecret: FYERS_SECRET,
    };
    const adapter = createFyersAdapter({ ...config, session }, { gate: simGate(), now: () => sim.market.clock.now() });
    const forged = createFyersAdapter(
      { ...config, session: { ...session, accessToken: "eyJforged-token-value" } },
      { gate: simGate(), now: () => sim.market.clock.now() },
    );
    try {
      const [future] = await adapter.expiries("NIFTY", "NFO", "futures");
      const fut = (await adapter.searchSymbols("NIFTY", "NFO")).find(
        (s) => s.instrumentType === "FUT" && s.expiry === future,
      )!;
      const order = {
        symbol: fut.symbol,
        exchange: "NFO" as const,
        action: "BUY" as const,
        quantity: fut.lotSize,
        priceType: "MARKET" as const,
        product: "NRML" as const,
        strategy: "faults",
      };
      sim.broker.setFaults("fy1", { burst429Remaining: 2 });
      await expect(adapter.funds()).rejects.toBeInstanceOf(RateLimitedError);
      await expect(adapter.placeOrder(order)).rejects.toBeInstanceOf(RateLimitedError);
      expect(sim.broker.receivedOrders("fy1")).toHaveLength(0);
      sim.broker.setFaults("fy1", { http500Rate: 1 });
      const down = await adapter.positions().catch((e: unknown) => e);
      expect(down).toBeInstanceOf(BrokerUnavailableError);
      expect((down as BrokerUnavailableError).reason).toBe("server_error");
      // A 5xx on a placement may come after the broker took the order: unknown, never rejected.
      expect((await adapter.placeOrder(order)).kind).toBe("unknown");
      sim.broker.setFaults("fy1", { http500Rate: 0 });
      const errors = [
        await forged.ping().catch((e: unknown) => e),
        await forged.placeOrder(order).catch((e: unknown) => e),
        await forged.cancelOrder("1", "x").catch((e: unknown) => e),
      ];
      for (const e of errors) {
        expect(e).toBeInstanceOf(BrokerAuthError);
        const text = `${(e as Error).message} ${JSON.stringify(e)}`;
        for (const secret of [session.accessToken, "eyJforged-token-value", FYERS_SECRET, session.refreshToken!])
          expect(text).not.toContain(secret);
      }
      expect(sim.broker.receivedOrders("fy1")).toHaveLength(0);
    } finally {
      await adapter.close();
      await forged.close();
      await sim.close();
    }
  });
});
