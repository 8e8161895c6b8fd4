/** The shared fault suite against the Zerodha adapter over the simulator's Kite front-end. */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { runBrokerFaultConformance } from "@/lib/brokers/conformance-faults";
import { forgetMasters } from "@/lib/brokers/instruments";
import { closeRateGovernor, RateGovernor } from "@/lib/brokers/rate-governor";
import { disconnectRedis } from "@/lib/redis";
import { type RunningSimulator, startSimulator } from "@/lib/simulator/server/start-simulator";
import { submitLoginPage } from "@/lib/testing/broker-login-kit";
import { createZerodhaAdapter } from "./adapter";
import { zerodhaLogin } from "./login";

const ADMIN = "kite-faults-admin";
const REDIRECT = "http://127.0.0.1:3117/cb";
let sim: RunningSimulator;
let gate: RateGovernor;
let made = 0;

beforeAll(async () => {
  forgetMasters();
  sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: ADMIN,
    seed: 21,
    clock: { mode: "fixed" },
    alwaysOpen: true,
    rateLimitNow: () => performance.now() * 20,
  });
  gate = new RateGovernor({ keyPrefix: `md:test-zerodha-faults:${randomUUID()}` });
});
afterAll(async () => {
  await sim?.close();
  await closeRateGovernor();
  await disconnectRedis();
});

runBrokerFaultConformance(
  "zerodha vs simulator",
  async ({ timeouts }) => {
    const id = `kf${++made}`;
    const apiKey = `${id}-key-${randomUUID().slice(0, 8)}`;
    sim.broker.createInstance({ id, apiKey, capital: "1000000", redirectUrl: REDIRECT });
    const app = { hostUrl: `${sim.httpUrl}/kite`, apiKey, apiSecret: `sim-secret-${id}` };
    const now = () => sim.market.clock.now();
    const { location } = await submitLoginPage(await zerodhaLogin.start(app, { redirectUrl: REDIRECT, state: id }));
    const session = await zerodhaLogin.exchange(app, location.searchParams, REDIRECT, { now });
    return {
      adapter: createZerodhaAdapter({ accountId: id, hostUrl: app.hostUrl, apiKey, session }, { gate, now, timeouts }),
      sim,
      instanceId: id,
      adminToken: ADMIN,
    };
  },
  { responseTimeouts: true },
);
