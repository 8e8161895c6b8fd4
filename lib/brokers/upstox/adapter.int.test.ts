/**
 * The Upstox adapter against the simulator's Upstox front-end over real HTTP, through the real Redis rate governor,
 * logged in through the connector's own login flow.
 */
import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import { runBrokerConformance } from "@/lib/brokers/conformance";
import { closeRateGovernor, RateGovernor } from "@/lib/brokers/rate-governor";
import { disconnectRedis } from "@/lib/redis";
import { startSimulator } from "@/lib/simulator/server/start-simulator";
import { loginViaSimulator } from "@/lib/testing/upstox-sim-login";
import { createUpstoxAdapter } from "./adapter";

afterAll(async () => {
  await closeRateGovernor();
  await disconnectRedis();
});

runBrokerConformance("upstox vs simulator", async () => {
  const sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: "upstox-conformance",
    seed: 11,
    clock: { mode: "fixed" },
    alwaysOpen: true,
    instances: [{ id: "upx", apiKey: "upx-key-0001", capital: "1000000" }],
  });
  const now = () => sim.market.clock.now();
  const app = { hostUrl: `${sim.httpUrl}/upstox`, apiKey: "upx-key-0001", apiSecret: "sim-secret-upx" };
  const session = await loginViaSimulator(app, now);
  const gate = new RateGovernor({ keyPrefix: `md:test-upstox-conformance:${randomUUID()}` });
  const config = { accountId: "upx", ...app };
  return {
    adapter: createUpstoxAdapter({ ...config, session }, { gate, now }),
    badKeyAdapter: createUpstoxAdapter(
      { ...config, session: { ...session, accessToken: "not-the-token" } },
      { gate, now },
    ),
    close: () => sim.close(),
  };
});
