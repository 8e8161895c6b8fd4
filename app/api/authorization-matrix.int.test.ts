/**
 * The authorization matrix over every route handler under app/api (found by globbing the route files): without a
 * session → 401, a VIEWER writing → 403, a TRADER on admin routes → 403, another owner's ids → 404. A new route is
 * covered automatically; one that needs an exception must be listed below, with the reason.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { discoverApiRoutes, fillTemplate, type ApiRoute, type Method } from "@/lib/testing/api-routes";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { ironCondor, linkAccounts, startRun } from "@/lib/testing/dispatch-kit";
import { makeStrategy } from "@/lib/testing/exits-kit";

/** Anyone may call these (sign-in/up, health probes, next-auth's own endpoints, whether self-registration is open). */
const PUBLIC = new Set([
  "GET /api/health",
  "POST /api/login",
  "POST /api/register",
  "POST /api/logout",
  "GET /api/auth/[...nextauth]",
  "POST /api/auth/[...nextauth]",
  "GET /api/settings/registration",
  // Outside alerts: the URL token is the credential (its own 404 for an unknown token).
  "POST /api/hooks/[token]",
]);
/** State-changing methods a VIEWER may call: previews change nothing; everyone changes their own password. */
const VIEWER_MAY = new Set(["POST /api/strategies/[id]/preview", "POST /api/ticket/preview", "PUT /api/me/password"]);
/** Admin-only routes (a TRADER gets 403). */
const ADMIN_ONLY = new Set([
  "GET /api/audit",
  "GET /api/metrics",
  "GET /api/system",
  "GET /api/users",
  "POST /api/users",
  "PATCH /api/users/[id]",
  "PUT /api/settings/grades/[id]",
  "DELETE /api/settings/grades/[id]",
  "PUT /api/settings/instruments/[underlying]",
  "PUT /api/settings/margins/[underlying]",
  "PUT /api/settings/registration",
]);
/** Path parameters that name something an owner owns: another trader using them must get 404. */
const OWNED_PARAMS = new Set(["id"]);
const OWNED_PREFIXES = ["/api/accounts/[id]", "/api/alerts/[id]", "/api/runs/[id]", "/api/strategies/[id]"];
/**
 * Every route addressed by an owner's id, listed so that a new one (or one that stops being found) is noticed here.
 * Routes scoped by the session alone (the user stream, the option chain, the dashboard's P&L curve) are in the 401
 * and 403 checks above; they take no id of someone else's to try.
 */
const OWNER_ADDRESSED = [
  "GET /api/accounts/[id]",
  "PATCH /api/accounts/[id]",
  "DELETE /api/accounts/[id]",
  "GET /api/accounts/[id]/books/[book]",
  "PATCH /api/accounts/[id]/orders/[orderId]",
  "DELETE /api/accounts/[id]/orders/[orderId]",
  "DELETE /api/alerts/[id]",
  "GET /api/runs/[id]",
  "POST /api/runs/[id]/cancel",
  "GET /api/runs/[id]/events",
  "GET /api/runs/[id]/latency",
  "GET /api/runs/[id]/mtm",
  "GET /api/runs/[id]/parity",
  "POST /api/runs/[id]/retry",
  "GET /api/strategies/[id]",
  "PATCH /api/strategies/[id]",
  "DELETE /api/strategies/[id]",
  "POST /api/strategies/[id]/execute",
  "POST /api/strategies/[id]/legs",
  "GET /api/strategies/[id]/mtm",
  "GET /api/strategies/[id]/parity",
  "GET /api/strategies/[id]/positions",
  "POST /api/strategies/[id]/preview",
  "POST /api/strategies/[id]/webhook/test",
];
/** A valid body (and query) per owner-scoped route, so the 404 comes from the scope check, not from parsing. */
const VALID_INPUT: Record<string, { body?: unknown; query?: string }> = {
  "PATCH /api/accounts/[id]": { body: { name: "taken over" } },
  "PATCH /api/accounts/[id]/orders/[orderId]": { body: { quantity: 65 } },
  "PATCH /api/strategies/[id]": { body: { name: "taken over" } },
  "POST /api/strategies/[id]/execute": { body: { idempotencyKey: "matrix-execute-0001" } },
  "POST /api/strategies/[id]/preview": { body: {} },
  "POST /api/strategies/[id]/webhook/test": { body: { message: "EXIT", contentType: "text/plain" } },
  "POST /api/strategies/[id]/legs": {
    body: {
      legs: [
        {
          underlying: "NIFTY",
          instrument: "futures",
          expiry: "current_month",
          action: "BUY",
          lots: 1,
          orderType: { kind: "MARKET" },
        },
      ],
    },
  },
};

const key = (m: Method, r: ApiRoute) => `${m} ${r.template}`;
const isWrite = (m: Method) => m !== "GET";
const INSTANCES = instanceConfigs(1, "am");
let sim: RunningSimulator;
let routes: ApiRoute[];
let owner: Awaited<ReturnType<typeof makeUser>>;
let ids: Record<string, string>;

beforeAll(async () => {
  sim = await startSim(INSTANCES);
  await resetState();
  routes = await discoverApiRoutes();
  owner = await makeUser("TRADER");
  const [account] = await linkAccounts(sim, owner, INSTANCES);
  const strategy = await makeStrategy(owner, ironCondor());
  const { runId } = await startRun(owner.id, ironCondor());
  const alert = await db().alert.create({
    data: { ownerId: owner.id, accountId: account.id, kind: "matrix", severity: "WARNING", message: "owner's alert" },
  });
  ids = { account: account.id, strategy: strategy.id, run: runId, alert: alert.id };
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

/** Calls one handler as `cookie` (or anonymously) with the template's params filled from `values`. */
function call(
  route: ApiRoute,
  method: Method,
  values: Record<string, string>,
  cookie?: string,
  input: { body?: unknown; query?: string } = {},
) {
  const url = fillTemplate(route.template, values) + (input.query ?? "");
  const body = input.body ?? (isWrite(method) && method !== "DELETE" ? {} : undefined);
  const params = Object.fromEntries(
    route.params.map((p) => [p, route.template.includes(`[...${p}]`) ? [values[p] ?? "x"] : (values[p] ?? "x")]),
  );
  return route.methods[method]!(jsonRequest(url, { method, body, cookie }), paramsOf(params as Record<string, string>));
}
const sample = {
  id: "00000000-0000-4000-8000-000000000000",
  book: "positions",
  orderId: "ORDER-1",
  underlying: "NIFTY",
  nextauth: "session",
};

describe("authorization matrix over app/api", () => {
  it("finds the route files and every listed exception exists", () => {
    const all = new Set(routes.flatMap((r) => Object.keys(r.methods).map((m) => key(m as Method, r))));
    expect(all.size).toBeGreaterThan(50);
    for (const listed of [...PUBLIC, ...VIEWER_MAY, ...ADMIN_ONLY, ...Object.keys(VALID_INPUT)])
      expect(all, listed).toContain(listed);
  });

  it("answers 401 without a session on every non-public route and method", async () => {
    let checked = 0;
    for (const r of routes) {
      for (const m of Object.keys(r.methods) as Method[]) {
        if (PUBLIC.has(key(m, r))) continue;
        const res = await call(r, m, sample);
        expect(res.status, key(m, r)).toBe(401);
        checked += 1;
      }
    }
    expect(checked).toBe(routes.reduce((n, r) => n + Object.keys(r.methods).length, 0) - PUBLIC.size);
  });

  it("answers 403 to a VIEWER on every state-changing route and method (previews and one's own password aside)", async () => {
    const cookie = await sessionCookie(await makeUser("VIEWER"));
    let checked = 0;
    for (const r of routes) {
      for (const m of (Object.keys(r.methods) as Method[]).filter(isWrite)) {
        if (PUBLIC.has(key(m, r)) || VIEWER_MAY.has(key(m, r))) continue;
        const res = await call(r, m, sample, cookie);
        expect(res.status, key(m, r)).toBe(403);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it("answers 403 to a TRADER on every admin route", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    for (const r of routes) {
      for (const m of Object.keys(r.methods) as Method[]) {
        if (!ADMIN_ONLY.has(key(m, r))) continue;
        expect((await call(r, m, { ...sample, id: "basic" }, cookie)).status, key(m, r)).toBe(403);
      }
    }
  });

  it("answers 404 to another trader for every route addressed by an owner's id, and changes nothing", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const idFor = (template: string) =>
      template.startsWith("/api/accounts/")
        ? ids.account
        : template.startsWith("/api/alerts/")
          ? ids.alert
          : template.startsWith("/api/runs/")
            ? ids.run
            : ids.strategy;
    const before = JSON.stringify(await snapshot());
    const checked: string[] = [];
    for (const r of routes) {
      if (!OWNED_PREFIXES.some((p) => r.template.startsWith(p)) || !r.params.some((p) => OWNED_PARAMS.has(p))) continue;
      for (const m of Object.keys(r.methods) as Method[]) {
        const input = VALID_INPUT[key(m, r)] ?? {};
        const res = await call(r, m, { ...sample, id: idFor(r.template) }, cookie, input);
        expect(res.status, `${key(m, r)}: ${await res.clone().text()}`).toBe(404);
        checked.push(key(m, r));
      }
    }
    expect(checked.sort()).toEqual([...OWNER_ADDRESSED].sort());
    expect(JSON.stringify(await snapshot())).toBe(before);
    expect(sim.broker.receivedOrders(INSTANCES[0].id)).toHaveLength(0);
  });

  it("answers 404 for another owner's ids inside a body (exits of a run, a strategy, an account)", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const exits = routes.find((r) => r.template === "/api/exits")!;
    for (const body of [
      { scope: "run", runId: ids.run },
      { scope: "strategy", strategyId: ids.strategy },
      { scope: "account", accountId: ids.account },
      { scope: "excess", runId: ids.run, accountId: ids.account, legIndex: 0 },
    ]) {
      expect((await call(exits, "POST", {}, cookie, { body })).status, body.scope).toBe(404);
    }
    expect(await db().exit.count()).toBe(0);
  });
});

async function snapshot() {
  return {
    accounts: await db().tradingAccount.findMany({
      orderBy: { id: "asc" },
      select: { id: true, name: true, active: true },
    }),
    strategies: await db().strategy.findMany({
      orderBy: { id: "asc" },
      select: { id: true, name: true, archived: true, definition: true },
    }),
    runs: await db().strategyRun.count(),
    intents: await db().orderIntent.count(),
    alerts: await db().alert.findMany({ select: { id: true, resolvedAt: true } }),
    audit: await db().auditLog.count(),
  };
}
