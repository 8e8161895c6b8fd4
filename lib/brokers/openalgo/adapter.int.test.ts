/**
 * The OpenAlgo adapter against the exchange simulator over real HTTP, through the real Redis rate governor, in
 * both number flavours: live-broker strings (live mode) and sandbox floats (analyzer mode).
 */
import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { runBrokerConformance } from "@/lib/brokers/conformance";
import { closeRateGovernor, RateGovernor } from "@/lib/brokers/rate-governor";
import { createAdapter } from "@/lib/brokers/registry";
import { disconnectRedis } from "@/lib/redis";
import { startSimulator } from "@/lib/simulator/server/simulator";

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
      instances: [{ id: "conf", apiKey: "conf-key-0001", capital: "1000000", numbers: flavour.numbers, mode: flavour.mode }],
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
