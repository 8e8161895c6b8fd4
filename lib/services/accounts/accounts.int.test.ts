import { Writable } from "node:stream";
import Decimal from "decimal.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { redirectLog } from "@/lib/log";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { hostOf, instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { GET as listRoute, POST as createRoute } from "@/app/api/accounts/route";
import { POST as testRoute } from "@/app/api/accounts/test/route";
import { DELETE as deleteRoute, GET as getRoute, PATCH as patchRoute } from "@/app/api/accounts/[id]/route";
import { GET as accountBookRoute } from "@/app/api/accounts/[id]/books/[book]/route";
import { DELETE as cancelRoute, PATCH as modifyRoute } from "@/app/api/accounts/[id]/orders/[orderId]/route";
import { GET as aggregateRoute } from "@/app/api/books/[book]/route";
import { POST as createStrategyRoute } from "@/app/api/strategies/route";
import { POST as executeRoute } from "@/app/api/strategies/[id]/execute/route";
import { invalidateBooks } from "./books";
import { ironCondor, startDispatchWorker, waitForRun } from "@/lib/testing/dispatch-kit";
import { everyDatabaseText, everyJobPayload, everyRedisValue } from "@/lib/testing/secret-search";

let sim: RunningSimulator;
const [A1, A2, A3, A4] = instanceConfigs(4);
const logLines: string[] = [];

beforeAll(async () => {
  sim = await startSim([A1, A2, A3, A4]);
  redirectLog(new Writable({ write: (chunk, _enc, cb) => (logLines.push(chunk.toString()), cb()) }));
});
beforeEach(resetState);
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

const body = (inst: typeof A1, extra: Record<string, unknown> = {}) => ({
  name: `Acct ${inst.id}`,
  hostUrl: hostOf(sim, inst.id),
  wsUrl: sim.wsUrl,
  apiKey: inst.apiKey,
  ...extra,
});

async function link(cookie: string, inst: typeof A1, extra: Record<string, unknown> = {}) {
  const res = await createRoute(jsonRequest("/api/accounts", { body: body(inst, extra), cookie }));
  expect(res.status).toBe(201);
  return (await res.json()).account as {
    id: string;
    isPrimary: boolean;
    apiKeyLast4: string;
    status: string;
    brokerName: string;
  };
}

async function placeAt(inst: typeof A1, order: Record<string, unknown>) {
  const res = await fetch(`${hostOf(sim, inst.id)}/api/v1/placeorder`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      apikey: inst.apiKey,
      strategy: "test",
      exchange: "NSE",
      symbol: "SBIN",
      action: "BUY",
      quantity: "1",
      pricetype: "MARKET",
      product: "MIS",
      ...order,
    }),
  });
  return (await res.json()) as { orderid: string };
}

describe("linking accounts", () => {
  it("tests the connection before saving: wrong key, unreachable host and expired session give clear field errors", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const wrong = await createRoute(
      jsonRequest("/api/accounts", { body: body(A1, { apiKey: "definitely-not-the-key" }), cookie }),
    );
    expect(wrong.status).toBe(400);
    const w = (await wrong.json()).error;
    expect(w.message).toMatch(/refused the API key/);
    expect(w.fields.apiKey[0]).toMatch(/wrong key or expired broker session/);

    const unreachable = await createRoute(
      jsonRequest("/api/accounts", { body: body(A1, { hostUrl: "http://127.0.0.1:9" }), cookie }),
    );
    expect(unreachable.status).toBe(400);
    expect((await unreachable.json()).error.fields.hostUrl[0]).toMatch(/Cannot reach/);

    sim.broker.revokeSession(A1.id);
    const expired = await testRoute(
      jsonRequest("/api/accounts/test", {
        body: { hostUrl: hostOf(sim, A1.id), wsUrl: sim.wsUrl, apiKey: A1.apiKey },
        cookie,
      }),
    );
    expect(expired.status).toBe(400);
    expect((await expired.json()).error.message).toMatch(/session .* has expired/);
    sim.broker.login(A1.id);

    expect(await db().tradingAccount.count()).toBe(0);
  });

  it("links with the right key: connected, the first is primary, the key shows only its last 4", async () => {
    const user = await makeUser("TRADER");
    const cookie = await sessionCookie(user);
    const first = await link(cookie, A1);
    expect(first).toMatchObject({ isPrimary: true, status: "CONNECTED", apiKeyLast4: A1.apiKey.slice(-4) });
    expect(first.brokerName).toBeTruthy();
    const second = await link(cookie, A2);
    expect(second.isPrimary).toBe(false);
    const third = await link(cookie, A3, { isPrimary: true });
    expect(third.isPrimary).toBe(true);
    const all = await db().tradingAccount.findMany({ where: { ownerId: user.id, isPrimary: true } });
    expect(all.map((a) => a.id)).toEqual([third.id]);

    const dup = await createRoute(jsonRequest("/api/accounts", { body: body(A4, { name: `Acct ${A1.id}` }), cookie }));
    expect(dup.status).toBe(409);
    expect((await dup.json()).error.fields).toEqual({ name: ["Already used"] });
  });

  it("refuses to unlink an account with open positions, allows it once flat", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const acct = await link(cookie, A1);
    await placeAt(A1, { action: "BUY" });
    const refused = await deleteRoute(
      jsonRequest(`/api/accounts/${acct.id}`, { method: "DELETE", cookie }),
      paramsOf({ id: acct.id }),
    );
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.message).toMatch(/open positions \(SBIN 1\)/);
    await placeAt(A1, { action: "SELL" });
    const ok = await deleteRoute(
      jsonRequest(`/api/accounts/${acct.id}`, { method: "DELETE", cookie }),
      paramsOf({ id: acct.id }),
    );
    expect(ok.status).toBe(200);
    expect(await db().tradingAccount.count()).toBe(0);
  });
});

describe("editing accounts", () => {
  it("a PATCH changes only the fields it sends: renaming keeps every other setting", async () => {
    const user = await makeUser("TRADER");
    const cookie = await sessionCookie(user);
    await link(cookie, A1);
    // Every setting away from its default (isPrimary: the second account asks for it explicitly).
    const custom = {
      isPrimary: true,
      active: false,
      tags: ["alpha", "beta"],
      lotMultiplier: 2.5,
      maxLotsPerLeg: 7,
      orderRatePerSec: 3,
      otherRatePerSec: 4,
    };
    const acct = await link(cookie, A2, custom);
    const before = await db().tradingAccount.findUniqueOrThrow({ where: { id: acct.id } });
    expect(before).toMatchObject({ ...custom, lotMultiplier: expect.anything() });
    expect(before.lotMultiplier.toString()).toBe("2.5");

    const res = await patchRoute(
      jsonRequest("/x", { method: "PATCH", body: { name: "Renamed" }, cookie }),
      paramsOf({ id: acct.id }),
    );
    expect(res.status).toBe(200);
    const after = await db().tradingAccount.findUniqueOrThrow({ where: { id: acct.id } });
    expect(after).toEqual({ ...before, name: "Renamed", updatedAt: after.updatedAt });
    expect((await res.json()).account).toMatchObject({ ...custom, lotMultiplier: "2.5", name: "Renamed" });
  });
});

describe("books across accounts", () => {
  it("shows an order placed in the simulator on the aggregated Orders with its account, cached, and cancels/modifies it", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const a1 = await link(cookie, A1);
    await link(cookie, A2);
    const placed = await placeAt(A2, { symbol: "SBIN", pricetype: "LIMIT", price: "1", quantity: "3" });

    const res = await aggregateRoute(jsonRequest("/api/books/orders", { cookie }), paramsOf({ book: "orders" }));
    const { accounts } = await res.json();
    expect(accounts.map((a: { accountName: string; ok: boolean }) => [a.accountName, a.ok])).toEqual([
      [`Acct ${A1.id}`, true],
      [`Acct ${A2.id}`, true],
    ]);
    const a2 = accounts.find((a: { accountName: string }) => a.accountName === `Acct ${A2.id}`);
    expect(a2.data).toEqual([
      expect.objectContaining({ orderId: placed.orderid, symbol: "SBIN", quantity: 3, status: "open", price: "1" }),
    ]);

    // A second read inside the cache window is served from Redis: same fetch time, no new broker call.
    const again = await (
      await aggregateRoute(jsonRequest("/api/books/orders", { cookie }), paramsOf({ book: "orders" }))
    ).json();
    expect(again.accounts[1].fetchedAt).toBe(a2.fetchedAt);

    const a2Id = a2.accountId as string;
    const modified = await modifyRoute(
      jsonRequest(`/x`, { method: "PATCH", body: { price: "2", quantity: 4 }, cookie }),
      paramsOf({ id: a2Id, orderId: placed.orderid }),
    );
    expect(modified.status).toBe(200);
    const afterModify = await (
      await accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id: a2Id, book: "orders" }))
    ).json();
    expect(afterModify.data[0]).toMatchObject({ orderId: placed.orderid, price: "2", quantity: 4, status: "open" });

    const cancelled = await cancelRoute(
      jsonRequest(`/x`, { method: "DELETE", cookie }),
      paramsOf({ id: a2Id, orderId: placed.orderid }),
    );
    expect(cancelled.status).toBe(200);
    // The user's own action invalidated the cache: the very next read shows the cancellation.
    const after = await (
      await accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id: a2Id, book: "orders" }))
    ).json();
    expect(after.data[0].status).toBe("cancelled");
    const again2 = await cancelRoute(
      jsonRequest(`/x`, { method: "DELETE", cookie }),
      paramsOf({ id: a2Id, orderId: placed.orderid }),
    );
    expect(again2.status).toBe(409);

    const funds = await (
      await accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id: a1.id, book: "funds" }))
    ).json();
    // Available margin is defined once: available cash + collateral (docs/trading-facts.md); the simulator account has ₹20 lakh.
    expect(new Decimal(funds.data.availableMargin).eq(new Decimal(funds.data.cash).plus(funds.data.collateral))).toBe(
      true,
    );
    expect(new Decimal(funds.data.availableMargin).gt(1_999_000)).toBe(true);
  });

  it("one failing account is reported, the others still answer", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    await link(cookie, A1);
    await link(cookie, A3);
    sim.broker.revokeSession(A3.id);
    try {
      const { accounts } = await (
        await aggregateRoute(jsonRequest("/api/books/positions", { cookie }), paramsOf({ book: "positions" }))
      ).json();
      expect(accounts.map((a: { ok: boolean }) => a.ok)).toEqual([true, false]);
      expect(accounts[1].error.code).toBe("BROKER_AUTH");
    } finally {
      sim.broker.login(A3.id);
    }
  });

  it("a broker's failure is cached for the book TTL like data; invalidating the account (or the user editing it) asks again", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const a1 = await link(cookie, A1);
    const a3 = await link(cookie, A3);
    const read = async () =>
      (await (await aggregateRoute(jsonRequest("/api/books/funds", { cookie }), paramsOf({ book: "funds" }))).json())
        .accounts;
    const single = () => accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id: a3.id, book: "funds" }));
    sim.broker.revokeSession(A3.id);
    try {
      expect((await read())[1]).toMatchObject({ accountId: a3.id, ok: false, error: { code: "BROKER_AUTH" } });
    } finally {
      sim.broker.login(A3.id);
    }
    // The broker would answer now, but inside the TTL nobody asks it: every tab sees the cached failure.
    expect((await read())[1]).toMatchObject({ ok: false, error: { code: "BROKER_AUTH" } });
    const cachedSingle = await single();
    expect(cachedSingle.status).toBe(424);
    expect((await cachedSingle.json()).error.code).toBe("BROKER_AUTH");

    await invalidateBooks([a1.id, a3.id]);
    expect((await read()).map((a: { ok: boolean }) => a.ok)).toEqual([true, true]);

    sim.broker.revokeSession(A3.id);
    await invalidateBooks([a3.id]);
    try {
      expect((await single()).status).toBe(424);
    } finally {
      sim.broker.login(A3.id);
    }
    // The user's own action (an account edit) drops the cached failure at once.
    expect(
      (await patchRoute(jsonRequest("/x", { method: "PATCH", body: { tags: ["t"] }, cookie }), paramsOf({ id: a3.id })))
        .status,
    ).toBe(200);
    expect((await single()).status).toBe(200);
  });

  it("invalidateBooks drops the cached books of exactly the given accounts", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    await link(cookie, A1);
    await link(cookie, A2);
    const orders = async () =>
      Object.fromEntries(
        (
          await (
            await aggregateRoute(jsonRequest("/api/books/orders", { cookie }), paramsOf({ book: "orders" }))
          ).json()
        ).accounts.map((a: { accountName: string; accountId: string; data: unknown[] }) => [
          a.accountName,
          { id: a.accountId, n: a.data.length },
        ]),
      ) as Record<string, { id: string; n: number }>;
    // The simulator keeps earlier tests' orders: count from what is there now.
    const counts = (b: Record<string, { n: number }>) => [b[`Acct ${A1.id}`].n, b[`Acct ${A2.id}`].n];
    const first = await orders();
    const [n1, n2] = counts(first);
    await placeAt(A1, { pricetype: "LIMIT", price: "1" });
    await placeAt(A2, { pricetype: "LIMIT", price: "1" });
    // Still cached: neither new order shows.
    expect(counts(await orders())).toEqual([n1, n2]);
    await invalidateBooks([first[`Acct ${A2.id}`].id]);
    expect(counts(await orders())).toEqual([n1, n2 + 1]);
    await invalidateBooks([]);
  });
});

describe("unreadable credentials", () => {
  it("an account whose key no longer decrypts says so, and entering the key again repairs it", async () => {
    const user = await makeUser("TRADER");
    const cookie = await sessionCookie(user);
    const acct = await link(cookie, A1);
    // Simulate a lost key version: the stored value was sealed under a key that is not configured.
    const { encryptApiKey } = await import("@/lib/services/broker-access");
    const { newKeyEntry, parseKeyRing } = await import("@/lib/crypto/credentials");
    await db().tradingAccount.update({
      where: { id: acct.id },
      data: { apiKeyEnc: encryptApiKey(parseKeyRing(newKeyEntry(9)), acct.id, A1.apiKey) },
    });

    const { accounts } = await (
      await aggregateRoute(jsonRequest("/api/books/funds", { cookie }), paramsOf({ book: "funds" }))
    ).json();
    expect(accounts[0]).toMatchObject({ ok: false, error: { code: "CREDENTIAL_UNREADABLE" } });
    expect(accounts[0].error.message).toMatch(/enter the API key again/);

    const fixed = await patchRoute(
      jsonRequest("/x", { method: "PATCH", body: { apiKey: A1.apiKey }, cookie }),
      paramsOf({ id: acct.id }),
    );
    expect(fixed.status).toBe(200);
    const again = await (
      await accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id: acct.id, book: "funds" }))
    ).json();
    expect(again.data.cash).toBeDefined();
  });
});

describe("authorization sweep", () => {
  it("another user's account ids give 404, no session 401, a VIEWER's writes 403", async () => {
    const owner = await makeUser("TRADER");
    const acct = await link(await sessionCookie(owner), A1);
    const stranger = await sessionCookie(await makeUser("TRADER"));
    const viewer = await sessionCookie(await makeUser("VIEWER"));
    const p = { id: acct.id };
    const calls: [string, (cookie?: string) => Promise<Response>, boolean][] = [
      ["GET account", (c) => getRoute(jsonRequest("/x", { cookie: c }), paramsOf(p)), false],
      [
        "PATCH account",
        (c) => patchRoute(jsonRequest("/x", { method: "PATCH", body: { name: "Mine now" }, cookie: c }), paramsOf(p)),
        true,
      ],
      ["DELETE account", (c) => deleteRoute(jsonRequest("/x", { method: "DELETE", cookie: c }), paramsOf(p)), true],
      ["GET book", (c) => accountBookRoute(jsonRequest("/x", { cookie: c }), paramsOf({ ...p, book: "funds" })), false],
      [
        "PATCH order",
        (c) =>
          modifyRoute(
            jsonRequest("/x", { method: "PATCH", body: { price: "1" }, cookie: c }),
            paramsOf({ ...p, orderId: "1" }),
          ),
        true,
      ],
      [
        "DELETE order",
        (c) => cancelRoute(jsonRequest("/x", { method: "DELETE", cookie: c }), paramsOf({ ...p, orderId: "1" })),
        true,
      ],
    ];
    for (const [name, call, write] of calls) {
      expect([name, (await call()).status]).toEqual([name, 401]);
      expect([name, (await call(stranger)).status]).toEqual([name, 404]);
      expect([name, (await call(viewer)).status]).toEqual([name, write ? 403 : 404]);
    }
    for (const [name, call] of [
      ["POST accounts", (c?: string) => createRoute(jsonRequest("/api/accounts", { body: body(A2), cookie: c }))],
      ["POST test", (c?: string) => testRoute(jsonRequest("/api/accounts/test", { body: body(A2), cookie: c }))],
    ] as const) {
      expect([name, (await call()).status]).toEqual([name, 401]);
      expect([name, (await call(viewer)).status]).toEqual([name, 403]);
    }
    // Naming another user's account in a filter or a form is a 404 too, never a silently smaller answer.
    const foreignBooks = await aggregateRoute(
      jsonRequest(`/api/books/orders?accounts=${acct.id}`, { cookie: stranger }),
      paramsOf({ book: "orders" }),
    );
    expect(foreignBooks.status).toBe(404);
    const ownBooks = await aggregateRoute(
      jsonRequest(`/api/books/orders?accounts=${acct.id}`, { cookie: await sessionCookie(owner) }),
      paramsOf({ book: "orders" }),
    );
    expect(ownBooks.status).toBe(200);
    expect((await ownBooks.json()).accounts.map((a: { accountId: string }) => a.accountId)).toEqual([acct.id]);
    for (const typed of [{}, { apiKey: A2.apiKey }]) {
      const foreignTest = await testRoute(
        jsonRequest("/api/accounts/test", {
          body: { hostUrl: hostOf(sim, A1.id), wsUrl: sim.wsUrl, accountId: acct.id, ...typed },
          cookie: stranger,
        }),
      );
      expect([typed, foreignTest.status]).toEqual([typed, 404]);
    }
    // The stranger's lists do not contain the owner's account; an admin's do.
    expect((await (await listRoute(jsonRequest("/x", { cookie: stranger }))).json()).accounts).toEqual([]);
    const admin = await sessionCookie(await makeUser("ADMIN"));
    expect(
      (await (await listRoute(jsonRequest("/x", { cookie: admin }))).json()).accounts.map((a: { id: string }) => a.id),
    ).toEqual([acct.id]);
    expect(await db().tradingAccount.findUniqueOrThrow({ where: { id: acct.id } })).toMatchObject({
      name: `Acct ${A1.id}`,
    });
  });
});

describe("the API key never leaks", () => {
  it("is absent from API responses, log lines, every text column of every table, every Redis key and every job payload", async () => {
    const user = await makeUser("TRADER");
    const cookie = await sessionCookie(user);
    logLines.length = 0;
    const seen: string[] = [];
    const res = await createRoute(jsonRequest("/api/accounts", { body: body(A1), cookie }));
    seen.push(await res.text());
    const id = JSON.parse(seen[0]).account.id as string;
    seen.push(await (await listRoute(jsonRequest("/x", { cookie }))).text());
    seen.push(await (await getRoute(jsonRequest("/x", { cookie }), paramsOf({ id }))).text());
    seen.push(
      await (
        await patchRoute(
          jsonRequest("/x", { method: "PATCH", body: { apiKey: A1.apiKey, tags: ["x"] }, cookie }),
          paramsOf({ id }),
        )
      ).text(),
    );
    seen.push(await (await accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id, book: "funds" }))).text());
    seen.push(
      await (
        await testRoute(
          jsonRequest("/api/accounts/test", {
            body: { hostUrl: hostOf(sim, A1.id), wsUrl: sim.wsUrl, accountId: id },
            cookie,
          }),
        )
      ).text(),
    );
    await createRoute(
      jsonRequest("/api/accounts", { body: body(A2, { apiKey: "wrong-key-should-not-leak-either" }), cookie }),
    );
    const { checkAllAccounts } = await import("./health");
    await checkAllAccounts(new Date());

    // Real jobs: execute a strategy for the account (dispatch jobs), and let a real dispatch worker send its orders
    // (intents, broker answers, fill-poll schedulers, log lines of broker calls).
    const strategy = await createStrategyRoute(
      jsonRequest("/api/strategies", {
        body: { name: "Leak hunt", definition: ironCondor(), accountIds: [id] },
        cookie,
      }),
    );
    expect(strategy.status).toBe(201);
    const strategyId = (await strategy.json()).strategy.id as string;
    const worker = await startDispatchWorker({ reconcileWindowMs: 1_000, pollIntervalMs: 100, refusedBackoffMs: 50 });
    let runId: string;
    try {
      const executed = await executeRoute(
        jsonRequest("/x", { body: { idempotencyKey: "leak-hunt-0001" }, cookie }),
        paramsOf({ id: strategyId }),
      );
      expect(executed.status).toBe(201);
      runId = (await executed.json()).runId;
      expect((await waitForRun(runId)).status).toBe("COMPLETED");
    } finally {
      await worker.close();
    }

    const jobPayloads = await everyJobPayload();
    const database = await everyDatabaseText();
    const redisValues = await everyRedisValue();

    // The search reaches real data: the account id in jobs, rows, Redis and logs; the key's last 4 in its column.
    expect(jobPayloads.filter((j) => j.value.includes(id)).length).toBeGreaterThan(0);
    expect(jobPayloads.some((j) => j.value.includes(runId))).toBe(true);
    expect(database.some((d) => d.where === "trading_accounts.api_key_last4" && d.value === A1.apiKey.slice(-4))).toBe(
      true,
    );
    expect(database.some((d) => d.where === "strategy_runs.plan" && d.value.includes(id))).toBe(true);
    expect(database.some((d) => d.where === "order_intents.broker_order_id")).toBe(true);
    expect(database.some((d) => d.where.startsWith("audit_logs.") && d.value.includes(id))).toBe(true);
    expect(redisValues.some((r) => r.value.includes(id))).toBe(true);
    expect(logLines.some((l) => l.includes(id))).toBe(true);
    expect(seen.join("")).toContain(A1.apiKey.slice(-4));

    const places = [
      ...seen.map((value, i) => ({ where: `response ${i}`, value })),
      ...logLines.map((value, i) => ({ where: `log line ${i}`, value })),
      ...database,
      ...redisValues,
      ...jobPayloads,
    ];
    for (const secret of [A1.apiKey, A2.apiKey, "wrong-key-should-not-leak-either"]) {
      expect(places.filter((p) => p.value.includes(secret)).map((p) => p.where)).toEqual([]);
    }
  });
});
