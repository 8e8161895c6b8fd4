/**
 * API-key authentication end to end against the real database and Redis: route({ auth: "apiKey" }) through small
 * routes built here and through real strategy service calls. Keys are made and revoked by the real API-key service.
 */
import { z } from "zod";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { route } from "@/lib/http/route";
import { createApiKey, revokeApiKey } from "@/lib/services/api-keys";
import { getStrategy, strategyUpdateSchema, updateStrategy } from "@/lib/services/strategies";
import { changeUser } from "@/lib/services/users";
import { ironCondor } from "@/lib/testing/dispatch-kit";
import { makeStrategy } from "@/lib/testing/exits-kit";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { GET as accountsGet } from "@/app/api/accounts/route";
import { GET as myKeysGet } from "@/app/api/me/api-keys/route";

beforeEach(resetState);
afterAll(closeConnections);

const whoAmI = route({ auth: "apiKey" }, async ({ user }) => ({ user }));
const note = route(
  { auth: "apiKey", access: "write", body: z.object({ note: z.string().max(20) }) },
  async ({ user, body }) => ({ by: user.id, note: body.note }),
);
const params = z.object({ id: z.uuid() });
const strategyGet = route({ auth: "apiKey", params }, async ({ user, params }) => ({
  strategy: await getStrategy(user, params.id),
}));
const strategyPatch = route(
  { auth: "apiKey", access: "write", params, body: strategyUpdateSchema },
  async ({ user, params, body, ip }) => ({ strategy: await updateStrategy(user, params.id, body, ip) }),
);

type User = Awaited<ReturnType<typeof makeUser>>;

async function keyOf(user: User, scope: "READ" | "TRADE" = "TRADE", now?: Date) {
  const { key } = await createApiKey(user, { name: `k-${scope}-${Math.random()}`, scope, expiresInDays: 1 }, "t", now);
  return key;
}

/** A request as a script sends it: no Origin, no cookie, the key in Authorization. */
function byKey(url: string, key: string | null, init: Parameters<typeof jsonRequest>[1] = {}) {
  return jsonRequest(url, {
    origin: null,
    ...init,
    headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...init.headers },
  });
}

const errorOf = async (res: Response) => ((await res.json()) as { error: { code: string; message: string } }).error;

describe("route({ auth: 'apiKey' })", () => {
  it("a valid key acts as its user, with its scope, and records when it was last used", async () => {
    const trader = await makeUser("TRADER");
    const key = await keyOf(trader, "READ");
    const res = await whoAmI(byKey("/t/me", key));
    expect(res.status).toBe(200);
    const { user } = await res.json();
    expect(user).toMatchObject({ id: trader.id, role: "TRADER", apiKeyScope: "READ" });
    const row = await db().apiKey.findFirstOrThrow({ where: { userId: trader.id } });
    expect(row.lastUsedAt).not.toBeNull();
    expect(user.apiKeyId).toBe(row.id);
  });

  it.each([
    ["no header", null],
    ["an unknown key", `mdk_${"A".repeat(43)}`],
    ["a malformed key", "mdk_short"],
    ["a webhook token", `whk_${"A".repeat(43)}`],
  ])("answers 401 to %s", async (_label, key) => {
    const res = await whoAmI(byKey("/t/me", key));
    expect(res.status).toBe(401);
    expect((await errorOf(res)).code).toBe("UNAUTHENTICATED");
  });

  it("answers 401 to a key sent as Basic or without the Bearer word", async () => {
    const key = await keyOf(await makeUser("TRADER"));
    expect((await whoAmI(byKey("/t/me", null, { headers: { authorization: `Basic ${key}` } }))).status).toBe(401);
    expect((await whoAmI(byKey("/t/me", null, { headers: { authorization: key } }))).status).toBe(401);
    expect((await whoAmI(byKey("/t/me", key))).status).toBe(200);
  });

  it("a revoked key is refused on the very next request", async () => {
    const trader = await makeUser("TRADER");
    const { key, apiKey } = await createApiKey(trader, { name: "bot", scope: "TRADE", expiresInDays: null }, "t");
    expect((await whoAmI(byKey("/t/me", key))).status).toBe(200);
    await revokeApiKey(trader, apiKey.id, "t");
    expect((await whoAmI(byKey("/t/me", key))).status).toBe(401);
  });

  it("an expired key is refused", async () => {
    const trader = await makeUser("TRADER");
    const key = await keyOf(trader, "TRADE", new Date(Date.now() - 2 * 86_400_000));
    expect((await whoAmI(byKey("/t/me", key))).status).toBe(401);
  });

  it("a deactivated user's key stops at once, and works again when the user is reactivated", async () => {
    const [admin, trader] = [await makeUser("ADMIN"), await makeUser("TRADER")];
    const key = await keyOf(trader);
    await changeUser(admin, trader.id, { active: false }, "t");
    expect((await whoAmI(byKey("/t/me", key))).status).toBe(401);
    await changeUser(admin, trader.id, { active: true }, "t");
    expect((await whoAmI(byKey("/t/me", key))).status).toBe(200);
  });

  it("a TRADE key follows its user's role at once: demoted to VIEWER it is refused writes, promoted back it writes", async () => {
    const [admin, trader] = [await makeUser("ADMIN"), await makeUser("TRADER")];
    const key = await keyOf(trader, "TRADE");
    const write = () => note(byKey("/t/note", key, { method: "POST", body: { note: "hi" } }));
    expect((await write()).status).toBe(200);

    await changeUser(admin, trader.id, { role: "VIEWER" }, "t");
    const refused = await write();
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toBe("Your role is read-only");
    const me = await (await whoAmI(byKey("/t/me", key))).json();
    expect(me.user).toMatchObject({ role: "VIEWER", apiKeyScope: "TRADE" });

    await changeUser(admin, trader.id, { role: "TRADER" }, "t");
    expect((await write()).status).toBe(200);
  });

  it("a READ key is refused every write with 'This API key is read-only', and nothing changes", async () => {
    const trader = await makeUser("TRADER");
    const strategy = await makeStrategy(trader, ironCondor(), "mine");
    const key = await keyOf(trader, "READ");
    const res = await note(byKey("/t/note", key, { method: "POST", body: { note: "hi" } }));
    expect(res.status).toBe(403);
    expect(await errorOf(res)).toEqual({ code: "FORBIDDEN", message: "This API key is read-only" });

    const patch = await strategyPatch(
      byKey(`/t/strategies/${strategy.id}`, key, { method: "PATCH", body: { name: "renamed" } }),
      paramsOf({ id: strategy.id }),
    );
    expect(patch.status).toBe(403);
    expect((await errorOf(patch)).message).toBe("This API key is read-only");
    expect((await db().strategy.findUniqueOrThrow({ where: { id: strategy.id } })).name).toBe("mine");
    // Reading is what the key is for.
    const read = await strategyGet(byKey(`/t/strategies/${strategy.id}`, key), paramsOf({ id: strategy.id }));
    expect(read.status).toBe(200);
    expect((await read.json()).strategy.name).toBe("mine");
  });

  it("a TRADE key changes its own user's things through the same service, and gets 404 for another owner's", async () => {
    const [alice, bob] = [await makeUser("TRADER"), await makeUser("TRADER")];
    const mine = await makeStrategy(alice, ironCondor(), "alice's");
    const theirs = await makeStrategy(bob, ironCondor(), "bob's");
    const key = await keyOf(alice, "TRADE");
    const patch = (id: string) =>
      strategyPatch(byKey(`/t/strategies/${id}`, key, { method: "PATCH", body: { name: "by key" } }), paramsOf({ id }));

    expect((await patch(mine.id)).status).toBe(200);
    expect((await db().strategy.findUniqueOrThrow({ where: { id: mine.id } })).name).toBe("by key");
    const other = await patch(theirs.id);
    expect(other.status).toBe(404);
    expect((await errorOf(other)).message).toBe("Strategy not found");
    expect((await strategyGet(byKey("/t/s", key), paramsOf({ id: theirs.id }))).status).toBe(404);
    expect((await db().strategy.findUniqueOrThrow({ where: { id: theirs.id } })).name).toBe("bob's");
  });

  it("ignores a session cookie on a key route, and a key on a session route", async () => {
    const trader = await makeUser("TRADER");
    const cookie = await sessionCookie(trader);
    const key = await keyOf(trader);
    expect((await whoAmI(jsonRequest("/t/me", { cookie }))).status).toBe(401);
    expect((await accountsGet(byKey("/api/accounts", key))).status).toBe(401);
    expect((await myKeysGet(byKey("/api/me/api-keys", key))).status).toBe(401);
    // The same calls with the right credential pass, so the 401s above are about the credential.
    expect((await accountsGet(jsonRequest("/api/accounts", { cookie }))).status).toBe(200);
  });

  it("accepts a cross-origin POST with a key (no ambient credential) but still only JSON", async () => {
    const trader = await makeUser("TRADER");
    const key = await keyOf(trader);
    const fromElsewhere = (headers: Record<string, string>, body: string) =>
      note(byKey("/t/note", key, { method: "POST", origin: "https://elsewhere.example", headers, body }));

    const ok = await fromElsewhere({}, JSON.stringify({ note: "hi" }));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ by: trader.id, note: "hi" });
    expect((await fromElsewhere({ "content-type": "text/plain" }, '{"note":"hi"}')).status).toBe(415);
    expect((await fromElsewhere({ "content-type": "application/x-www-form-urlencoded" }, "note=hi")).status).toBe(415);
    const bad = await fromElsewhere({}, JSON.stringify({ note: 5 }));
    expect(bad.status).toBe(400);
  });
});
