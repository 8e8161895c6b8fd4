/**
 * The broker-neutral fault-conformance suite (lib/brokers/conformance-faults.ts) against the simulator's Angel One
 * front-end: every step gets a fresh simulated account, logged in through the connector's publisher login.
 */
import { afterAll, beforeAll } from "vitest";
import { runBrokerFaultConformance } from "@/lib/brokers/conformance-faults";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import { disconnectRedis } from "@/lib/redis";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { istInstant } from "@/lib/trading/calendar";
import { addAngelAccount, ANGEL_ADMIN, loginAngel, startAngelSimulator } from "@/lib/testing/angel-kit";
import { createAngelAdapter } from "./adapter";

let sim: RunningSimulator;
let made = 0;

beforeAll(async () => {
  // A fixed trading morning: the sessions' expiries are judged on this clock, never on the wall clock.
  sim = await startAngelSimulator(istInstant("2026-12-08", "10:00"));
});
afterAll(async () => {
  await sim?.close();
  await closeRateGovernor();
  await disconnectRedis();
});

runBrokerFaultConformance("angel vs simulator", async ({ timeouts }) => {
  const id = `anf${++made}`;
  const world = addAngelAccount(sim, id);
  const session = await loginAngel(world, `state-${id}`);
  return {
    // As the registry's entry does: the suite's timeouts are the HTTP client's.
    adapter: createAngelAdapter(
      { accountId: id, ...world.app, session },
      {
        gate: world.gate,
        now: world.now,
        http: { connectTimeoutMs: timeouts?.connectMs, responseTimeoutMs: timeouts?.responseMs },
      },
    ),
    sim,
    instanceId: id,
    adminToken: ANGEL_ADMIN,
    close: async () => void sim.broker.removeInstance(id),
  };
});
