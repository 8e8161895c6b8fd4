/**
 * Test kit (never imported by production code): a simulator with one Kite instance, a login through the connector's
 * own `zerodhaLogin` (start → the simulator's login page → its form → the redirect → exchange), and adapters on it.
 */
import { randomUUID } from "node:crypto";
import { forgetMasters } from "@/lib/brokers/instruments";
import type { BrokerSessionTokens, LoginApp } from "@/lib/brokers/login";
import { RateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { startSimulator, type RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { submitLoginPage } from "@/lib/testing/broker-login-kit";
import { createZerodhaAdapter } from "@/lib/brokers/zerodha/adapter";
import { zerodhaLogin } from "@/lib/brokers/zerodha/login";

export const REDIRECT_URL = "http://127.0.0.1:3119/accounts/zerodha/callback";

export interface KiteWorld {
  sim: RunningSimulator;
  app: LoginApp;
  gate: RateGovernor;
  now: () => number;
  login(state?: string): Promise<BrokerSessionTokens>;
  /** The simulator's account id: every adapter of the world uses it (see `adapter`). */
  accountId: string;
  /**
   * An adapter on the instance. Kite counts its limits per API key, so every adapter of one instance shares one
   * account id and with it one rate budget; separate budgets would let two adapters together exceed Kite's limit.
   */
  adapter(session: BrokerSessionTokens | undefined): BrokerAdapter;
  /** One call of the simulator's control API (`/_sim<path>`); resolves with the HTTP status. */
  control(method: string, path: string, body?: unknown): Promise<number>;
}

export async function startKiteWorld(id = "kite1", seed = 7): Promise<KiteWorld> {
  forgetMasters();
  const apiKey = `${id}-api-key`;
  const adminToken = `${id}-admin`;
  const sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken,
    seed,
    clock: { mode: "fixed" },
    alwaysOpen: true,
    instances: [{ id, apiKey, capital: "1000000", redirectUrl: REDIRECT_URL }],
    // The simulator's rate-limit clock runs twenty times faster than the wall clock (its 1 s windows last 50 ms):
    // the adapters' budget is counted when it is taken and the simulator's when a request arrives, and the limit's
    // own behaviour is tested on a frozen clock (kite-front-end.int.test.ts), so here the limit must never trip.
    rateLimitNow: () => performance.now() * 20,
  });
  const app: LoginApp = { hostUrl: `${sim.httpUrl}/kite`, apiKey, apiSecret: `sim-secret-${id}` };
  const now = () => sim.market.clock.now();
  const accountId = `${id}-account`;
  const gate = new RateGovernor({ keyPrefix: `md:test-zerodha:${randomUUID()}` });
  return {
    sim,
    app,
    gate,
    now,
    async login(state = "state-1") {
      const url = await zerodhaLogin.start(app, { redirectUrl: REDIRECT_URL, state });
      const { location } = await submitLoginPage(url);
      return zerodhaLogin.exchange(app, location.searchParams, REDIRECT_URL, { now });
    },
    accountId,
    adapter(session) {
      return createZerodhaAdapter(
        { accountId, hostUrl: app.hostUrl, apiKey, apiSecret: app.apiSecret, session },
        { gate, now },
      );
    },
    async control(method, path, body) {
      const res = await fetch(`${sim.httpUrl}/_sim${path}`, {
        method,
        headers: { Authorization: `Bearer ${adminToken}`, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      await res.arrayBuffer();
      return res.status;
    },
  };
}
