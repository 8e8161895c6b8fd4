/**
 * The authorization matrix over every route handler under app/api (found by globbing the route files): without a
 * session → 401, a VIEWER writing → 403, a TRADER on admin routes → 403, another owner's ids → 404. A new route is
 * covered automatically; one that needs an exception must be listed below, with the reason. The /api/v1 routes are
 * called with a TRADE key of the same user instead of the session (they take no cookie), so the role decides there too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { discoverApiRoutes, fillTemplate, type ApiRoute, type Method } from "@/lib/testing/api-routes";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { ironCondor, linkAccounts, startRun } from "@/lib/testing/dispatch-kit";
import { makeStrategy } from "@/lib/testing/exits-kit";
import { keyRequest, makeApiKey } from "@/lib/testing/api-key-kit";
import { createApiKey } from "@/lib/services/api-keys";
import { makeCopyGroup } from "@/lib/testing/copy-kit";

/** Anyone may call these (sign-in/up, health probes, next-auth's own endpoints, whether self-registration is open). */
const PUBLIC = new Set([
  "GET /api/health",
  "POST /api/login",
  "POST /api/register",
  "POST /api/logout",
  "GET /api/auth/[...nextauth]",
  "POST /api/auth/[...nextauth]",
  "GET /api/settings/registration",
  "GET /api/v1/openapi.json",
  // Outside alerts: the URL token is the credential (its own 404 for an unknown token).
  "POST /api/hooks/[token]",
]);
/**
 * State-changing methods a VIEWER may call: previews change nothing; everyone changes their own password and manages
 * their own API keys (a VIEWER's are READ keys) and their own notifications.
 */
const VIEWER_MAY = new Set([
  "POST /api/strategies/[id]/preview",
  "POST /api/v1/strategies/[id]/preview",
  "POST /api/ticket/preview",
  "PUT /api/me/password",
  "POST /api/me/api-keys",
  "DELETE /api/me/api-keys/[id]",
  // One's own notification channels, send test and read marks (docs/notifications.md).
  "PUT /api/notifications/settings",
  "POST /api/notifications/test",
  "POST /api/notifications/read",
]);
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
  "PUT /api/calendar/overrides",
  "DELETE /api/calendar/overrides",
  "POST /api/calendar/refresh",
]);
/** Path parameters that name something an owner owns: another trader using them must get 404. */
const OWNED_PARAMS = new Set(["id"]);
const OWNED_PREFIXES = [
  ...["/api/accounts/[id]", "/api/alerts/[id]", "/api/runs/[id]", "/api/strategies/[id]"].flatMap((p) => [
    p,
    p.replace(/^\/api/, "/api/v1"),
  ]),
  "/api/me/api-keys/[id]",
  "/api/copy-groups/[id]",
];
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
  "POST /api/accounts/[id]/login",
  "PATCH /api/accounts/[id]/orders/[orderId]",
  "DELETE /api/accounts/[id]/orders/[orderId]",
  "DELETE /api/alerts/[id]",
  "DELETE /api/me/api-keys/[id]",
  "GET /api/runs/[id]",
  "POST /api/runs/[id]/cancel",
  "GET /api/runs/[id]/events",
  "GET /api/runs/[id]/latency",
  "GET /api/runs/[id]/mtm",
  "GET /api/runs/[id]/parity",
  "POST /api/runs/[id]/retry",
  "GET /api/runs/[id]/risk",
  "PATCH /api/runs/[id]/risk",
  "GET /api/accounts/[id]/risk",
  "PUT /api/accounts/[id]/risk",
  "GET /api/strategies/[id]",
  "PATCH /api/strategies/[id]",
  "DELETE /api/strategies/[id]",
  "POST /api/strategies/[id]/execute",
  "POST /api/strategies/[id]/legs",
  "GET /api/strategies/[id]/mtm",
  "GET /api/strategies/[id]/parity",
  "GET /api/strategies/[id]/positions",
  "POST /api/strategies/[id]/preview",
  "GET /api/v1/accounts/[id]",
  "GET /api/v1/accounts/[id]/books/[book]",
  "GET /api/v1/runs/[id]",
  "POST /api/v1/runs/[id]/cancel",
  "GET /api/v1/strategies/[id]",
  "POST /api/v1/strategies/[id]/execute",
  "GET /api/v1/strategies/[id]/positions",
  "POST /api/v1/strategies/[id]/preview",
  "GET /api/strategies/[id]/signals",
  "GET /api/strategies/[id]/webhook",
  "POST /api/strategies/[id]/webhook",
  "PATCH /api/strategies/[id]/webhook",
  "DELETE /api/strategies/[id]/webhook",
  "POST /api/strategies/[id]/webhook/rotate",
  "POST /api/strategies/[id]/webhook/test",
  "GET /api/copy-groups/[id]",
  "PATCH /api/copy-groups/[id]",
  "DELETE /api/copy-groups/[id]",
  "POST /api/copy-groups/[id]/pause",
  "POST /api/copy-groups/[id]/resume",
  "GET /api/copy-groups/[id]/log",
  "PUT /api/copy-groups/[id]/children/[accountId]",
  "DELETE /api/copy-groups/[id]/children/[accountId]",
  "POST /api/copy-groups/[id]/children/[accountId]/pause",
  "POST /api/copy-groups/[id]/children/[accountId]/resume",
  "GET /api/copy-groups/[id]/drift",
  "POST /api/copy-groups/[id]/sync",
];
/** A valid body (and query) per owner-scoped route, so the 404 comes from the scope check, not from parsing. */
const VALID_INPUT: Record<string, { body?: unknown; query?: string }> = {
  "PATCH /api/accounts/[id]": { body: { name: "taken over" } },
  "PATCH /api/accounts/[id]/orders/[orderId]": { body: { quantity: 65 } },
  "PATCH /api/runs/[id]/risk": { body: { paused: true } },
  "PUT /api/accounts/[id]/risk": { body: { dailyLossLimit: "1000" } },
  "PATCH /api/strategies/[id]": { body: { name: "taken over" } },
  "POST /api/strategies/[id]/execute": { body: { idempotencyKey: "matrix-execute-0001" } },
  "POST /api/strategies/[id]/preview": { body: {} },
  "POST /api/v1/strategies/[id]/execute": { body: { idempotencyKey: "matrix-execute-0002" } },
  "POST /api/v1/strategies/[id]/preview": { body: {} },
  "PATCH /api/strategies/[id]/webhook": { body: { enabled: false } },
  "POST /api/strategies/[id]/webhook/test": { body: { message: "EXIT", contentType: "text/plain" } },
  "PATCH /api/copy-groups/[id]": { body: { name: "taken over" } },
  "PUT /api/copy-groups/[id]/children/[accountId]": { body: { multiplier: "1" } },
  "POST /api/copy-groups/[id]/sync": { body: { accountId: "00000000-0000-4000-8000-000000000001" } },
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
  const { apiKey } = await createApiKey(owner, { name: "owner's key", scope: "TRADE", expiresInDays: null }, "t");
  const copyGroup = await makeCopyGroup(owner, account.id, []);
  ids = { account: account.id, strategy: strategy.id, run: runId, alert: alert.id, apiKey: apiKey.id, copyGroup };
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

/** A user's credentials: the session cookie, and a TRADE key for the /api/v1 routes. */
interface Who {
  cookie: string;
  key: string;
}
async function as(user: Awaited<ReturnType<typeof makeUser>>): Promise<Who> {
  return { cookie: await sessionCookie(user), key: await makeApiKey(user, "TRADE") };
}
const isV1 = (r: ApiRoute) => r.template.startsWith("/api/v1/");

/** Calls one handler as `who` (or anonymously) with the template's params filled from `values`. */
function call(
  route: ApiRoute,
  method: Method,
  values: Record<string, string>,
  who?: Who,
  input: { body?: unknown; query?: string } = {},
) {
  const url = fillTemplate(route.template, values) + (input.query ?? "");
  const body = input.body ?? (isWrite(method) && method !== "DELETE" ? {} : undefined);
  const params = Object.fromEntries(
    route.params.map((p) => [p, route.template.includes(`[...${p}]`) ? [values[p] ?? "x"] : (values[p] ?? "x")]),
  );
  const req = isV1(route)
    ? keyRequest(url, { method, body, key: who?.key })
    : jsonRequest(url, { method, body, cookie: who?.cookie });
  return route.methods[method]!(req, paramsOf(params as Record<string, string>));
}
const sample = {
  id: "00000000-0000-4000-8000-000000000000",
  book: "positions",
  orderId: "ORDER-1",
  accountId: "00000000-0000-4000-8000-000000000001",
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
    const cookie = await as(await makeUser("VIEWER"));
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
    const cookie = await as(await makeUser("TRADER"));
    for (const r of routes) {
      for (const m of Object.keys(r.methods) as Method[]) {
        if (!ADMIN_ONLY.has(key(m, r))) continue;
        expect((await call(r, m, { ...sample, id: "basic" }, cookie)).status, key(m, r)).toBe(403);
      }
    }
  });

  it("answers 404 to another trader for every route addressed by an owner's id, and changes nothing", async () => {
    const cookie = await as(await makeUser("TRADER"));
    const idFor = (v1Template: string) => {
      const template = v1Template.replace(/^\/api\/v1\//, "/api/");
      return template.startsWith("/api/accounts/")
        ? ids.account
        : template.startsWith("/api/alerts/")
          ? ids.alert
          : template.startsWith("/api/me/api-keys/")
            ? ids.apiKey
            : template.startsWith("/api/runs/")
              ? ids.run
              : template.startsWith("/api/copy-groups/")
                ? ids.copyGroup
                : ids.strategy;
    };
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

  it("answers 404 for another owner's ids inside a body (exits of a run, a strategy, an account; a readiness check)", async () => {
    const cookie = await as(await makeUser("TRADER"));
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
    const readiness = routes.find((r) => r.template === "/api/readiness/check")!;
    expect((await call(readiness, "POST", {}, cookie, { body: { accountIds: [ids.account] } })).status).toBe(404);
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
    apiKeys: await db().apiKey.findMany({ orderBy: { id: "asc" }, select: { id: true, revokedAt: true } }),
    copyGroups: await db().copyGroup.findMany({
      orderBy: { id: "asc" },
      select: { id: true, name: true, enabled: true, updatedAt: true, children: { select: { accountId: true } } },
    }),
  };
}
