/**
 * The Fyers adapter against the simulator's Fyers front-end over real HTTP, through the real Redis rate governor,
 * after a login through the simulator's own login pages.
 */
import { afterAll, describe, expect, it } from "vitest";
import { runBrokerConformance } from "@/lib/brokers/conformance";
import { createFyersAdapter } from "@/lib/brokers/fyers/adapter";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import { disconnectRedis } from "@/lib/redis";
import { FYERS_APP_ID, loginViaSim, simGate, startFyersSim } from "@/lib/testing/fyers-kit";

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
