/**
 * The Dhan adapter against the simulator's native Dhan front-end over real HTTP, through the real Redis rate governor,
 * with a session obtained through the connector's own login.
 */
import { afterAll } from "vitest";
import { runBrokerConformance } from "@/lib/brokers/conformance";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import { disconnectRedis } from "@/lib/redis";
import { startDhanSim } from "@/lib/testing/dhan-kit";
import { createDhanAdapter } from "./adapter";

afterAll(async () => {
  await closeRateGovernor();
  await disconnectRedis();
});

runBrokerConformance("dhan vs simulator", async () => {
  const d = await startDhanSim("dconf");
  const { session } = await d.login();
  const config = { accountId: "dhan-conf", hostUrl: d.app.hostUrl, apiKey: d.app.apiKey, clientId: "dconf" };
  const deps = { gate: d.gate, now: d.now };
  return {
    adapter: createDhanAdapter({ ...config, session }, deps),
    badKeyAdapter: createDhanAdapter({ ...config, session: { ...session, accessToken: "eyJnot-the-token" } }, deps),
    close: () => d.sim.close(),
  };
});
