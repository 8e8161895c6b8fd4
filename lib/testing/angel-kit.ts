/**
 * Test kit for the Angel One connector: a simulator with one instance, and a login through the connector's own
 * `angelLogin` driven like a browser (fetch the publisher-login page, submit its form, read the redirect).
 */
import { randomUUID } from "node:crypto";
import { angelLogin } from "@/lib/brokers/angel/login";
import type { BrokerSessionTokens, LoginApp } from "@/lib/brokers/login";
import { RateGovernor } from "@/lib/brokers/rate-governor";
import { type RunningSimulator, startSimulator } from "@/lib/simulator/server/start-simulator";

export const ANGEL_REDIRECT = "http://127.0.0.1:3150/accounts/angel/callback";
/** Bearer token of the control API of simulators started here. */
export const ANGEL_ADMIN = "angel-admin";

export interface AngelWorld {
  sim: RunningSimulator;
  app: LoginApp;
  gate: RateGovernor;
  now: () => number;
}

export async function startAngelWorld(id: string, apiKey = `${id}-key-0001`): Promise<AngelWorld> {
  const sim = await startAngelSimulator();
  return addAngelAccount(sim, id, apiKey);
}

/** A simulator for Angel tests: fixed clock, always open, no instances yet. */
export async function startAngelSimulator(startAt?: number): Promise<RunningSimulator> {
  // The simulator's rate-limit clock moves a second per request, so its per-second limits never trip on the test
  // machine's speed (the adapter's own budget is tested through the governor; the limiter in protocol.int.test.ts).
  let rateClock = 0;
  return startSimulator({
    rateLimitNow: () => (rateClock += 1_000),
    httpPort: 0,
    wsPort: 0,
    adminToken: ANGEL_ADMIN,
    seed: 11,
    clock: { mode: "fixed", ...(startAt === undefined ? {} : { startAt }) },
    alwaysOpen: true,
  });
}

/** Adds a funded Angel account `id` (app key `apiKey`, redirect ANGEL_REDIRECT) to a running simulator. */
export function addAngelAccount(sim: RunningSimulator, id: string, apiKey = `${id}-key-0001`): AngelWorld {
  sim.broker.createInstance({ id, apiKey, capital: "1000000", showStrategy: true, redirectUrl: ANGEL_REDIRECT });
  return {
    sim,
    app: { hostUrl: `${sim.httpUrl}/angel`, apiKey, apiSecret: `sim-secret-${id}`, clientId: id },
    gate: new RateGovernor({ keyPrefix: `md:test-angel:${randomUUID()}` }),
    now: () => sim.market.clock.now(),
  };
}

/** What the browser does between `start` and the callback: the callback's query. */
export async function browserLogin(loginUrl: string): Promise<URLSearchParams> {
  const page = await fetch(loginUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`login page answered ${page.status}`);
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error("no login form");
  const fields = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) fields.set(m[1], m[2]);
  const res = await fetch(new URL(action, loginUrl), {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: fields.toString(),
    redirect: "manual",
  });
  const location = res.headers.get("location");
  if (res.status !== 302 || !location) throw new Error(`login form answered ${res.status}`);
  return new URL(location).searchParams;
}

/** A full login through the connector's BrokerLogin. */
export async function loginAngel(world: AngelWorld, state = "state-1"): Promise<BrokerSessionTokens> {
  const url = await angelLogin.start(world.app, { redirectUrl: ANGEL_REDIRECT, state });
  const query = await browserLogin(url);
  const read = await angelLogin.readCallback(query);
  if (!read.ok || read.state !== state) throw new Error("state did not come back");
  return angelLogin.exchange(world.app, query, ANGEL_REDIRECT, { now: world.now });
}

/** Requests the simulator's Angel front-end has received so far. */
export function angelRequests(world: Pick<AngelWorld, "sim">): number {
  const fe = world.sim.nativeFrontEnds.find((f) => f.prefix === "/angel") as unknown as { requests: number };
  return fe.requests;
}
