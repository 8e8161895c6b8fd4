/**
 * The OpenAlgo adapter against the exchange simulator over real HTTP, through the real Redis rate governor, in
 * both number flavours: live-broker strings (live mode) and sandbox floats (analyzer mode).
 */
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { runBrokerConformance } from "@/lib/brokers/conformance";
import { closeRateGovernor, RateGovernor } from "@/lib/brokers/rate-governor";
import { createAdapter } from "@/lib/brokers/registry";
import { disconnectRedis } from "@/lib/redis";
import { startSimulator } from "@/lib/simulator/server/start-simulator";

afterAll(async () => {
  await closeRateGovernor();
  await disconnectRedis();
});

for (const flavour of [
  { numbers: "string", mode: "live" },
  { numbers: "number", mode: "analyze" },
] as const) {
  runBrokerConformance(`openalgo vs simulator (${flavour.numbers} numbers, ${flavour.mode})`, async () => {
    const sim = await startSimulator({
      httpPort: 0,
      wsPort: 0,
      adminToken: "conformance-admin",
      seed: 11,
      clock: { mode: "fixed" },
      alwaysOpen: true,
      instances: [
        { id: "conf", apiKey: "conf-key-0001", capital: "1000000", numbers: flavour.numbers, mode: flavour.mode },
      ],
    });
    const gate = new RateGovernor({ keyPrefix: `md:test-conformance:${randomUUID()}` });
    // The base URL carries the instance's path prefix, as a multi-instance deployment does.
    const config = { accountId: `conf-${flavour.numbers}`, hostUrl: `${sim.httpUrl}/i/conf/`, wsUrl: sim.wsUrl };
    return {
      adapter: createAdapter("openalgo", { ...config, apiKey: "conf-key-0001" }, { gate }),
      badKeyAdapter: createAdapter("openalgo", { ...config, apiKey: "not-the-key" }, { gate }),
      close: () => sim.close(),
    };
  });
}

describe("openalgo at a host URL without a path (the usual single OpenAlgo server)", () => {
  it("pings and places orders at ${host}/api/v1, with or without a trailing slash", async () => {
    // Two instances behind one root: the simulator picks the instance by API key, so a call that reached the wrong
    // path (or host) cannot pass.
    const sim = await startSimulator({
      httpPort: 0,
      wsPort: 0,
      adminToken: "root-admin",
      seed: 11,
      alwaysOpen: true,
      instances: [
        { id: "root1", apiKey: "root-key-0001", capital: "1000000" },
        { id: "root2", apiKey: "root-key-0002", capital: "1000000" },
      ],
    });
    const gate = new RateGovernor({ keyPrefix: `md:test-root-url:${randomUUID()}` });
    try {
      for (const [i, hostUrl] of [sim.httpUrl, `${sim.httpUrl}/`].entries()) {
        const adapter = createAdapter(
          "openalgo",
          { accountId: `root-${i}`, hostUrl, apiKey: "root-key-0002" },
          { gate },
        );
        try {
          expect(await adapter.ping()).toMatchObject({ broker: expect.any(String) });
          const placed = await adapter.placeOrder({
            symbol: "SBIN",
            exchange: "NSE",
            action: "BUY",
            quantity: 1,
            priceType: "MARKET",
            product: "MIS",
            strategy: "root",
          });
          expect(placed.kind).toBe("accepted");
          const orderId = placed.kind === "accepted" ? placed.orderId : "";
          expect((await adapter.orders()).map((o) => o.orderId)).toContain(orderId);
        } finally {
          await adapter.close();
        }
      }
      // Both orders went to the instance of the key, none to the other.
      const other = createAdapter(
        "openalgo",
        { accountId: "root-other", hostUrl: `${sim.httpUrl}/i/root1`, apiKey: "root-key-0001" },
        { gate },
      );
      expect(await other.orders()).toEqual([]);
      await other.close();
    } finally {
      await sim.close();
    }
  });
});
