import { Writable } from "node:stream";
import Decimal from "decimal.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db, disconnectDb } from "@/lib/db/client";
import { disconnectRedis, redis } from "@/lib/redis";
import { redirectLog } from "@/lib/log";
import type { RunningSimulator } from "@/lib/simulator/server/simulator";
import { jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { hostOf, instanceConfigs, startSim } from "@/lib/testing/simulator";
import { GET as listRoute, POST as createRoute } from "@/app/api/accounts/route";
import { POST as testRoute } from "@/app/api/accounts/test/route";
import { DELETE as deleteRoute, GET as getRoute, PATCH as patchRoute } from "@/app/api/accounts/[id]/route";
import { GET as accountBookRoute } from "@/app/api/accounts/[id]/books/[book]/route";
import { DELETE as cancelRoute, PATCH as modifyRoute } from "@/app/api/accounts/[id]/orders/[orderId]/route";
import { GET as aggregateRoute } from "@/app/api/books/[book]/route";

let sim: RunningSimulator;
const [A1, A2, A3] = instanceConfigs(3);
const logLines: string[] = [];

beforeAll(async () => {
  sim = await startSim([A1, A2, A3]);
  redirectLog(new Writable({ write: (chunk, _enc, cb) => (logLines.push(chunk.toString()), cb()) }));
});
beforeEach(resetState);
afterAll(async () => {
  await sim.close();
  await disconnectRedis();
  await disconnectDb();
});

const body = (inst: typeof A1, extra: Record<string, unknown> = {}) => ({ name: `Acct ${inst.id}`, hostUrl: hostOf(sim, inst.id), wsUrl: sim.wsUrl, apiKey: inst.apiKey, ...extra });

async function link(cookie: string, inst: typeof A1, extra: Record<string, unknown> = {}) {
  const res = await createRoute(jsonRequest("/api/accounts", { body: body(inst, extra), cookie }));
  expect(res.status).toBe(201);
  return (await res.json()).account as { id: string; isPrimary: boolean; apiKeyLast4: string; status: string; brokerName: string };
}

async function placeAt(inst: typeof A1, order: Record<string, unknown>) {
  const res = await fetch(`${hostOf(sim, inst.id)}/api/v1/placeorder`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ apikey: inst.apiKey, strategy: "test", exchange: "NSE", symbol: "SBIN", action: "BUY", quantity: "1", pricetype: "MARKET", product: "MIS", ...order }),
  });
  return (await res.json()) as { orderid: string };
}

describe("linking accounts", () => {
  it("tests the connection before saving: wrong key, unreachable host and expired session give clear field errors", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const wrong = await createRoute(jsonRequest("/api/accounts", { body: body(A1, { apiKey: "definitely-not-the-key" }), cookie }));
    expect(wrong.status).toBe(400);
    const w = (await wrong.json()).error;
    expect(w.message).toMatch(/refused the API key/);
    expect(w.fields.apiKey[0]).toMatch(/wrong key or expired broker session/);

    const unreachable = await createRoute(jsonRequest("/api/accounts", { body: body(A1, { hostUrl: "http://127.0.0.1:9" }), cookie }));
    expect(unreachable.status).toBe(400);
    expect((await unreachable.json()).error.fields.hostUrl[0]).toMatch(/Cannot reach/);

    sim.broker.revokeSession(A1.id);
    const expired = await testRoute(jsonRequest("/api/accounts/test", { body: { hostUrl: hostOf(sim, A1.id), wsUrl: sim.wsUrl, apiKey: A1.apiKey }, cookie }));
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

    const dup = await createRoute(jsonRequest("/api/accounts", { body: body(A2, { name: `Acct ${A1.id}` }), cookie }));
    expect(dup.status).toBe(409);
    expect((await dup.json()).error.fields).toEqual({ name: ["Already used"] });
  });

  it("refuses to unlink an account with open positions, allows it once flat", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const acct = await link(cookie, A1);
    await placeAt(A1, { action: "BUY" });
    const refused = await deleteRoute(jsonRequest(`/api/accounts/${acct.id}`, { method: "DELETE", cookie }), paramsOf({ id: acct.id }));
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.message).toMatch(/open positions \(SBIN 1\)/);
    await placeAt(A1, { action: "SELL" });
    const ok = await deleteRoute(jsonRequest(`/api/accounts/${acct.id}`, { method: "DELETE", cookie }), paramsOf({ id: acct.id }));
    expect(ok.status).toBe(200);
    expect(await db().tradingAccount.count()).toBe(0);
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
    expect(accounts.map((a: { accountName: string; ok: boolean }) => [a.accountName, a.ok])).toEqual([[`Acct ${A1.id}`, true], [`Acct ${A2.id}`, true]]);
    const a2 = accounts.find((a: { accountName: string }) => a.accountName === `Acct ${A2.id}`);
    expect(a2.data).toEqual([expect.objectContaining({ orderId: placed.orderid, symbol: "SBIN", quantity: 3, status: "open", price: "1" })]);

    // A second read inside the cache window is served from Redis: same fetch time, no new broker call.
    const again = await (await aggregateRoute(jsonRequest("/api/books/orders", { cookie }), paramsOf({ book: "orders" }))).json();
    expect(again.accounts[1].fetchedAt).toBe(a2.fetchedAt);

    const a2Id = a2.accountId as string;
    const modified = await modifyRoute(jsonRequest(`/x`, { method: "PATCH", body: { price: "2", quantity: 4 }, cookie }), paramsOf({ id: a2Id, orderId: placed.orderid }));
    expect(modified.status).toBe(200);
    const afterModify = await (await accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id: a2Id, book: "orders" }))).json();
    expect(afterModify.data[0]).toMatchObject({ orderId: placed.orderid, price: "2", quantity: 4, status: "open" });

    const cancelled = await cancelRoute(jsonRequest(`/x`, { method: "DELETE", cookie }), paramsOf({ id: a2Id, orderId: placed.orderid }));
    expect(cancelled.status).toBe(200);
    // The user's own action invalidated the cache: the very next read shows the cancellation.
    const after = await (await accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id: a2Id, book: "orders" }))).json();
    expect(after.data[0].status).toBe("cancelled");
    const again2 = await cancelRoute(jsonRequest(`/x`, { method: "DELETE", cookie }), paramsOf({ id: a2Id, orderId: placed.orderid }));
    expect(again2.status).toBe(409);

    const funds = await (await accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id: a1.id, book: "funds" }))).json();
    // Available margin is defined once: available cash + collateral (domain.md); the simulator account has ₹20 lakh.
    expect(new Decimal(funds.data.availableMargin).eq(new Decimal(funds.data.cash).plus(funds.data.collateral))).toBe(true);
    expect(new Decimal(funds.data.availableMargin).gt(1_999_000)).toBe(true);
  });

  it("one failing account is reported, the others still answer", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    await link(cookie, A1);
    await link(cookie, A3);
    sim.broker.revokeSession(A3.id);
    try {
      const { accounts } = await (await aggregateRoute(jsonRequest("/api/books/positions", { cookie }), paramsOf({ book: "positions" }))).json();
      expect(accounts.map((a: { ok: boolean }) => a.ok)).toEqual([true, false]);
      expect(accounts[1].error.code).toBe("BROKER_AUTH");
    } finally {
      sim.broker.login(A3.id);
    }
  });
});

describe("unreadable credentials", () => {
  it("an account whose key no longer decrypts says so, and entering the key again repairs it", async () => {
    const user = await makeUser("TRADER");
    const cookie = await sessionCookie(user);
    const acct = await link(cookie, A1);
    // Simulate a lost key version: the stored value was sealed under a key that is not configured.
    const { encryptApiKey } = await import("@/lib/services/credentials");
    const { newKeyEntry, parseKeyRing } = await import("@/lib/crypto/credentials");
    await db().tradingAccount.update({ where: { id: acct.id }, data: { apiKeyEnc: encryptApiKey(parseKeyRing(newKeyEntry(9)), acct.id, A1.apiKey) } });

    const { accounts } = await (await aggregateRoute(jsonRequest("/api/books/funds", { cookie }), paramsOf({ book: "funds" }))).json();
    expect(accounts[0]).toMatchObject({ ok: false, error: { code: "CREDENTIAL_UNREADABLE" } });
    expect(accounts[0].error.message).toMatch(/enter the API key again/);

    const fixed = await patchRoute(jsonRequest("/x", { method: "PATCH", body: { apiKey: A1.apiKey }, cookie }), paramsOf({ id: acct.id }));
    expect(fixed.status).toBe(200);
    const again = await (await accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id: acct.id, book: "funds" }))).json();
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
      ["PATCH account", (c) => patchRoute(jsonRequest("/x", { method: "PATCH", body: { name: "Mine now" }, cookie: c }), paramsOf(p)), true],
      ["DELETE account", (c) => deleteRoute(jsonRequest("/x", { method: "DELETE", cookie: c }), paramsOf(p)), true],
      ["GET book", (c) => accountBookRoute(jsonRequest("/x", { cookie: c }), paramsOf({ ...p, book: "funds" })), false],
      ["PATCH order", (c) => modifyRoute(jsonRequest("/x", { method: "PATCH", body: { price: "1" }, cookie: c }), paramsOf({ ...p, orderId: "1" })), true],
      ["DELETE order", (c) => cancelRoute(jsonRequest("/x", { method: "DELETE", cookie: c }), paramsOf({ ...p, orderId: "1" })), true],
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
    // The stranger's lists do not contain the owner's account; an admin's do.
    expect((await (await listRoute(jsonRequest("/x", { cookie: stranger }))).json()).accounts).toEqual([]);
    const admin = await sessionCookie(await makeUser("ADMIN"));
    expect((await (await listRoute(jsonRequest("/x", { cookie: admin }))).json()).accounts.map((a: { id: string }) => a.id)).toEqual([acct.id]);
    expect(await db().tradingAccount.findUniqueOrThrow({ where: { id: acct.id } })).toMatchObject({ name: `Acct ${A1.id}` });
  });
});

describe("the API key never leaks", () => {
  it("is absent from API responses, log lines, audit rows, job payloads and every plaintext column", async () => {
    const cookie = await sessionCookie(await makeUser("TRADER"));
    const seen: string[] = [];
    const res = await createRoute(jsonRequest("/api/accounts", { body: body(A1), cookie }));
    seen.push(await res.text());
    const id = JSON.parse(seen[0]).account.id;
    seen.push(await (await listRoute(jsonRequest("/x", { cookie }))).text());
    seen.push(await (await getRoute(jsonRequest("/x", { cookie }), paramsOf({ id }))).text());
    seen.push(await (await patchRoute(jsonRequest("/x", { method: "PATCH", body: { apiKey: A1.apiKey, tags: ["x"] }, cookie }), paramsOf({ id }))).text());
    seen.push(await (await accountBookRoute(jsonRequest("/x", { cookie }), paramsOf({ id, book: "funds" }))).text());
    await createRoute(jsonRequest("/api/accounts", { body: body(A2, { apiKey: "wrong-key-should-not-leak-either" }), cookie }));
    const { checkAllAccounts } = await import("@/lib/services/account-health");
    await checkAllAccounts(new Date());

    const tables = await db().$queryRawUnsafe<{ j: string }[]>(
      `SELECT row_to_json(t)::text AS j FROM trading_accounts t UNION ALL SELECT row_to_json(a)::text FROM audit_logs a UNION ALL SELECT row_to_json(l)::text FROM alerts l`,
    );
    const redisValues: string[] = [];
    for (const key of await redis().keys("*")) {
      const type = await redis().type(key);
      if (type === "string") redisValues.push((await redis().get(key)) ?? "");
      if (type === "hash") redisValues.push(JSON.stringify(await redis().hgetall(key)));
    }
    const haystack = [...seen, ...logLines, ...tables.map((t) => t.j), ...redisValues].join("\n");
    expect(seen.join("")).toContain(A1.apiKey.slice(-4));
    for (const secret of [A1.apiKey, A2.apiKey, "wrong-key-should-not-leak-either"]) expect(haystack).not.toContain(secret);
  });
});
