/**
 * The broker-neutral fault-conformance suite (lib/brokers/conformance-faults.ts) against the simulator's Dhan
 * front-end: every step gets a fresh simulated account, logged in through the connector's own login flow.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { runBrokerFaultConformance } from "@/lib/brokers/conformance-faults";
import { closeRateGovernor, RateGovernor } from "@/lib/brokers/rate-governor";
import { disconnectRedis } from "@/lib/redis";
import { type RunningSimulator, startSimulator } from "@/lib/simulator/server/start-simulator";
import { istInstant } from "@/lib/trading/calendar";
import { addDhanAccount } from "@/lib/testing/dhan-kit";
import { createDhanAdapter } from "./adapter";

const ADMIN = "dhan-faults-admin";
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
  gate = new RateGovernor({ keyPrefix: `md:test-dhan-faults:${randomUUID()}` });
});
afterAll(async () => {
  await sim?.close();
  await closeRateGovernor();
  await disconnectRedis();
});

runBrokerFaultConformance("dhan vs simulator", async ({ timeouts }) => {
  const id = `dhf${++made}`;
  const { app, login } = addDhanAccount(sim, id);
  const { session } = await login();
  return {
    adapter: createDhanAdapter(
      { accountId: id, hostUrl: app.hostUrl, apiKey: app.apiKey, clientId: id, session },
      { gate, now: () => sim.market.clock.now(), timeouts },
    ),
    sim,
    instanceId: id,
    adminToken: ADMIN,
    close: async () => void sim.broker.removeInstance(id),
  };
});
