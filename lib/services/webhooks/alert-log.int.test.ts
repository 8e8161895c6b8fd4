import { randomUUID } from "node:crypto";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { makeStrategy } from "@/lib/testing/exits-kit";
import { ironCondor } from "@/lib/testing/dispatch-kit";
import { insertSignalRow } from "@/lib/db/queries/webhooks-admin";
import { newKeyEntry, parseKeyRing, keyVersionOf } from "@/lib/crypto/credentials";
import { GET as signalsRoute } from "@/app/api/strategies/[id]/signals/route";
import { GET as lastRoute } from "@/app/api/strategies/last-signals/route";
import { createWebhook, rotateWebhookSecrets } from "@/lib/services/webhooks";
import { decryptHmacSecretWith, encryptHmacSecretWith } from "./token";

beforeEach(resetState);
afterAll(closeConnections);

type Verdict = "ACCEPTED" | "DUPLICATE" | "IGNORED" | "REJECTED" | "DRY_RUN";

async function withLog(owner: Awaited<ReturnType<typeof makeUser>>) {
  const strategy = await makeStrategy(owner, ironCondor());
  const { webhook } = await createWebhook(owner, strategy.id, "127.0.0.1");
  const t0 = Date.parse("2026-12-07T04:00:00Z");
  let n = 0;
  const add = (verdict: Verdict, reason: string, extra: Partial<Parameters<typeof insertSignalRow>[0]> = {}) =>
    insertSignalRow({
      id: randomUUID(),
      webhookId: webhook.id,
      strategyId: strategy.id,
      ownerId: owner.id,
      receivedAt: new Date(t0 + 1000 * n++),
      ip: "52.89.214.238",
      contentType: "application/json",
      body: `{"action":"ENTRY","n":${n}}`,
      bodyHash: `hash-${n}`,
      verdict,
      status: verdict === "ACCEPTED" ? 202 : verdict === "REJECTED" ? 409 : 200,
      reason,
      ...extra,
    });
  return { strategy, webhook, add };
}

const get = (cookie: string, id: string, qs = "") =>
  signalsRoute(jsonRequest(`/api/strategies/${id}/signals${qs}`, { cookie }), paramsOf({ id }));

describe("alert log", () => {
  it("lists newest first, pages by keyset, filters by verdict, searches reason/body/id/action with LIKE escaped", async () => {
    const owner = await makeUser("TRADER");
    const cookie = await sessionCookie(owner);
    const { strategy, add } = await withLog(owner);
    const rows = [];
    for (let i = 0; i < 7; i++) rows.push(await add(i % 2 ? "REJECTED" : "ACCEPTED", `reason ${i}`));
    await add("IGNORED", "already flat", { clientId: "tv-100%_done", action: "EXIT" });

    const page1 = await (await get(cookie, strategy.id, "?limit=3")).json();
    expect(page1.signals.map((s: { reason: string }) => s.reason)).toEqual(["already flat", "reason 6", "reason 5"]);
    const page2 = await (await get(cookie, strategy.id, `?limit=3&before=${page1.nextBefore}`)).json();
    expect(page2.signals.map((s: { reason: string }) => s.reason)).toEqual(["reason 4", "reason 3", "reason 2"]);
    const page3 = await (await get(cookie, strategy.id, `?limit=3&before=${page2.nextBefore}`)).json();
    expect(page3.signals.map((s: { reason: string }) => s.reason)).toEqual(["reason 1", "reason 0"]);
    expect(page3.nextBefore).toBeNull();

    const rejected = await (await get(cookie, strategy.id, "?verdict=REJECTED")).json();
    expect(rejected.signals.map((s: { reason: string }) => s.reason)).toEqual(["reason 5", "reason 3", "reason 1"]);
    const byBody = await (await get(cookie, strategy.id, `?q=${encodeURIComponent('"n":3}')}`)).json();
    expect(byBody.signals.map((s: { reason: string }) => s.reason)).toEqual(["reason 2"]);
    // `%` and `_` match themselves: "100%_d" finds the one client id, "0%" matches nothing else.
    const literal = await (await get(cookie, strategy.id, `?q=${encodeURIComponent("100%_d")}`)).json();
    expect(literal.signals).toHaveLength(1);
    expect((await (await get(cookie, strategy.id, "?q=%25")).json()).signals).toHaveLength(1);
    expect((await (await get(cookie, strategy.id, "?q=exit")).json()).signals).toHaveLength(1);
    const bad = await get(cookie, strategy.id, "?verdict=MAYBE&limit=0");
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error.fields).sort()).toEqual(["limit", "verdict"]);
  });

  it("each row carries its run's status and fill progress (one grouped pass) and its exit's status", async () => {
    const owner = await makeUser("TRADER");
    const cookie = await sessionCookie(owner);
    const { strategy, add } = await withLog(owner);
    const account = await db().tradingAccount.create({
      data: {
        ownerId: owner.id,
        name: "a",
        hostUrl: "http://127.0.0.1:1",
        wsUrl: "ws://127.0.0.1:1",
        apiKeyEnc: "v1.a.b.c",
        apiKeyLast4: "abcd",
      },
    });
    const runId = randomUUID();
    await db().strategyRun.create({
      data: {
        id: runId,
        ownerId: owner.id,
        strategyId: strategy.id,
        kind: "STRATEGY",
        idempotencyKey: `k-${runId}`,
        status: "RUNNING",
        triggeredAt: new Date(),
        plan: {},
      },
    });
    for (const [i, filled] of [65, 30].entries())
      await db().orderIntent.create({
        data: {
          id: `${runId}-${i}`,
          runId,
          accountId: account.id,
          legIndex: i,
          sliceIndex: 0,
          phase: 1,
          symbol: "NIFTY",
          exchange: "NFO",
          action: "BUY",
          product: "NRML",
          priceType: "MARKET",
          quantity: 65,
          filledQuantity: filled,
          state: filled === 65 ? "filled" : "partially_filled",
        },
      });
    await add("ACCEPTED", "entry", { runId, action: "ENTRY", fromPosition: "FLAT", toPosition: "LONG", ackMs: "12.5" });
    await add("IGNORED", "already long");
    const { signals } = await (await get(cookie, strategy.id)).json();
    expect(signals[1]).toMatchObject({
      runId,
      runStatus: "RUNNING",
      fills: { quantity: 130, filled: 95, slices: 2, slicesFilled: 1 },
      fromPosition: "FLAT",
      toPosition: "LONG",
      ackMs: "12.5",
      exitStatus: null,
    });
    expect(signals[0]).toMatchObject({ runId: null, runStatus: null, fills: null });
  });

  it("authorization and lastSignals: another trader 404, viewer reads, the list shows each strategy's newest alert", async () => {
    const owner = await makeUser("TRADER");
    const { strategy, add } = await withLog(owner);
    const quiet = await makeStrategy(owner, ironCondor(), "quiet");
    await add("REJECTED", "stale");
    const newest = await add("ACCEPTED", "entry", { action: "ENTRY" });
    const stranger = await makeUser("TRADER");
    expect((await get(await sessionCookie(stranger), strategy.id)).status).toBe(404);
    const viewer = await makeUser("VIEWER");
    await db().viewerTrader.create({ data: { viewerId: viewer.id, traderId: owner.id } });
    expect((await get(await sessionCookie(viewer), strategy.id)).status).toBe(200);

    const mine = await (
      await lastRoute(jsonRequest("/api/strategies/last-signals", { cookie: await sessionCookie(owner) }))
    ).json();
    expect(Object.keys(mine.lastSignals)).toEqual([strategy.id]);
    expect(mine.lastSignals[strategy.id]).toMatchObject({
      id: newest.id,
      verdict: "ACCEPTED",
      action: "ENTRY",
      status: 202,
    });
    expect(mine.lastSignals[quiet.id]).toBeUndefined();
    const theirs = await (await lastRoute(jsonRequest("/x", { cookie: await sessionCookie(stranger) }))).json();
    expect(theirs.lastSignals).toEqual({});
  });

  it("keys:rotate re-encrypts webhook signing secrets under the newest key, nothing lost", async () => {
    const owner = await makeUser("TRADER");
    const { webhook } = await withLog(owner);
    const v1 = newKeyEntry(1);
    const v2 = newKeyEntry(2);
    const secret = "a".repeat(64);
    await db().strategyWebhook.update({
      where: { id: webhook.id },
      data: { hmacSecret: encryptHmacSecretWith(parseKeyRing(v1), webhook.id, secret) },
    });
    const both = parseKeyRing(`${v1},${v2}`);
    expect(await rotateWebhookSecrets(both)).toEqual({ rotated: 1, alreadyCurrent: 0, failed: [] });
    expect(await rotateWebhookSecrets(both)).toEqual({ rotated: 0, alreadyCurrent: 1, failed: [] });
    const row = await db().strategyWebhook.findUniqueOrThrow({ where: { id: webhook.id } });
    expect(keyVersionOf(row.hmacSecret!)).toBe(2);
    expect(decryptHmacSecretWith(parseKeyRing(v2), webhook.id, row.hmacSecret!)).toBe(secret);
    expect(await rotateWebhookSecrets(parseKeyRing(newKeyEntry(3)))).toEqual({
      rotated: 0,
      alreadyCurrent: 0,
      failed: [webhook.id],
    });
  });
});
