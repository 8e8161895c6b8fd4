/**
 * A simulated Dhan account for tests: a simulator with one instance on a fixed clock, and a login through the
 * connector's own `dhanLogin` as a trader's browser would do it (start → the login page → submit its form → the
 * redirect → exchange).
 */
import { randomUUID } from "node:crypto";
import type { BrokerSessionTokens, LoginApp } from "@/lib/brokers/login";
import { dhanLogin } from "@/lib/brokers/dhan/login";
import { RateGovernor } from "@/lib/brokers/rate-governor";
import { type RunningSimulator, startSimulator } from "@/lib/simulator/server/start-simulator";

export const DHAN_CALLBACK = "http://127.0.0.1:3140/api/brokers/dhan/callback";

export interface DhanSim {
  sim: RunningSimulator;
  app: LoginApp;
  gate: RateGovernor;
  now: () => number;
  /** The registered redirect URL carries the state in its own query (docs/brokers/dhan.md "Login"). */
  login(app?: LoginApp): Promise<{ session: BrokerSessionTokens; callback: URLSearchParams }>;
}

export interface DhanSimOptions {
  faults?: Record<string, unknown>;
  /** The clock the simulator's rate limits count with (default: real time); a frozen one gives exact counts. */
  rateLimitNow?: () => number;
}

export async function startDhanSim(id = "dhan1", opts: DhanSimOptions = {}): Promise<DhanSim> {
  const state = randomUUID();
  const sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: "dhan-admin",
    seed: 11,
    clock: { mode: "fixed" },
    alwaysOpen: true,
    ...(opts.rateLimitNow ? { rateLimitNow: opts.rateLimitNow } : {}),
    instances: [
      {
        id,
        apiKey: `${id}-app-key`,
        capital: "2000000",
        brokerName: "dhan",
        redirectUrl: `${DHAN_CALLBACK}?state=${state}`,
        faults: opts.faults ?? {},
      },
    ],
  });
  const app: LoginApp = {
    hostUrl: `${sim.httpUrl}/dhan/v2`,
    apiKey: `${id}-app-key`,
    apiSecret: `sim-secret-${id}`,
    clientId: id,
  };
  const now = () => sim.market.clock.now();
  return {
    sim,
    app,
    gate: new RateGovernor({ keyPrefix: `md:test-dhan:${randomUUID()}` }),
    now,
    login: (which = app) => loginDhan(which, state, now),
  };
}

/**
 * Adds a funded Dhan account `id` to a running simulator (its app registered with a redirect that carries a state of
 * its own), for suites that want a fresh account per test.
 */
export function addDhanAccount(sim: RunningSimulator, id: string): Pick<DhanSim, "app" | "login"> {
  const state = randomUUID();
  const apiKey = `${id}-app-key-${randomUUID()}`;
  sim.broker.createInstance({
    id,
    apiKey,
    capital: "2000000",
    brokerName: "dhan",
    redirectUrl: `${DHAN_CALLBACK}?state=${state}`,
  });
  const app: LoginApp = { hostUrl: `${sim.httpUrl}/dhan/v2`, apiKey, apiSecret: `sim-secret-${id}`, clientId: id };
  return { app, login: (which = app) => loginDhan(which, state, () => sim.market.clock.now()) };
}

async function loginDhan(
  app: LoginApp,
  state: string,
  now: () => number,
): Promise<{ session: BrokerSessionTokens; callback: URLSearchParams }> {
  const deps = { now };
  const loginUrl = await dhanLogin.start(app, { redirectUrl: DHAN_CALLBACK, state }, deps);
  const page = await fetch(loginUrl);
  const html = await page.text();
  const consentAppId = /name="consentAppId" value="([^"]+)"/.exec(html)?.[1];
  if (!consentAppId || !html.includes(">Log in</button>")) throw new Error(`Not a login page: ${html}`);
  const submitted = await fetch(new URL("consentApp-login", loginUrl), {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ consentAppId }).toString(),
    redirect: "manual",
  });
  const location = submitted.headers.get("location");
  if (submitted.status !== 302 || !location) throw new Error(`No redirect: ${submitted.status}`);
  const callback = new URL(location).searchParams;
  const session = await dhanLogin.exchange(app, callback, DHAN_CALLBACK, deps);
  return { session, callback };
}
