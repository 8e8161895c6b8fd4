import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { engageKillSwitch } from "@/lib/services/kill-switch";
import { setStale } from "@/lib/services/market-data";
import { newWebhookToken } from "./token";

import { jsonRequest, paramsOf, sessionCookie } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { condorWithWebhook, postAlert, startHookServer, type WebhookOptions } from "@/lib/testing/webhook-kit";
import { POST as dryRunRoute } from "@/app/api/strategies/[id]/webhook/test/route";

const INSTANCES = instanceConfigs(2, "wh");
const world = useIntegrationWorld(INSTANCES);
let server: Awaited<ReturnType<typeof startHookServer>>;
beforeAll(async () => {
  server = await startHookServer();
});
afterAll(() => server.close());

async function setup(opts: WebhookOptions = {}) {
  const s = await condorWithWebhook(world, INSTANCES, opts);
  return { ...s, url: server.url(s.token) };
}

const entry = (extra: Record<string, unknown> = {}) => JSON.stringify({ action: "ENTRY", ...extra });
const accepted = (strategyId: string) => db().signal.count({ where: { strategyId, verdict: "ACCEPTED" } });
const sentOrders = () => INSTANCES.reduce((n, i) => n + world.sim.broker.receivedOrders(i.id).length, 0);

describe("the way in", () => {
  it("accepts an entry with 202 and the run id it will create, logging one ACCEPTED row", async () => {
    const { url, strategy } = await setup();
    const res = await postAlert(url, entry());
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ status: "accepted", action: "ENTRY", from: "FLAT", to: "LONG" });
    expect(res.json.runId).toMatch(/^[0-9a-f-]{36}$/);
    const row = await db().signal.findUniqueOrThrow({ where: { id: res.json.signalId as string } });
    expect(row).toMatchObject({ verdict: "ACCEPTED", status: 202, runId: res.json.runId, strategyId: strategy.id });
    expect(Number(row.ackMs)).toBeGreaterThan(0);
  });

  it("unknown, rotated and revoked tokens get 404 and leave no row", async () => {
    const { url, hookId, token } = await setup();
    expect((await postAlert(server.url(newWebhookToken().token), entry())).status).toBe(404);
    const rotated = newWebhookToken();
    await db().strategyWebhook.update({ where: { id: hookId }, data: { tokenHash: rotated.hash } });
    expect((await postAlert(url, entry())).status).toBe(404);
    expect((await postAlert(server.url(rotated.token), entry({ id: "r1" }))).status).toBe(202);
    await db().strategyWebhook.update({ where: { id: hookId }, data: { tokenHash: null, revokedAt: new Date() } });
    expect((await postAlert(server.url(rotated.token), entry({ id: "r2" }))).status).toBe(404);
    expect(token).not.toBe(rotated.token);
    expect(await db().signal.count()).toBe(1);
  });

  it("refuses a paused webhook (409), a wrong content type (415) and an oversized body (413), logging each", async () => {
    const { url, hookId, strategy } = await setup();
    expect((await postAlert(url, entry(), { contentType: "application/x-www-form-urlencoded" })).status).toBe(415);
    // Bytes, so fetch adds no text/plain of its own.
    expect((await postAlert(url, new TextEncoder().encode(entry()), { contentType: null })).status).toBe(415);
    const big = await postAlert(url, JSON.stringify({ action: "ENTRY", pad: "x".repeat(17_000) }));
    expect(big.status).toBe(413);
    expect(big.json.signalId).toEqual(expect.any(String));
    await db().strategyWebhook.update({ where: { id: hookId }, data: { enabled: false } });
    expect((await postAlert(url, entry())).status).toBe(409);
    expect(await db().signal.count({ where: { strategyId: strategy.id, verdict: "REJECTED" } })).toBe(4);
    expect(await accepted(strategy.id)).toBe(0);
  });

  it("checks the body signature when the webhook has a secret: good 202, bad or missing 401", async () => {
    const secret = "s".repeat(16) + "0123456789abcdef";
    const { url } = await setup({ hmacSecret: secret });
    const body = entry({ id: "signed-1" });
    const sig = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    expect((await postAlert(url, body)).status).toBe(401);
    expect(
      (await postAlert(url, body, { headers: { "x-mirrordesk-signature": "sha256=" + "0".repeat(64) } })).status,
    ).toBe(401);
    expect((await postAlert(url, body, { headers: { "x-mirrordesk-signature": sig } })).status).toBe(202);
  });

  it("accepts listed senders only (addresses, ranges, IPv4-mapped IPv6)", async () => {
    const { url } = await setup({ allowedIps: ["52.89.214.238", "10.1.0.0/16"] });
    expect((await postAlert(url, entry({ id: "a" }), { ip: "52.89.214.238" })).status).toBe(202);
    expect((await postAlert(url, entry({ id: "b" }), { ip: "::ffff:10.1.2.3" })).status).toBe(200);
    const other = await postAlert(url, entry({ id: "c" }), { ip: "34.212.75.30" });
    expect(other.status).toBe(403);
    expect((other.json.error as { message: string }).message).toMatch(/34\.212\.75\.30/);
  });
});

describe("duplicates and lag", () => {
  it("ten identical alerts at once: exactly one accepted, the rest duplicates of it", async () => {
    const { url, strategy } = await setup();
    const body = entry({ id: "burst-1" });
    const answers = await Promise.all(Array.from({ length: 10 }, () => postAlert(url, body)));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 202]);
    const ok = answers.filter((a) => a.status === 202);
    expect(ok).toHaveLength(1);
    const dups = answers.filter((a) => a.json.status === "duplicate");
    expect(dups).toHaveLength(9);
    for (const d of dups)
      expect(d.json).toMatchObject({ originalSignalId: ok[0].json.signalId, runId: ok[0].json.runId });
    expect(await accepted(strategy.id)).toBe(1);
  });

  it("the same body within the window is a duplicate; after it, the alert is decided again", async () => {
    const { url, strategy } = await setup({ dedupeSeconds: 10 });
    const first = await postAlert(url, entry());
    expect(first.status).toBe(202);
    const again = await postAlert(url, entry());
    expect(again.json).toMatchObject({ status: "duplicate", originalSignalId: first.json.signalId });
    // Ten seconds later, as far as the window is concerned.
    await db().signal.updateMany({
      where: { strategyId: strategy.id },
      data: { receivedAt: new Date(Date.now() - 11_000) },
    });
    const later = await postAlert(url, entry());
    expect(later.status).toBe(200);
    expect(later.json).toMatchObject({ status: "ignored" });
    expect(await accepted(strategy.id)).toBe(1);
  });

  it("an alert older than the maximum lag is refused with 409 and nothing accepted", async () => {
    const { url, strategy } = await setup({ maxLagSeconds: 30 });
    const old = await postAlert(url, entry({ ts: new Date(Date.now() - 60_000).toISOString() }));
    expect(old.status).toBe(409);
    expect((old.json.error as { fields: Record<string, unknown> }).fields.ts).toBeDefined();
    const future = await postAlert(url, entry({ ts: new Date(Date.now() + 60_000).toISOString() }));
    expect(future.status).toBe(409);
    expect(await accepted(strategy.id)).toBe(0);
    expect(sentOrders()).toBe(0);
  });
});

describe("entries blocked, exits never", () => {
  it("kill switch engaged: 423 with the reason; stale prices: 409 naming the underlying", async () => {
    const { url, user, strategy } = await setup();
    await setStale("simulated", "NSE_INDEX:NIFTY", {
      exchange: "NSE_INDEX",
      symbol: "NIFTY",
      since: new Date().toISOString(),
      lastTickAt: null,
      reason: "silent",
    });
    const stale = await postAlert(url, entry({ id: "s1" }));
    expect(stale.status).toBe(409);
    expect((stale.json.error as { message: string }).message).toMatch(/NIFTY.*stale/);
    await engageKillSwitch(user, { scope: "mine", reason: "test" }, null);
    const killed = await postAlert(url, entry({ id: "k1" }));
    expect(killed.status).toBe(423);
    expect((killed.json.error as { message: string }).message).toMatch(/Kill switch engaged/);
    expect(await accepted(strategy.id)).toBe(0);
  });
});

describe("dry run", () => {
  it("answers what the alert would do with the plan, sends nothing and logs DRY_RUN", async () => {
    const { user, strategy } = await setup();
    const cookie = await sessionCookie(user);
    const res = await dryRunRoute(
      jsonRequest("/x", { body: { message: entry(), contentType: "application/json" }, cookie }),
      paramsOf({ id: strategy.id }),
    );
    expect(res.status).toBe(200);
    const out = await res.json();
    expect(out).toMatchObject({ verdict: "dry_run", status: 202, action: "ENTRY", from: "FLAT", to: "LONG" });
    expect(out.preview.totals.accountsPlanned).toBe(2);
    const bad = await dryRunRoute(
      jsonRequest("/x", { body: { message: "{", contentType: "application/json" }, cookie }),
      paramsOf({ id: strategy.id }),
    );
    expect(await bad.json()).toMatchObject({ verdict: "rejected", status: 400 });
    expect(await db().signal.count({ where: { verdict: "DRY_RUN" } })).toBe(2);
    expect(await db().strategyWebhook.findFirstOrThrow()).toMatchObject({ position: "FLAT", entries: 0 });
    expect(await db().strategyRun.count()).toBe(0);
    expect(sentOrders()).toBe(0);
  });
});
