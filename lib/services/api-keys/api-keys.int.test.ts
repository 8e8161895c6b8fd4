/** Managing one's own API keys through the session routes, against the real database and Redis. */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { hashApiKey } from "@/lib/auth/api-keys";
import { route } from "@/lib/http/route";
import { MAX_ACTIVE_API_KEYS } from "@/lib/services/api-keys";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { GET as listGet, POST as createPost } from "@/app/api/me/api-keys/route";
import { DELETE as revokeDelete } from "@/app/api/me/api-keys/[id]/route";

beforeEach(resetState);
afterAll(closeConnections);

type User = Awaited<ReturnType<typeof makeUser>>;
const whoAmI = route({ auth: "apiKey" }, async ({ user }) => ({ id: user.id }));
const useKey = (key: string) =>
  whoAmI(jsonRequest("/t/me", { origin: null, headers: { authorization: `Bearer ${key}` } }));

async function create(user: User, body: unknown) {
  return createPost(jsonRequest("/api/me/api-keys", { body, cookie: await sessionCookie(user) }));
}
async function list(user: User) {
  const res = await listGet(jsonRequest("/api/me/api-keys", { cookie: await sessionCookie(user) }));
  expect(res.status).toBe(200);
  return { text: await res.clone().text(), keys: (await res.json()).apiKeys as Record<string, unknown>[] };
}
async function revoke(user: User, id: string) {
  const req = jsonRequest(`/api/me/api-keys/${id}`, { method: "DELETE", cookie: await sessionCookie(user) });
  return revokeDelete(req, paramsOf({ id }));
}
/** Every column of the rows as text (audit ids are bigints). */
const dump = (rows: unknown) => JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? String(v) : v));
const fieldsOf = async (res: Response) =>
  ((await res.json()) as { error: { fields?: Record<string, string[]> } }).error;

describe("POST /api/me/api-keys", () => {
  it("creates a key shown once; the row holds only its hash; list, audit and later answers never carry it", async () => {
    const trader = await makeUser("TRADER");
    const res = await create(trader, { name: " ci bot ", scope: "TRADE", expiresInDays: 30 });
    expect(res.status).toBe(200);
    const { key, apiKey } = await res.json();
    expect(key).toMatch(/^mdk_[A-Za-z0-9_-]{43}$/);
    expect(apiKey).toMatchObject({ name: "ci bot", scope: "TRADE", hint: key.slice(0, 10), status: "active" });
    expect(apiKey.lastUsedAt).toBeNull();
    const days = (Date.parse(apiKey.expiresAt) - Date.parse(apiKey.createdAt)) / 86_400_000;
    expect(days).toBeCloseTo(30, 2);

    const row = await db().apiKey.findUniqueOrThrow({ where: { id: apiKey.id } });
    expect(row.keyHash).toBe(hashApiKey(key));
    expect(JSON.stringify(row)).not.toContain(key);

    expect((await useKey(key)).status).toBe(200);
    const { text, keys } = await list(trader);
    expect(text).not.toContain(key);
    expect(text).not.toContain(row.keyHash);
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ id: apiKey.id, status: "active" });
    expect(keys[0].lastUsedAt).not.toBeNull();

    const audit = await db().auditLog.findMany({ where: { entityId: apiKey.id } });
    expect(audit.map((a) => a.action)).toEqual(["apiKey.create"]);
    expect(dump(audit)).not.toContain(key);
    expect(dump(audit)).not.toContain(row.keyHash);
    expect((await revoke(trader, apiKey.id)).status).toBe(200);
    expect(dump(await db().auditLog.findMany())).not.toContain(key);
  });

  it("with no expiry the key never expires", async () => {
    const res = await create(await makeUser("TRADER"), { name: "forever", scope: "READ" });
    expect(res.status).toBe(200);
    expect((await res.json()).apiKey.expiresAt).toBeNull();
  });

  it.each([
    [{ scope: "READ" }, "name"],
    [{ name: "   ", scope: "READ" }, "name"],
    [{ name: "x".repeat(61), scope: "READ" }, "name"],
    [{ name: "k" }, "scope"],
    [{ name: "k", scope: "ADMIN" }, "scope"],
    [{ name: "k", scope: "READ", expiresInDays: 0 }, "expiresInDays"],
    [{ name: "k", scope: "READ", expiresInDays: 366 }, "expiresInDays"],
    [{ name: "k", scope: "READ", expiresInDays: 1.5 }, "expiresInDays"],
    [{ name: "k", scope: "READ", expiresInDays: "7" }, "expiresInDays"],
  ])("400 naming the field for %j → %s", async (body, field) => {
    const trader = await makeUser("TRADER");
    const res = await create(trader, body);
    expect(res.status).toBe(400);
    expect(Object.keys((await fieldsOf(res)).fields ?? {})).toEqual([field]);
    expect(await db().apiKey.count()).toBe(0);
  });

  it("a VIEWER may create a READ key but not a TRADE key (403 naming scope)", async () => {
    const viewer = await makeUser("VIEWER");
    expect((await create(viewer, { name: "dash", scope: "READ" })).status).toBe(200);
    const refused = await create(viewer, { name: "trade", scope: "TRADE" });
    expect(refused.status).toBe(403);
    const error = await fieldsOf(refused);
    expect(error).toMatchObject({ code: "FORBIDDEN", message: "Your role is read-only" });
    expect(Object.keys(error.fields ?? {})).toEqual(["scope"]);
    expect(await db().apiKey.count({ where: { userId: viewer.id } })).toBe(1);
  });

  it("409 naming name for a name already used by the same user (another user may use it)", async () => {
    const [alice, bob] = [await makeUser("TRADER"), await makeUser("TRADER")];
    expect((await create(alice, { name: "bot", scope: "READ" })).status).toBe(200);
    const dup = await create(alice, { name: "bot", scope: "TRADE" });
    expect(dup.status).toBe(409);
    expect(Object.keys((await fieldsOf(dup)).fields ?? {})).toEqual(["name"]);
    expect((await create(bob, { name: "bot", scope: "READ" })).status).toBe(200);
  });

  it(`409 past ${MAX_ACTIVE_API_KEYS} active keys; revoking one makes room`, async () => {
    const trader = await makeUser("TRADER");
    const ids: string[] = [];
    for (let i = 0; i < MAX_ACTIVE_API_KEYS; i += 1) {
      const res = await create(trader, { name: `k${i}`, scope: "READ" });
      expect(res.status).toBe(200);
      ids.push((await res.json()).apiKey.id);
    }
    const over = await create(trader, { name: "one too many", scope: "READ" });
    expect(over.status).toBe(409);
    expect((await over.json()).error.message).toMatch(/At most 20 active keys/);
    expect((await revoke(trader, ids[0])).status).toBe(200);
    expect((await create(trader, { name: "one too many", scope: "READ" })).status).toBe(200);
  });
});

describe("GET /api/me/api-keys and DELETE /api/me/api-keys/[id]", () => {
  it("lists only one's own keys, admins included", async () => {
    const [admin, trader] = [await makeUser("ADMIN"), await makeUser("TRADER")];
    await create(trader, { name: "trader's", scope: "READ" });
    await create(admin, { name: "admin's", scope: "TRADE" });
    expect((await list(admin)).keys.map((k) => k.name)).toEqual(["admin's"]);
    expect((await list(trader)).keys.map((k) => k.name)).toEqual(["trader's"]);
  });

  it("revoking stops the key on the next request, shows it revoked, audits once; again changes nothing", async () => {
    const trader = await makeUser("TRADER");
    const { key, apiKey } = await (await create(trader, { name: "bot", scope: "TRADE" })).json();
    expect((await useKey(key)).status).toBe(200);
    const res = await revoke(trader, apiKey.id);
    expect(res.status).toBe(200);
    expect((await res.json()).apiKey).toMatchObject({ id: apiKey.id, status: "revoked" });
    expect((await useKey(key)).status).toBe(401);
    expect((await list(trader)).keys[0]).toMatchObject({ status: "revoked" });
    expect((await revoke(trader, apiKey.id)).status).toBe(200);
    expect(await db().auditLog.count({ where: { action: "apiKey.revoke", entityId: apiKey.id } })).toBe(1);
  });

  it("another user's key is 404 for everyone, admins included, and keeps working", async () => {
    const [admin, alice, bob] = [await makeUser("ADMIN"), await makeUser("TRADER"), await makeUser("TRADER")];
    const { key, apiKey } = await (await create(alice, { name: "bot", scope: "READ" })).json();
    for (const other of [admin, bob]) {
      const res = await revoke(other, apiKey.id);
      expect(res.status).toBe(404);
      expect((await res.json()).error.message).toBe("API key not found");
    }
    expect((await revoke(bob, "00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await revoke(bob, "not-an-id")).status).toBe(400);
    expect((await useKey(key)).status).toBe(200);
  });

  it("shows an expired key as expired", async () => {
    const trader = await makeUser("TRADER");
    const { apiKey } = await (await create(trader, { name: "old", scope: "READ", expiresInDays: 1 })).json();
    await db().apiKey.update({ where: { id: apiKey.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await list(trader)).keys[0]).toMatchObject({ status: "expired" });
  });
});
