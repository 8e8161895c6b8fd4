/**
 * The broker-neutral fault-conformance suite (lib/brokers/conformance-faults.ts) against the simulator's Fyers
 * front-end: every step gets a fresh simulated account, logged in through the simulator's own login pages.
 */
import { afterAll, beforeAll } from "vitest";
import { runBrokerFaultConformance } from "@/lib/brokers/conformance-faults";
import { closeRateGovernor, type RateGovernor } from "@/lib/brokers/rate-governor";
import { disconnectRedis } from "@/lib/redis";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { FYERS_REDIRECT, fyersApp, loginViaSim, simGate, startFyersSim } from "@/lib/testing/fyers-kit";
import { createFyersAdapter } from "./adapter";

let sim: RunningSimulator;
let gate: RateGovernor;
let made = 0;

beforeAll(async () => {
  sim = await startFyersSim();
  gate = simGate();
});
afterAll(async () => {
  await sim?.close();
  await closeRateGovernor();
  await disconnectRedis();
});

runBrokerFaultConformance("fyers vs simulator", async ({ timeouts }) => {
  const id = `fyf${++made}`;
  // Fyers app ids look like `XXXXXXXXXX-100`; the instance's OpenAlgo key doubles as the app id.
  const apiKey = `SIMFAULT${String(made).padStart(2, "0")}-100`;
  sim.broker.createInstance({ id, apiKey, capital: "1000000", redirectUrl: FYERS_REDIRECT });
  const app = fyersApp(sim, { apiKey, apiSecret: `sim-secret-${id}` });
  const { session } = await loginViaSim(sim, app, `state-${id}`);
  return {
    // As the registry's entry does: the suite's timeouts are the transport's.
    adapter: createFyersAdapter(
      { accountId: id, hostUrl: app.hostUrl, apiKey, session },
      {
        gate,
        now: () => sim.market.clock.now(),
        transport: { connectTimeoutMs: timeouts?.connectMs, responseTimeoutMs: timeouts?.responseMs },
      },
    ),
    sim,
    instanceId: id,
    adminToken: "fyers-admin",
    close: async () => void sim.broker.removeInstance(id),
  };
});
