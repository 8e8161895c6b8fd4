/**
 * Generated bad input over every route handler and method under app/api (found by globbing the route files): wrong
 * types, missing fields, huge numbers, unicode, 1 MB strings, bad ids, broken JSON, random queries and sessions.
 * Every answer must be a deliberate one (< 500) and no order may reach the exchange. The inputs are seeded, so a
 * failure reproduces; the test prints its counts.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { discoverApiRoutes, fillTemplate, type ApiRoute, type Method } from "@/lib/testing/api-routes";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { ironCondor, linkAccounts, startRun } from "@/lib/testing/dispatch-kit";
import { makeStrategy } from "@/lib/testing/exits-kit";

const SEED = 20_261_206;
const PER_ROUTE_METHOD = 12;
const MB = "m".repeat(1024 * 1024);

const WEIRD_STRINGS = [
  "",
  " ",
  "\u0000",
  "𝔘ñí©ødé ✓ 中文 🚀",
  "null",
  "-1",
  "1e5",
  "1e400",
  "abc",
  "NaN",
  "../../etc/passwd",
  "<script>alert(1)</script>",
  "' OR 1=1 --",
  "9".repeat(26),
  "y".repeat(60_000),
  MB,
];
const WEIRD_NUMBERS = [1e308, -1e308, 9_007_199_254_740_993, 2 ** 31, 2 ** 63, -1, 0, 0.5, 5e-324];
const BAD_IDS = [
  "not-a-uuid",
  "00000000-0000-0000-0000-000000000000",
  "💥",
  "%00",
  "x".repeat(5_000),
  "1'--",
  "..",
  "NIFTY",
  "a b",
];
const QUERY_NAMES = [
  "limit",
  "before",
  "action",
  "status",
  "strategyId",
  "accountId",
  "accounts",
  "q",
  "exchange",
  "runId",
];

/** Valid bodies to mutate one field at a time, so parsing passes everywhere except the broken field. */
const BASES: Record<string, Record<string, unknown>> = {
  "POST /api/ticket/preview": {
    symbol: "NIFTY25DEC2526000CE",
    exchange: "NFO",
    action: "BUY",
    lots: 1,
    product: "NRML",
    priceType: "LIMIT",
    price: "10.5",
    accountIds: [],
    accountTags: ["x"],
  },
  "POST /api/ticket/execute": {
    symbol: "NIFTY25DEC2526000CE",
    exchange: "NFO",
    action: "BUY",
    lots: 1,
    product: "NRML",
    priceType: "LIMIT",
    price: "10.5",
    accountIds: [],
    accountTags: ["x"],
    idempotencyKey: "fuzz-ticket-0001",
  },
  "POST /api/strategies": { name: "fuzz", definition: ironCondor(), accountIds: [], accountTags: [] },
  "POST /api/accounts": {
    name: "fuzz",
    hostUrl: "http://127.0.0.1:9/",
    wsUrl: "ws://127.0.0.1:9/",
    apiKey: "fuzz-key-123456",
  },
  "POST /api/accounts/test": { hostUrl: "http://127.0.0.1:9/", wsUrl: "ws://127.0.0.1:9/", apiKey: "fuzz-key-123456" },
  "POST /api/exits": { scope: "excess", runId: randomUUID(), accountId: randomUUID(), legIndex: 0 },
  "POST /api/kill-switch": { action: "rearm", scope: "owner", ownerId: randomUUID() },
  "POST /api/users": { name: "Fuzz", email: "fuzz@test.in", password: "long-enough-1", role: "TRADER" },
  "PATCH /api/users/[id]": { name: "Fuzz" },
  "PUT /api/settings/instruments/[underlying]": {
    underlying: "NIFTY",
    exchange: "NFO",
    indexExchange: "NSE_INDEX",
    strikeStep: 50,
    lotSize: 65,
    nextMonthLotSize: 65,
    freezeQty: 1755,
    tickSize: 0.05,
    expiry: { weekly: true, weekday: 2 },
  },
  "PUT /api/settings/grades/[id]": { label: "Fuzz", percent: "10", source: "available" },
  "PUT /api/settings/margins/[underlying]": {
    singleSellExpiryDay: "1",
    singleSellOtherDays: "1",
    pairSellExpiryDay: "1",
    pairSellOtherDays: "1",
    futures: "1",
    optionBuyPremiumPerLot: "1",
  },
  "PATCH /api/accounts/[id]/orders/[orderId]": { quantity: 65, price: "1.5", priceType: "LIMIT" },
  "PATCH /api/accounts/[id]": { name: "fuzz", lotMultiplier: 1 },
  "PUT /api/accounts/[id]/risk": { dailyLossLimit: "10000" },
  "PATCH /api/runs/[id]/risk": {
    rules: {
      maxLoss: "5000",
      trailing: { distance: { kind: "percent", value: "20" }, activateAt: "1000" },
      legs: [{ legIndex: 0, stopLoss: { kind: "points", value: "20" } }],
      timeExit: "15:10",
    },
    paused: false,
  },
  "PATCH /api/strategies/[id]": { name: "fuzz", accountTags: [] },
  "POST /api/strategies/[id]/legs": { legs: ironCondor().legs.slice(0, 1) },
  "POST /api/strategies/[id]/preview": { legIndexes: [0] },
  "POST /api/strategies/[id]/execute": { idempotencyKey: "fuzz-key-0001", legIndexes: [0] },
  "PUT /api/me/password": { currentPassword: "wrong-password-1", newPassword: "another-password-2" },
  "POST /api/login": { email: "nobody@test.in", password: "whatever-123" },
  "PUT /api/settings/registration": { open: false },
  "POST /api/readiness/check": { accountIds: [randomUUID()] },
  "PUT /api/calendar/overrides": {
    date: "2026-11-08",
    exchange: "NSE",
    closed: false,
    opensAt: "18:00",
    closesAt: "19:15",
    description: "Muhurat trading",
  },
  "PUT /api/notifications/settings": {
    telegramChatId: "123456789",
    email: "fuzz@test.in",
    preferences: { FILL: ["IN_APP"], RISK: [] },
  },
  "POST /api/notifications/test": { channel: "TELEGRAM" },
  "POST /api/notifications/read": { ids: [randomUUID()] },
  "POST /api/copy-groups": {
    name: "fuzz",
    masterAccountId: randomUUID(),
    mode: "FILLS",
    exchanges: ["NFO"],
    allowSymbols: ["NIFTY"],
    windowStart: "09:20",
    windowEnd: "15:00",
    children: [{ accountId: randomUUID(), multiplier: "0.5", rounding: "DOWN", maxOpenLots: 2 }],
  },
};

const weird = fc.oneof(
  fc.constantFrom<unknown>(...WEIRD_STRINGS),
  fc.constantFrom<unknown>(...WEIRD_NUMBERS),
  fc.constantFrom<unknown>(null, true, false, {}, [], [[[[[]]]]], { $gt: "" }, { __proto__: { polluted: true } }),
  fc.fullUnicodeString({ maxLength: 40 }),
  fc.double({ noNaN: true }),
  fc.jsonValue({ maxDepth: 3 }),
);

/** Breaks one field of a valid base: removes it or replaces it with a value of the wrong type or size. */
function mutate(base: Record<string, unknown>, pick: number, how: number, value: unknown): unknown {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (path.length) paths.push(path);
    if (v && typeof v === "object" && path.length < 4)
      for (const [k, c] of Object.entries(v)) walk(c, [...path, Array.isArray(v) ? Number(k) : k]);
  };
  const copy = structuredClone(base);
  walk(copy, []);
  const path = paths[pick % paths.length];
  let parent: Record<string | number, unknown> = copy;
  for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
  if (how % 3 === 0) delete parent[path[path.length - 1]];
  else parent[path[path.length - 1]] = value;
  return copy;
}

interface FuzzInput {
  who: "none" | "viewer" | "trader" | "admin";
  param: string | null;
  query: [string, unknown][];
  body: { kind: "json"; value: unknown } | { kind: "text"; value: string } | { kind: "none" };
}

function inputs(route: ApiRoute, method: Method, seed: number): FuzzInput[] {
  const base = BASES[`${method} ${route.template}`];
  const body =
    method === "GET"
      ? fc.constant<FuzzInput["body"]>({ kind: "none" })
      : fc.oneof(
          fc.record({ kind: fc.constant("json" as const), value: fc.jsonValue({ maxDepth: 4 }) }),
          fc.record({
            kind: fc.constant("json" as const),
            value: fc.dictionary(fc.constantFrom(...Object.keys(base ?? { a: 1 }), "extra"), weird, { maxKeys: 6 }),
          }),
          fc.record({
            kind: fc.constant("text" as const),
            value: fc.constantFrom("{not json", "", "[".repeat(30_000), `{"a":"${MB}"}`, "null", '""', "1e999"),
          }),
          ...(base
            ? [
                fc
                  .tuple(fc.nat(), fc.nat(), weird)
                  .map(([p, h, v]) => ({ kind: "json" as const, value: mutate(base, p, h, v) })),
              ]
            : []),
          ...(base
            ? [
                fc
                  .tuple(fc.nat(), fc.nat(), weird)
                  .map(([p, h, v]) => ({ kind: "json" as const, value: mutate(base, p, h, v) })),
              ]
            : []),
        );
  return fc.sample(
    fc.record({
      who: fc.constantFrom("none", "viewer", "trader", "trader", "admin", "admin"),
      param: fc.oneof(
        fc.constant(null),
        fc.constantFrom(...BAD_IDS),
        fc.uuid(),
        fc.fullUnicodeString({ maxLength: 20 }),
      ),
      query: fc.array(fc.tuple(fc.constantFrom(...QUERY_NAMES), weird), { maxLength: 3 }),
      body,
    }),
    { seed, numRuns: PER_ROUTE_METHOD },
  ) as FuzzInput[];
}

/** Values every field of every base is set to in turn (undefined removes the field). */
const FIELD_VALUES: unknown[] = [
  undefined,
  null,
  {},
  [],
  true,
  "abc",
  "-1",
  "1e5",
  "",
  "𝔘ñí©ødé 🚀",
  1e308,
  -1,
  "9".repeat(26),
];
/** Values every known query parameter is set to in turn, on every GET route. */
const QUERY_VALUES = ["9".repeat(26), "-1", "1e400", "abc", "𝔘ñí©ødé", "y".repeat(70_000)];

/** Every leaf and object of a base (to depth 3), each set to every FIELD_VALUE in turn, as the admin. */
function fieldCases(base: Record<string, unknown>): FuzzInput[] {
  const out: FuzzInput[] = [];
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]) => {
    if (path.length) paths.push(path);
    if (v && typeof v === "object" && path.length < 3)
      for (const [k, c] of Object.entries(v)) walk(c, [...path, Array.isArray(v) ? Number(k) : k]);
  };
  walk(base, []);
  for (const path of paths) {
    for (const value of FIELD_VALUES) {
      const copy = structuredClone(base);
      let parent: Record<string | number, unknown> = copy;
      for (const p of path.slice(0, -1)) parent = parent[p] as Record<string | number, unknown>;
      if (value === undefined) delete parent[path[path.length - 1]];
      else parent[path[path.length - 1]] = value;
      out.push({ who: "admin", param: null, query: [], body: { kind: "json", value: copy } });
    }
  }
  out.push({
    who: "admin",
    param: null,
    query: [],
    body: { kind: "json", value: { ...base, [Object.keys(base)[0]]: MB } },
  });
  return out;
}

/** The systematic cases of one route and method: broken fields of its base, bad ids, bad query values. */
function systematic(route: ApiRoute, method: Method): FuzzInput[] {
  const base = BASES[`${method} ${route.template}`];
  const out = base ? fieldCases(base) : [];
  if (route.params.length)
    for (const id of BAD_IDS)
      out.push({ who: "admin", param: id, query: [], body: base ? { kind: "json", value: base } : { kind: "none" } });
  if (method === "GET")
    for (const name of QUERY_NAMES)
      for (const v of QUERY_VALUES) out.push({ who: "admin", param: null, query: [[name, v]], body: { kind: "none" } });
  return out;
}

const INSTANCES = instanceConfigs(1, "fz");
let sim: RunningSimulator;
let routes: ApiRoute[];
let cookies: Record<FuzzInput["who"], string | undefined>;
let realIds: Record<string, string>;

beforeAll(async () => {
  sim = await startSim(INSTANCES);
  await resetState();
  routes = await discoverApiRoutes();
  const [admin, trader, viewer] = [await makeUser("ADMIN"), await makeUser("TRADER"), await makeUser("VIEWER")];
  cookies = {
    none: undefined,
    admin: await sessionCookie(admin),
    trader: await sessionCookie(trader),
    viewer: await sessionCookie(viewer),
  };
  const [account] = await linkAccounts(sim, trader, INSTANCES);
  const strategy = await makeStrategy(trader, ironCondor());
  const { runId } = await startRun(trader.id, ironCondor());
  realIds = {
    account: account.id,
    strategy: strategy.id,
    run: runId,
    book: "positions",
    underlying: "NIFTY",
    orderId: "1",
    nextauth: "session",
  };
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

/** A real id of the right kind for a template's parameter (so handlers past the parsers are reached too). */
function realParam(template: string, name: string): string {
  if (name !== "id") return realIds[name] ?? "x";
  if (template.startsWith("/api/accounts/")) return realIds.account;
  if (template.startsWith("/api/runs/")) return realIds.run;
  if (template.startsWith("/api/strategies/")) return realIds.strategy;
  return randomUUID();
}

function requestFor(
  route: ApiRoute,
  method: Method,
  input: FuzzInput,
  signal: AbortSignal,
): { req: Request; params: Record<string, string | string[]> } {
  const values: Record<string, string> = {};
  for (const p of route.params) {
    // Deleting a real account or demoting a real user would only shrink what the rest of the run can reach.
    const keepReal = input.param === null && method !== "DELETE" && !route.template.startsWith("/api/users/");
    values[p] = keepReal ? realParam(route.template, p) : (input.param ?? "x");
  }
  const search = new URLSearchParams(
    input.query.map(([k, v]) => [k, typeof v === "string" ? v : (JSON.stringify(v) ?? "undefined")]),
  );
  const url = fillTemplate(route.template, values) + (input.query.length ? `?${search}` : "");
  const body =
    input.body.kind === "json"
      ? (JSON.stringify(input.body.value) ?? "null")
      : input.body.kind === "text"
        ? input.body.value
        : undefined;
  const base = jsonRequest(url, { method, cookie: cookies[input.who] });
  const req = new Request(base, { body, signal });
  const params = Object.fromEntries(
    route.params.map((p) => [p, route.template.includes(`[...${p}]`) ? [values[p]] : values[p]]),
  );
  return { req, params };
}

describe("generated bad input over every route", () => {
  it("never answers 5xx and never sends an order", async () => {
    const byStatus = new Map<number, number>();
    const failures: string[] = [];
    let requests = 0;
    let expected = 0;
    let seed = SEED;
    for (const route of routes) {
      for (const method of Object.keys(route.methods) as Method[]) {
        seed += 1;
        const cases = [...inputs(route, method, seed), ...systematic(route, method)];
        expected += cases.length;
        for (const input of cases) {
          const abort = new AbortController();
          const { req, params } = requestFor(route, method, input, abort.signal);
          let status: number;
          try {
            const res = await route.methods[method]!(req, paramsOf(params as Record<string, string>));
            status = res.status;
            if (status >= 500)
              failures.push(
                `${method} ${req.url.slice(0, 200)} (${input.who}) body=${JSON.stringify(input.body).slice(0, 300)} → ${status} ${(await res.text()).slice(0, 200)}`,
              );
            else await res.body?.cancel();
          } catch (e) {
            status = 599;
            failures.push(`${method} ${route.template} threw ${String(e).slice(0, 200)}`);
          }
          abort.abort(); // ends an SSE stream the request may have opened
          requests += 1;
          byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
        }
      }
    }
    const orders = sim.broker.receivedOrders(INSTANCES[0].id).length;
    const counts = Object.fromEntries([...byStatus].sort(([a], [b]) => a - b));
    console.log(
      `route fuzz: ${requests} requests over ${routes.length} route files; status counts ${JSON.stringify(counts)}; orders at the simulator: ${orders}`,
    );
    expect(failures).toEqual([]);
    expect(requests).toBe(expected);
    expect(requests).toBeGreaterThanOrEqual(1_000);
    expect(orders).toBe(0);
    expect(await db().orderIntent.count({ where: { brokerOrderId: { not: null } } })).toBe(0);
  }, 300_000);
});
