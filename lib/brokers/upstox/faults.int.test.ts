/**
 * The broker-neutral fault-conformance suite (lib/brokers/conformance-faults.ts) against the simulator's Upstox
 * front-end: every step gets a fresh simulated account, logged in through the connector's own login flow.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { runBrokerFaultConformance } from "@/lib/brokers/conformance-faults";
import { closeRateGovernor, RateGovernor } from "@/lib/brokers/rate-governor";
import { disconnectRedis } from "@/lib/redis";
import { type RunningSimulator, startSimulator } from "@/lib/simulator/server/start-simulator";
import { istInstant } from "@/lib/trading/calendar";
import { loginViaSimulator } from "@/lib/testing/upstox-sim-login";
import { createUpstoxAdapter } from "./adapter";

const ADMIN = "upstox-faults-admin";
let sim: RunningSimulator;
let gate: RateGovernor;
let made = 0;

beforeAll(async () => {
  sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: ADMIN,
    seed: 7,
    // A fixed trading morning: the sessions' expiries are judged on this clock, never on the wall clock.
    clock: { mode: "fixed", startAt: istInstant("2026-12-08", "10:00") },
    alwaysOpen: true,
  });
  gate = new RateGovernor({ keyPrefix: `md:test-upstox-faults:${randomUUID()}` });
});
afterAll(async () => {
  await sim?.close();
  await closeRateGovernor();
  await disconnectRedis();
});

runBrokerFaultConformance("upstox vs simulator", async ({ timeouts }) => {
  const id = `upf${++made}`;
  const apiKey = `${id}-key-${randomUUID()}`;
  sim.broker.createInstance({ id, apiKey, capital: "1000000" });
  const now = () => sim.market.clock.now();
  const app = { hostUrl: `${sim.httpUrl}/upstox`, apiKey, apiSecret: `sim-secret-${id}` };
  const session = await loginViaSimulator(app, now);
  return {
    // As the registry's entry does: the suite's response timeout is the SDK transport's.
    adapter: createUpstoxAdapter(
      { accountId: id, ...app, session },
      { gate, now, transport: { responseMs: timeouts?.responseMs } },
    ),
    sim,
    instanceId: id,
    adminToken: ADMIN,
    close: async () => void sim.broker.removeInstance(id),
  };
});
