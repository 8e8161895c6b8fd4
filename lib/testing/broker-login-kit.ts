/**
 * A trader's browser for direct-broker login tests: `submitLoginPage` opens any broker's login page, submits its only
 * form as it is (hidden fields included) and returns where the broker redirected to, without following it. Around it,
 * logins through MirrorDesk's own routes: one simulator with one instance per direct kind of the registry (each
 * instance's registered redirect URL is that kind's callback), the account linked through `POST /api/accounts`, then
 * `POST /api/accounts/:id/login`, the broker's page, and the broker's redirect delivered to the callback route.
 */
import { expect } from "vitest";
import { BROKERS, type BrokerEntry } from "@/lib/brokers/registry";
import { callbackUrl, LOGIN_STATE_COOKIE } from "@/lib/services/accounts";
import { startSimulator, type RunningSimulator, type SimulatorOptions } from "@/lib/simulator/server/start-simulator";
import type { InstanceConfig } from "@/lib/simulator/types";
import { jsonRequest, paramsOf } from "@/lib/testing/fixtures";
import { SIM_ADMIN } from "@/lib/testing/simulator-instances";
import { POST as createRoute } from "@/app/api/accounts/route";
import { POST as loginRoute } from "@/app/api/accounts/[id]/login/route";
import { GET as callbackRoute } from "@/app/api/brokers/[kind]/callback/route";

/** Every kind that logs in through its broker: each one registered later is covered without a change here. */
export const DIRECT_BROKERS: readonly BrokerEntry[] = BROKERS.filter((b) => b.login);

/**
 * The simulator's API root of each kind, as each connector's page in docs/brokers/ gives it: the front-end's prefix,
 * except Dhan's, whose API URL ends in `/v2` (its login and masters sit beside it). Zerodha's front-end is `/kite`.
 */
const SIM_ROOTS: Record<string, string> = { dhan: "/dhan/v2", zerodha: "/kite" };

export function simRootOf(sim: RunningSimulator, entry: BrokerEntry): string {
  const path = SIM_ROOTS[entry.kind] ?? `/${entry.kind}`;
  if (!sim.nativeFrontEnds.some((f) => path === f.prefix || path.startsWith(`${f.prefix}/`)))
    throw new Error(`The simulator serves no front-end for ${entry.kind} at ${path}: add its root to SIM_ROOTS`);
  return `${sim.httpUrl}${path}`;
}

/** One simulated trader per direct kind: letters and digits only, and an app id Fyers' form accepts (`…-100`). */
export function directInstance(entry: BrokerEntry, tag = "a"): InstanceConfig {
  const id = `dl${tag}${entry.kind}`;
  return {
    id,
    apiKey: `DL${tag.toUpperCase()}${entry.kind.toUpperCase()}APP-100`,
    appSecret: `app-secret-${id}-0123456789`,
    capital: "2000000",
    redirectUrl: callbackUrl(entry.stored),
  };
}

/**
 * A simulator on a fixed clock (starting at the wall clock), always open, serving `instances`; `extra` adds options
 * (e.g. `rateLimitNow`, for a test whose broker calls must not depend on how fast they follow each other).
 */
export function startDirectSim(
  instances: InstanceConfig[],
  extra: Pick<SimulatorOptions, "rateLimitNow"> = {},
): Promise<RunningSimulator> {
  return startSimulator({
    ...extra,
    httpPort: 0,
    wsPort: 0,
    adminToken: SIM_ADMIN,
    seed: 11,
    clock: { mode: "fixed", startAt: Date.now() },
    alwaysOpen: true,
    instances,
    // Per-second limits are the governor's to enforce in these tests; the simulator's own would trip on test speed.
    rateLimits: {
      api: { count: 100_000, windowMs: 1_000 },
      order: { count: 100_000, windowMs: 1_000 },
      smart_order: { count: 100_000, windowMs: 1_000 },
    },
    onError: () => undefined,
  });
}

/** The body of `POST /api/accounts` for a direct account at the simulator. */
export function directAccountBody(sim: RunningSimulator, entry: BrokerEntry, inst: InstanceConfig) {
  return {
    name: `Direct ${entry.kind}`,
    kind: entry.stored,
    hostUrl: simRootOf(sim, entry),
    apiKey: inst.apiKey,
    apiSecret: inst.appSecret!,
    ...("clientId" in entry.credentials.shape ? { clientId: inst.id } : {}),
  };
}

/** Links a direct account through the accounts API (with `extra` form fields, a PIN say); the created account's JSON. */
export async function linkDirect(
  cookie: string,
  sim: RunningSimulator,
  entry: BrokerEntry,
  inst: InstanceConfig,
  extra: Record<string, string> = {},
) {
  const body = { ...directAccountBody(sim, entry, inst), ...extra };
  const res = await createRoute(jsonRequest("/api/accounts", { body, cookie }));
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return { account: JSON.parse(text).account as { id: string; status: string; lastError: string | null }, text };
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
const unescapeHtml = (s: string) =>
  s.replace(/&(?:(amp|lt|gt|quot|apos)|#(\d+));/g, (_, name: string | undefined, code: string | undefined) =>
    name ? ENTITIES[name] : String.fromCharCode(Number(code)),
  );

/** The attributes of one HTML tag (`name="v"` or `name='v'`, any order). */
function attributesOf(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([a-zA-Z_:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g))
    out[m[1].toLowerCase()] = unescapeHtml(m[2] ?? m[3]);
  return out;
}

export interface LoginRedirect {
  /** The page's HTML (tests look for the trader's id on it). */
  page: string;
  /** The redirect target the broker answered the form with. */
  location: URL;
}

/**
 * What a browser does on any broker's login page: load it, submit its one form (its action resolved against the
 * page's URL, its named inputs as form fields) with its "Log in" button, and read the broker's redirect.
 */
export async function submitLoginPage(loginUrl: string): Promise<LoginRedirect> {
  const res = await fetch(loginUrl, { redirect: "manual" });
  const page = await res.text();
  if (res.status !== 200) throw new Error(`The login page answered ${res.status}`);
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(page);
  if (!form) throw new Error("The login page has no form");
  if (!/<button\b[^>]*>\s*Log in\s*<\/button>/i.test(form[2])) throw new Error("The login form has no “Log in” button");
  const attrs = attributesOf(form[1]);
  const fields = new URLSearchParams();
  for (const input of form[2].matchAll(/<input\b([^>]*)>/gi)) {
    const a = attributesOf(input[1]);
    if (a.name) fields.append(a.name, a.value ?? "");
  }
  const method = (attrs.method ?? "get").toUpperCase();
  const action = new URL(attrs.action ?? "", loginUrl);
  if (method === "GET") fields.forEach((v, k) => action.searchParams.set(k, v));
  const submitted = await fetch(action, {
    method,
    redirect: "manual",
    ...(method === "GET"
      ? {}
      : { headers: { "content-type": "application/x-www-form-urlencoded" }, body: fields.toString() }),
  });
  await submitted.text();
  const location = submitted.headers.get("location");
  if (submitted.status < 300 || submitted.status > 399 || !location)
    throw new Error(`The login form answered ${submitted.status} without a redirect`);
  return { page, location: new URL(location, action) };
}

/** The state cookie a login's start set (`md_broker_login=…`), as a Cookie header pair. */
export function stateCookieOf(res: Response): string {
  const set = res.headers.get("set-cookie") ?? "";
  const value = new RegExp(`${LOGIN_STATE_COOKIE}=([^;]*)`).exec(set)?.[1];
  if (!value) throw new Error(`The login's start set no ${LOGIN_STATE_COOKIE} cookie`);
  return `${LOGIN_STATE_COOKIE}=${value}`;
}

/** `POST /api/accounts/:id/login` as the signed-in user. */
export function startLogin(cookie: string, accountId: string): Promise<Response> {
  return loginRoute(jsonRequest(`/api/accounts/${accountId}/login`, { body: {}, cookie }), paramsOf({ id: accountId }));
}

/**
 * The broker's redirect arriving at the callback route, as the browser's top-level navigation (a GET without an
 * Origin, carrying the session cookie and the login's state cookie). `path` is the kind's segment of the URL.
 */
export function arriveAtCallback(callback: URL, path: string, cookies: string): Promise<Response> {
  return callbackRoute(
    jsonRequest(`/api/brokers/${path}/callback${callback.search}`, { cookie: cookies, origin: null }),
    paramsOf({ kind: path }),
  );
}

export interface RouteLogin {
  /** The login route's JSON body. */
  started: string;
  /** The query the broker redirected the browser with. */
  callback: URL;
  /** The callback route's answer. */
  finished: Response;
  /** The Cookie header the callback was sent with (session and state cookies). */
  cookies: string;
}

/** A whole login through MirrorDesk's routes and the simulator's login page. */
export async function loginThroughRoutes(cookie: string, accountId: string, entry: BrokerEntry): Promise<RouteLogin> {
  const start = await startLogin(cookie, accountId);
  const started = await start.text();
  expect(start.status, started).toBe(200);
  const callback = (await submitLoginPage((JSON.parse(started) as { url: string }).url)).location;
  expect(callback.pathname).toBe(`/api/brokers/${entry.stored.toLowerCase()}/callback`);
  const cookies = `${cookie}; ${stateCookieOf(start)}`;
  const finished = await arriveAtCallback(callback, entry.stored.toLowerCase(), cookies);
  return { started, callback, finished, cookies };
}

/**
 * Counts the requests each native front-end of `sim` receives (by wrapping its handler, which still answers), so a
 * test can show that nothing reached a broker. `restore` puts the handlers back (some front-ends are module-wide).
 */
export function countNativeRequests(sim: RunningSimulator) {
  const counts = new Map<string, number>();
  const originals = sim.nativeFrontEnds.map((fe) => {
    const handle = fe.handle;
    fe.handle = (...args) => {
      counts.set(fe.prefix, (counts.get(fe.prefix) ?? 0) + 1);
      return handle.apply(fe, args);
    };
    return () => (fe.handle = handle);
  });
  return {
    /** Requests so far under the front-end that serves `entry`'s simulator root. */
    of(entry: BrokerEntry): number {
      const root = new URL(simRootOf(sim, entry)).pathname;
      const fe = sim.nativeFrontEnds.find((f) => root === f.prefix || root.startsWith(`${f.prefix}/`))!;
      return counts.get(fe.prefix) ?? 0;
    },
    restore: () => originals.forEach((undo) => undo()),
  };
}
