/**
 * The Angel One adapter against the simulator's Angel front-end over real HTTP, through the real Redis rate governor,
 * logged in through the connector's own publisher-login flow.
 */
import { afterAll } from "vitest";
import { runBrokerConformance } from "@/lib/brokers/conformance";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import { disconnectRedis } from "@/lib/redis";
import { loginAngel, startAngelWorld } from "@/lib/testing/angel-kit";
import { createAngelAdapter } from "./adapter";

afterAll(async () => {
  await closeRateGovernor();
  await disconnectRedis();
});

runBrokerConformance(
  "angel vs simulator",
  async () => {
    const world = await startAngelWorld("angconf");
    const session = await loginAngel(world);
    const config = { accountId: "angel-conf", hostUrl: world.app.hostUrl, apiKey: world.app.apiKey };
    const options = { gate: world.gate, now: world.now };
    return {
      adapter: createAngelAdapter({ ...config, session }, options),
      badKeyAdapter: createAngelAdapter({ ...config, session: { ...session, accessToken: "eyJnot-a-token" } }, options),
      close: () => world.sim.close(),
    };
  },
  { settleTimeoutMs: 15_000 },
);
