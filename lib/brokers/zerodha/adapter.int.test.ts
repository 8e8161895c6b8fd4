/**
 * The Zerodha adapter against the simulator's Kite front-end over real HTTP, through the official SDK and the real
 * Redis rate governor, after a login through the connector's own login flow.
 */
import { afterAll } from "vitest";
import { runBrokerConformance } from "@/lib/brokers/conformance";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import { disconnectRedis } from "@/lib/redis";
import { startKiteWorld } from "@/lib/testing/zerodha-sim-kit";

afterAll(async () => {
  await closeRateGovernor();
  await disconnectRedis();
});

runBrokerConformance("zerodha vs simulator", async () => {
  const world = await startKiteWorld("kconf", 11);
  const session = await world.login();
  return {
    adapter: world.adapter(session),
    badKeyAdapter: world.adapter({ ...session, accessToken: "not-the-access-token" }),
    close: () => world.sim.close(),
  };
});
