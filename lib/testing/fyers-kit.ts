/**
 * Test kit for the Fyers connector: a simulator with one Fyers app (fixed clock, always open), and a login that walks
 * the simulator's real pages the way a trader's browser would (login URL → page → form POST → redirect → exchange).
 */
import { randomUUID } from "node:crypto";
import { fyersLogin } from "@/lib/brokers/fyers/login";
import type { BrokerSessionTokens, LoginApp } from "@/lib/brokers/login";
import { RateGovernor } from "@/lib/brokers/rate-governor";
import { istInstant } from "@/lib/trading/calendar";
import { startSimulator, type RunningSimulator } from "@/lib/simulator/server/start-simulator";

export const FYERS_APP_ID = "SIMAPP0001-100";
export const FYERS_SECRET = "sim-secret-fy1";
export const FYERS_REDIRECT = "https://mirrordesk.example/api/brokers/fyers/callback";

export async function startFyersSim(): Promise<RunningSimulator> {
  return startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: "fyers-admin",
    seed: 11,
    // A Tuesday morning: NIFTY's weekly expiry day, before the session's midnight cut-off.
    clock: { mode: "fixed", startAt: istInstant("2026-12-08", "10:00") },
    alwaysOpen: true,
    instances: [{ id: "fy1", apiKey: FYERS_APP_ID, capital: "1000000", redirectUrl: FYERS_REDIRECT }],
  });
}

export function fyersApp(sim: RunningSimulator, overrides: Partial<LoginApp> = {}): LoginApp {
  return { hostUrl: `${sim.httpUrl}/fyers`, apiKey: FYERS_APP_ID, apiSecret: FYERS_SECRET, ...overrides };
}

export const simGate = () => new RateGovernor({ keyPrefix: `md:test-fyers:${randomUUID()}` });

/** The redirect Fyers sends the browser to after the trader pressed "Log in" on the login page. */
export async function browserLogin(loginUrl: string): Promise<URL> {
  const page = await fetch(loginUrl);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`login page answered ${page.status}`);
  const form = /<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/.exec(html);
  if (!form) throw new Error("no login form on the page");
  const fields = new URLSearchParams();
  for (const m of form[2].matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g))
    fields.set(
      m[1],
      m[2]
        .replace(/&amp;/g, "&")
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, "<")
        .replace(/&gt;/g, ">"),
    );
  const submit = await fetch(new URL(form[1], loginUrl), {
    method: "POST",
    redirect: "manual",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: fields.toString(),
  });
  const location = submit.headers.get("location");
  if (submit.status !== 302 || !location) throw new Error(`login form answered ${submit.status}`);
  return new URL(location);
}

/** A full login through the simulator's pages; `state` must come back on the callback. */
export async function loginViaSim(
  sim: RunningSimulator,
  app: LoginApp = fyersApp(sim),
  state = "state-1",
): Promise<{ session: BrokerSessionTokens; callback: URL }> {
  const url = await fyersLogin.start(app, { redirectUrl: FYERS_REDIRECT, state });
  const callback = await browserLogin(url);
  const read = await fyersLogin.readCallback(callback.searchParams);
  if (!read.ok || read.state !== state) throw new Error("callback did not carry the state back");
  const session = await fyersLogin.exchange(app, callback.searchParams, FYERS_REDIRECT, {
    now: () => sim.market.clock.now(),
  });
  return { session, callback };
}
