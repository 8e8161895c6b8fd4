/**
 * The readiness check against the real simulator over HTTP and WebSocket, real Postgres, Redis and BullMQ: each check
 * turned red by the simulator's own controls (a revoked session, thin capital, a changed lot size, a stalled feed, a
 * skewed clock), the stored result, the alert and the notification event; and the entry gate of a strategy that
 * requires green accounts. Nothing waits on the clock: states are driven and then waited for.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import { notificationsQueue } from "@/lib/queues/notifications";
import { readFeedStatus } from "@/lib/services/market-data";
import { executeStrategy } from "@/lib/services/strategies";
import { adapterFor } from "@/lib/services/broker-access";
import { invalidateCalendarCache } from "@/lib/services/calendar";
import { ironCondor, linkAccounts, startDispatchWorker, waitForRun } from "@/lib/testing/dispatch-kit";
import { makeStrategy } from "@/lib/testing/exits-kit";
import { testFeed } from "@/lib/testing/feed-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { SIM_ADMIN } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";
import { istDateOf, istInstant } from "@/lib/trading/calendar";
import { parseHttpDate, skewEstimate } from "@/lib/trading/clock-skew";
import type { ReadinessItem } from "@/lib/trading/readiness";
import type { InstanceConfig } from "@/lib/simulator/types";
import { measureSkew } from "./account-checks";
import { runReadinessCheck, READINESS_ALERT, type ReadinessOptions } from ".";

const inst = (id: string, capital: string): InstanceConfig => ({ id, apiKey: `${id}-key-0123456789abcdef`, capital });
const OK = inst("rdok", "2000000");
const OTHER = inst("rdother", "2000000");
const THIN = inst("rdthin", "100000");
const TIGHT = inst("rdtight", "330000");
const world = useIntegrationWorld([OK, OTHER, THIN, TIGHT]);

/** Without a feed running the feed check would wait this long for nothing; tests that need it live start one. */
const FAST: ReadinessOptions = { feedWaitMs: 200, checkTimeoutMs: 30_000 };

async function control(path: string, body?: unknown) {
  const res = await fetch(`${world.sim.httpUrl}/_sim${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${SIM_ADMIN}`, "Content-Type": "application/json" },
    body: JSON.stringify(body ?? {}),
  });
  expect(res.status, path).toBe(200);
  return res.json();
}

/** An owner with the given simulator instances linked and an iron condor (fixed 1 lot: ₹3,20,000) over all of them. */
async function desk(instances: InstanceConfig[], definition = ironCondor()) {
  const owner = await makeUser("TRADER");
  const accounts = await linkAccounts(world.sim, owner, instances);
  const strategy = await makeStrategy(owner, definition);
  return { owner, accounts, strategy };
}

async function latest(accountId: string) {
  const row = await db().readinessCheck.findFirstOrThrow({ where: { accountId }, orderBy: { checkedAt: "desc" } });
  const items = row.checks as unknown as ReadinessItem[];
  return { row, item: (check: ReadinessItem["check"]) => items.find((i) => i.check === check)! };
}

/** A live feed of the simulated kind, as the worker runs it (short heartbeat, so a stall is noticed quickly). */
async function liveFeed() {
  const feed = testFeed({ heartbeatMs: 500, setupTimeoutMs: 1_000 });
  world.stopAfterTest({ close: () => feed.stop() });
  await feed.start();
  return feed;
}

/** Today's NFO session as OpenAlgo reported it (the calendar slice stores these rows). */
async function sessionFromOpenAlgo(date = istDateOf(Date.now())) {
  await db().marketSession.deleteMany({});
  await db().marketSession.create({
    data: {
      tradingDate: date,
      exchange: "NFO",
      source: "OPENALGO",
      closed: false,
      opensAt: new Date(istInstant(date, "09:15")),
      closesAt: new Date(istInstant(date, "15:30")),
    },
  });
  invalidateCalendarCache();
}

describe("readiness checks against the simulator", () => {
  it("a revoked broker session is red with the login fix; one notification event and one alert, resolved once green again", async () => {
    const { owner, accounts } = await desk([OK, OTHER]);
    const [ok, revoked] = accounts;
    await control(`/instances/${OTHER.id}/revoke`);
    try {
      const summary = await runReadinessCheck({ trigger: "manual", accountIds: [ok.id, revoked.id] }, FAST);
      expect(summary).toMatchObject({ checked: 2, red: 2, notified: 1 });

      const bad = await latest(revoked.id);
      expect(bad.row).toMatchObject({ status: "RED", trigger: "manual", tradingDate: istDateOf(Date.now()) });
      expect(bad.item("session").status).toBe("RED");
      expect(bad.item("session").detail).toContain("03:00 IST");
      expect(bad.item("session").fix).toContain(
        `Log in to the broker in OpenAlgo at ${world.sim.httpUrl}/i/${OTHER.id}`,
      );
      // The funds and contracts calls fail the same way and say so; the key itself is nowhere in what is stored.
      expect(bad.item("funds")).toMatchObject({ status: "RED" });
      expect(JSON.stringify(bad.row.checks)).not.toContain(OTHER.apiKey);
      expect((await latest(ok.id)).item("session").status).toBe("GREEN");

      // One READINESS event for the owner, naming both red accounts (the feed is not live: no worker feed here).
      const events = (await notificationsQueue().getJobs(["waiting", "delayed", "prioritized"])).filter(
        (j) => j.name === "event",
      );
      expect(events).toHaveLength(1);
      expect(events[0].data).toMatchObject({ ownerId: owner.id, kind: "READINESS", severity: "CRITICAL" });
      expect(events[0].data).toHaveProperty("batchKey", `readiness:${istDateOf(Date.now())}:${summary.runId}`);
      expect((events[0].data as { body: string }).body).toContain(
        `${revoked.name} (session, funds, feed, contracts: Log in to the broker in OpenAlgo at`,
      );
      const alerts = await db().alert.findMany({ where: { kind: READINESS_ALERT, resolvedAt: null } });
      expect(alerts.map((a) => a.accountId).sort()).toEqual([ok.id, revoked.id].sort());

      // Logged in again, with a live feed and a known session: no longer red, and the alert is resolved.
      await control(`/instances/${OTHER.id}/login`);
      await liveFeed();
      await sessionFromOpenAlgo();
      const again = await runReadinessCheck({ trigger: "manual", accountIds: [revoked.id] }, { feedWaitMs: 15_000 });
      expect(again.red).toBe(0);
      expect((await latest(revoked.id)).item("session").status).toBe("GREEN");
      expect(
        await db().alert.count({ where: { accountId: revoked.id, kind: READINESS_ALERT, resolvedAt: null } }),
      ).toBe(0);
    } finally {
      await control(`/instances/${OTHER.id}/login`);
    }
  });

  it("funds below a strategy's need are red with the amount to add; less than 10 % headroom is amber", async () => {
    const { accounts } = await desk([THIN, TIGHT]);
    const [thin, tight] = accounts;
    await runReadinessCheck({ trigger: "manual", accountIds: [thin.id, tight.id] }, FAST);
    const short = (await latest(thin.id)).item("funds");
    expect(short.status).toBe("RED");
    expect(short.detail).toContain("Margin ₹1,00,000 available; strategies need ₹3,20,000");
    expect(short.fix).toContain("Add at least ₹2,20,000 more margin");
    const close = (await latest(tight.id)).item("funds");
    expect(close.status).toBe("AMBER");
    expect(close.detail).toContain("only 3 % above the need");
  });

  it("a lot size changed at the broker is red with both numbers and the setting to change", async () => {
    const { accounts } = await desk([OK]);
    await control("/market/contract", { underlying: "NIFTY", lotSize: 75 });
    try {
      await runReadinessCheck({ trigger: "manual", accountIds: [accounts[0].id] }, FAST);
      const item = (await latest(accounts[0].id)).item("contracts");
      expect(item.status).toBe("RED");
      expect(item.detail).toMatch(/^NIFTY\d{2}[A-Z]{3}\d{2}\d+(CE|PE): lot size 75 at the broker, 65 in the settings$/);
      expect(item.fix).toBe("In Admin → Trading settings, set NIFTY's lot size to 75.");
    } finally {
      await control("/market/contract", { underlying: "NIFTY", lotSize: 65 });
    }
    await runReadinessCheck({ trigger: "manual", accountIds: [accounts[0].id] }, FAST);
    expect((await latest(accounts[0].id)).item("contracts").status).toBe("GREEN");
  });

  it("the feed check is green while the feed streams and red once the stream stalls while the market is open", async () => {
    const { accounts } = await desk([OK]);
    await liveFeed();
    await runReadinessCheck({ trigger: "manual", accountIds: [accounts[0].id] }, { feedWaitMs: 15_000 });
    expect((await latest(accounts[0].id)).item("feed")).toMatchObject({ status: "GREEN" });

    await control("/ws/stall", { stalled: true });
    try {
      await waitFor(
        "the feed to notice the stall",
        () => readFeedStatus("simulated"),
        (s) => s?.state !== "live",
      );
      await runReadinessCheck({ trigger: "manual", accountIds: [accounts[0].id] }, FAST);
      const item = (await latest(accounts[0].id)).item("feed");
      expect(item.status).toBe("RED");
      expect(item.detail).toMatch(
        /^The simulated live-price feed is (connecting|reconnecting).* while the market is open$/,
      );
    } finally {
      await control("/ws/stall", { stalled: false });
    }
  });

  it("measures the broker's clock from its real Date header: a skew set at the simulator is found, red beyond 2 s", async () => {
    const { accounts } = await desk([OK]);
    const [account] = await listAccountSecrets({ ownerId: accounts[0].ownerId }, { active: true });
    const adapter = adapterFor(account);
    const probe = await adapter.probeClock!();
    const stated = parseHttpDate(probe.date);
    expect(stated).not.toBeNull();
    expect(stated!).toBeGreaterThan(probe.sentAt - 1_000);
    expect(stated!).toBeLessThanOrEqual(probe.receivedAt);

    for (const skew of [3_000, -1_200, 0]) {
      world.sim.broker.setFaults(OK.id, { clockSkewMs: skew });
      const bounds = (await measureSkew(adapter, 5))!;
      expect(bounds.lo, `skew ${skew}`).toBeLessThanOrEqual(skew);
      expect(bounds.hi, `skew ${skew}`).toBeGreaterThan(skew);
      const { skewMs, uncertaintyMs } = skewEstimate(bounds);
      expect(Math.abs(skewMs - skew)).toBeLessThanOrEqual(uncertaintyMs);
    }
    world.sim.broker.setFaults(OK.id, { clockSkewMs: 3_000 });
    await runReadinessCheck({ trigger: "manual", accountIds: [account.id] }, FAST);
    const item = (await latest(account.id)).item("clock");
    expect(item.status).toBe("RED");
    expect(item.detail).toMatch(/^The broker's clock is (2\.[5-9]|3\.[0-4])\d s ahead of this server's/);
    world.sim.broker.setFaults(OK.id, { clockSkewMs: -1_200 });
    await runReadinessCheck({ trigger: "manual", accountIds: [account.id] }, FAST);
    expect((await latest(account.id)).item("clock")).toMatchObject({ status: "AMBER" });
  });

  it("a strategy requiring green accounts skips the red one with the reason and sends to the green one", async () => {
    const { owner, accounts, strategy } = await desk([OK, OTHER], { ...ironCondor(), requireReadyAccounts: true });
    const [green, red] = accounts;
    await liveFeed();
    await sessionFromOpenAlgo();
    await control(`/instances/${OTHER.id}/revoke`);
    try {
      await runReadinessCheck({ trigger: "manual", accountIds: [green.id, red.id] }, { feedWaitMs: 15_000 });
    } finally {
      // The broker would take orders again: only the morning's red verdict keeps the account out today.
      await control(`/instances/${OTHER.id}/login`);
    }
    const g = await latest(green.id);
    expect(g.row.status, JSON.stringify(g.row.checks)).toBe("GREEN");
    expect((await latest(red.id)).row.status).toBe("RED");

    const worker = world.stopAfterTest(await startDispatchWorker());
    const run = await executeStrategy(owner, strategy.id, { idempotencyKey: randomUUID() }, "127.0.0.1");
    const done = await waitForRun(run.runId);
    expect(done.status).toBe("COMPLETED");
    const preview = (await db().strategyRun.findUniqueOrThrow({ where: { id: run.runId } })).plan as {
      accounts: { accountId: string; status: string; reason?: string }[];
    };
    expect(preview.accounts.find((a) => a.accountId === red.id)).toMatchObject({
      status: "skipped",
      reason: "Readiness check today is red (the strategy requires green)",
    });
    expect(world.sim.broker.receivedOrders(OK.id)).toHaveLength(4);
    expect(world.sim.broker.receivedOrders(OTHER.id)).toHaveLength(0);
    expect(worker.errors).toEqual([]);
  });
});
