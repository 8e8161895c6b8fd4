import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { makeStrategy } from "@/lib/testing/exits-kit";
import { ironCondor } from "@/lib/testing/dispatch-kit";
import { env } from "@/lib/env";
import { DELETE, GET, PATCH, POST } from "@/app/api/strategies/[id]/webhook/route";
import { POST as ROTATE } from "@/app/api/strategies/[id]/webhook/rotate/route";
import { decryptHmacSecret, hashWebhookToken } from "./token";
import { TRADINGVIEW_SENDER_IPS } from "./settings-schema";

beforeEach(resetState);
afterAll(closeConnections);

async function setup() {
  const owner = await makeUser("TRADER");
  const strategy = await makeStrategy(owner, ironCondor());
  return { owner, strategy, cookie: await sessionCookie(owner), p: paramsOf({ id: strategy.id }) };
}

const call = (
  handler: typeof GET,
  p: ReturnType<typeof paramsOf>,
  cookie: string,
  method = "GET",
  body?: unknown,
): Promise<Response> => handler(jsonRequest("/x", { method, body, cookie }), p);

const tokenOf = (url: string) => url.split("/api/hooks/")[1];

describe("webhook management", () => {
  it("creates once (URL shown once, never in GET), rotates (old hash gone at once), revokes and re-creates on the same row", async () => {
    const { strategy, cookie, p } = await setup();
    expect(await (await call(GET, p, cookie)).json()).toEqual({ webhook: null });

    const created = await call(POST, p, cookie, "POST");
    expect(created.status).toBe(201);
    const first = await created.json();
    expect(first.url).toMatch(new RegExp(`^${env().APP_URL.replace(/\/$/, "")}/api/hooks/whk_[A-Za-z0-9_-]{43}$`));
    const token1 = tokenOf(first.url);
    expect(first.webhook).toMatchObject({ active: true, signed: false, position: "FLAT", mode: "LONG" });
    expect(first.webhook.urlHint).toBe(`…/api/hooks/whk_…${token1.slice(-4)}`);
    expect(await db().strategyWebhook.count({ where: { tokenHash: hashWebhookToken(token1) } })).toBe(1);

    const again = await call(POST, p, cookie, "POST");
    expect(again.status).toBe(409);

    const read = await (await call(GET, p, cookie)).text();
    expect(read).not.toContain(token1);
    expect(JSON.parse(read).webhook.urlHint).toBe(first.webhook.urlHint);

    const rotated = await (await call(ROTATE, p, cookie, "POST")).json();
    const token2 = tokenOf(rotated.url);
    expect(token2).not.toBe(token1);
    expect(rotated.webhook.rotatedAt).not.toBeNull();
    expect(await db().strategyWebhook.count({ where: { tokenHash: hashWebhookToken(token1) } })).toBe(0);
    expect(await db().strategyWebhook.count({ where: { tokenHash: hashWebhookToken(token2) } })).toBe(1);

    const revoked = await call(DELETE, p, cookie, "DELETE");
    expect((await revoked.json()).webhook).toMatchObject({ active: false, urlHint: null });
    expect(await db().strategyWebhook.count({ where: { tokenHash: hashWebhookToken(token2) } })).toBe(0);
    expect((await call(ROTATE, p, cookie, "POST")).status).toBe(404);
    expect((await call(PATCH, p, cookie, "PATCH", { enabled: false })).status).toBe(404);

    const reborn = await (await call(POST, p, cookie, "POST")).json();
    expect(reborn.webhook.id).toBe(first.webhook.id);
    expect(reborn.webhook).toMatchObject({ active: true, revokedAt: null });
    expect(await db().strategyWebhook.count({ where: { strategyId: strategy.id } })).toBe(1);

    const audit = await db().auditLog.findMany({ where: { entity: "webhook" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.action)).toEqual([
      "webhook.create",
      "webhook.rotate",
      "webhook.revoke",
      "webhook.create",
    ]);
    const auditText = JSON.stringify(audit.map((a) => a.details));
    for (const t of [token1, token2, tokenOf(reborn.url)]) expect(auditText).not.toContain(t);
  });

  it("names every invalid setting in the 400 and changes nothing", async () => {
    const { cookie, p } = await setup();
    await call(POST, p, cookie, "POST");
    const bad = {
      mode: "SIDEWAYS",
      pyramiding: "yes",
      maxEntries: 21,
      maxLagSeconds: 4,
      dedupeSeconds: 0,
      entryStart: "9:20",
      entryEnd: "25:00",
      allowedIps: ["52.89.214.238", "not-an-ip"],
      enabled: 1,
      signing: "maybe",
    };
    const res = await call(PATCH, p, cookie, "PATCH", bad);
    expect(res.status).toBe(400);
    const { error } = await res.json();
    expect(Object.keys(error.fields).sort()).toEqual(
      [
        "allowedIps.1",
        "dedupeSeconds",
        "enabled",
        "entryEnd",
        "entryStart",
        "maxEntries",
        "maxLagSeconds",
        "mode",
        "pyramiding",
        "signing",
      ].sort(),
    );
    const tooMany = Array.from({ length: 21 }, (_, i) => `10.0.0.${i}`);
    const many = await (await call(PATCH, p, cookie, "PATCH", { allowedIps: tooMany })).json();
    expect(Object.keys(many.error.fields)).toEqual(["allowedIps"]);
    const inverted = await call(PATCH, p, cookie, "PATCH", { entryStart: "14:00", entryEnd: "10:00" });
    expect(inverted.status).toBe(400);
    expect((await inverted.json()).error.fields).toEqual({ entryEnd: ["Must be later than the start"] });
    const oneEnd = await call(PATCH, p, cookie, "PATCH", { entryStart: "09:20" });
    expect(Object.keys((await oneEnd.json()).error.fields)).toEqual(["entryEnd"]);
    const row = await db().strategyWebhook.findFirstOrThrow();
    expect(row).toMatchObject({ mode: "LONG", maxEntries: 1, entryStart: null, allowedIps: [] });
  });

  it("applies settings, normalises the allow-list and shows a signing secret once, stored encrypted", async () => {
    const { cookie, p } = await setup();
    await call(POST, p, cookie, "POST");
    const ok = await call(PATCH, p, cookie, "PATCH", {
      mode: "BOTH",
      pyramiding: true,
      maxEntries: 3,
      maxLagSeconds: 60,
      dedupeSeconds: 20,
      entryStart: "09:20",
      entryEnd: "15:00",
      allowedIps: [...TRADINGVIEW_SENDER_IPS, " 10.1.0.0/16", "2001:DB8::1", "52.89.214.238"],
      signing: "generate",
    });
    expect(ok.status).toBe(200);
    const body = await ok.json();
    expect(body.secret).toMatch(/^[0-9a-f]{64}$/);
    expect(body.webhook).toMatchObject({ mode: "BOTH", maxEntries: 3, signed: true, entryEnd: "15:00" });
    expect(body.webhook.allowedIps).toEqual([...TRADINGVIEW_SENDER_IPS, "10.1.0.0/16", "2001:db8::1"]);

    const row = await db().strategyWebhook.findFirstOrThrow();
    expect(row.hmacSecret).not.toContain(body.secret);
    expect(decryptHmacSecret(row.id, row.hmacSecret!)).toBe(body.secret);
    const read = await (await call(GET, p, cookie)).text();
    expect(read).not.toContain(body.secret);
    expect(JSON.parse(read).webhook.signed).toBe(true);
    const updates = await db().auditLog.findMany({ where: { action: "webhook.update" } });
    const audit = JSON.stringify(updates.map((a) => a.details));
    expect(audit).toContain('"signing":"generate"');
    expect(audit).not.toContain(body.secret);
    expect(audit).not.toContain(row.hmacSecret);

    const removed = await (await call(PATCH, p, cookie, "PATCH", { signing: "remove", enabled: false })).json();
    expect(removed.secret).toBeUndefined();
    expect(removed.webhook).toMatchObject({ signed: false, enabled: false });
    expect((await db().strategyWebhook.findFirstOrThrow()).hmacSecret).toBeNull();
  });

  it("authorization: viewer 403, another trader 404, admin may manage", async () => {
    const { owner, cookie, p } = await setup();
    await call(POST, p, cookie, "POST");
    const viewer = await makeUser("VIEWER");
    await db().viewerTrader.create({ data: { viewerId: viewer.id, traderId: owner.id } });
    const viewerCookie = await sessionCookie(viewer);
    expect((await call(GET, p, viewerCookie)).status).toBe(200);
    for (const [h, m] of [
      [ROTATE, "POST"],
      [DELETE, "DELETE"],
    ] as const)
      expect((await call(h, p, viewerCookie, m)).status).toBe(403);
    expect((await call(PATCH, p, viewerCookie, "PATCH", { enabled: false })).status).toBe(403);

    const stranger = await sessionCookie(await makeUser("TRADER"));
    expect((await call(GET, p, stranger)).status).toBe(404);
    expect((await call(ROTATE, p, stranger, "POST")).status).toBe(404);
    expect((await call(PATCH, p, stranger, "PATCH", { enabled: false })).status).toBe(404);

    const admin = await sessionCookie(await makeUser("ADMIN"));
    const byAdmin = await call(PATCH, p, admin, "PATCH", { enabled: false });
    expect(byAdmin.status).toBe(200);
    expect((await byAdmin.json()).webhook.enabled).toBe(false);
    expect((await call(ROTATE, p, admin, "POST")).status).toBe(200);
  });
});
