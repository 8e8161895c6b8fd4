import { randomUUID } from "node:crypto";
import Decimal from "decimal.js";
import { describe, expect, it, vi } from "vitest";
import { db } from "@/lib/db/client";
import { ForbiddenError, NotFoundError } from "@/lib/errors";
import { makeUser } from "@/lib/testing/fixtures";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import type { StrategyDefinition } from "@/lib/trading/strategy";
import { createRun } from "@/lib/services/runs";
import { syncAccountFills } from "@/lib/services/fills";
import { cancelRunOrders, retryRunIntents } from "./actions";
import {
  ironCondor,
  linkAccounts,
  ordersByTag,
  startDispatchWorker,
  startRun,
  waitForRun,
} from "@/lib/testing/dispatch-kit";

const instances = instanceConfigs(3, "act");
const world = useIntegrationWorld(instances);

/** The condor with limit prices far from the market: every order is accepted and stays open. */
function restingCondor(): StrategyDefinition {
  const base = ironCondor();
  return {
    ...base,
    legs: base.legs.map((l) => ({
      ...l,
      orderType: { kind: "LIMIT", price: new Decimal(l.action === "BUY" ? "0.05" : "9000") },
    })),
  };
}

describe("run actions", () => {
  it("cancel: every open order of the run is cancelled at the broker, audited; viewers and other traders cannot", async () => {
    world.stopAfterTest(await startDispatchWorker({ reconcileWindowMs: 1_000, pollIntervalMs: 100 }));
    const trader = await makeUser("TRADER");
    await linkAccounts(world.sim, trader, instances);
    const { runId } = await startRun(trader.id, restingCondor());
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    expect(instances.flatMap((i) => world.sim.broker.receivedOrders(i.id)).map((o) => o.status)).toEqual(
      Array(12).fill("open"),
    );

    await expect(cancelRunOrders(await makeUser("VIEWER"), runId)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(cancelRunOrders(await makeUser("TRADER"), runId)).rejects.toBeInstanceOf(NotFoundError);

    const result = await cancelRunOrders(trader, runId, "203.0.113.9");
    expect(result).toEqual({ cancelled: 12, failed: [] });
    expect(instances.flatMap((i) => world.sim.broker.receivedOrders(i.id)).map((o) => o.status)).toEqual(
      Array(12).fill("cancelled"),
    );
    const intents = await db().orderIntent.findMany({ where: { runId } });
    expect(intents.every((i) => i.state === "cancelled" && i.reason?.startsWith("cancelled from the run view"))).toBe(
      true,
    );
    expect(await db().auditLog.count({ where: { action: "run.cancel", entityId: runId, actorId: trader.id } })).toBe(1);
    // Nothing is open any more: a second cancel has nothing to do.
    expect(await cancelRunOrders(trader, runId)).toEqual({ cancelled: 0, failed: [] });
  });

  it("cancel counts what the broker cancelled, also when fill tracking recorded the cancels first", async () => {
    world.stopAfterTest(await startDispatchWorker({ reconcileWindowMs: 1_000, pollIntervalMs: 100 }));
    const trader = await makeUser("TRADER");
    const accounts = await linkAccounts(world.sim, trader, instances);
    const { runId } = await startRun(trader.id, restingCondor());
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    const brokerStatuses = () => instances.flatMap((i) => world.sim.broker.receivedOrders(i.id)).map((o) => o.status);
    expect(brokerStatuses()).toEqual(Array(12).fill("open"));

    // The broker cancels at once but its replies wait: fill tracking reads the order book in between and records
    // every cancel before cancelRunOrders writes its own (so its compare-and-set writes nothing).
    for (const inst of instances) world.sim.broker.setFaults(inst.id, { holdCancelReplies: true });
    const cancelling = cancelRunOrders(trader, runId);
    await vi.waitUntil(() => brokerStatuses().every((s) => s === "cancelled"), { timeout: 30_000, interval: 20 });
    for (const a of accounts) await syncAccountFills(a.id);
    const intents = await db().orderIntent.findMany({ where: { runId } });
    expect(intents.map((i) => i.state)).toEqual(Array(12).fill("cancelled"));
    expect(intents.some((i) => i.reason?.startsWith("cancelled from the run view"))).toBe(false);
    for (const inst of instances) world.sim.broker.setFaults(inst.id, { holdCancelReplies: false });

    expect(await cancelling).toEqual({ cancelled: 12, failed: [] });
    const audit = await db().auditLog.findFirstOrThrow({ where: { action: "run.cancel", entityId: runId } });
    expect((audit.details as { cancelled: string[] }).cancelled).toHaveLength(12);
  });

  it("retry: BUY slices the broker never took (429s) hold the SELL legs; a retry sends the BUYs, then the held SELLs, once each", async () => {
    // One send per intent; the first account answers every call with 429 once planned: its BUYs are never placed.
    world.stopAfterTest(
      await startDispatchWorker({
        reconcileWindowMs: 300,
        pollIntervalMs: 50,
        maxAttempts: 1,
        refusedBackoffMs: 20,
      }),
    );
    const trader = await makeUser("TRADER");
    const [refusing] = await linkAccounts(world.sim, trader, instances);
    const { runId } = await startRun(trader.id, ironCondor(), () =>
      world.sim.broker.setFaults(instances[0].id, { http429Rate: 1 }),
    );
    expect((await waitForRun(runId)).status).toBe("PARTIAL");
    const mine = () =>
      db().orderIntent.findMany({
        where: { runId, accountId: refusing.id },
        orderBy: [{ phase: "asc" }, { legIndex: "asc" }],
      });
    const before = await mine();
    expect(before.map((i) => `${i.phase}:${i.state}:${i.attempts}`)).toEqual([
      "1:safe_to_resend:1",
      "1:safe_to_resend:1",
      "2:held:0",
      "2:held:0",
    ]);
    expect(before[0].reason).toMatch(/^not placed: Rate limited by broker.*gave up after 9 tries/);
    expect(before[2].reason).toMatch(/^BUY phase failed, SELL legs not sent/);
    expect(world.sim.broker.receivedOrders(instances[0].id)).toEqual([]);
    expect(await db().orderIntent.count({ where: { runId, accountId: { not: refusing.id }, state: "accepted" } })).toBe(
      8,
    );

    await expect(retryRunIntents(await makeUser("VIEWER"), runId)).rejects.toBeInstanceOf(ForbiddenError);
    world.sim.broker.setFaults(instances[0].id, { http429Rate: 0 });
    const retried = await retryRunIntents(trader, runId, "203.0.113.9");
    expect(retried).toEqual({ intents: 4, accounts: 1, notRetryable: [] });
    expect((await waitForRun(runId)).status).toBe("COMPLETED");

    const after = await mine();
    expect(after.map((i) => `${i.phase}:${i.state}:${i.attempts}`)).toEqual([
      "1:accepted:2",
      "1:accepted:2",
      "2:accepted:1",
      "2:accepted:1",
    ]);
    // Hedge first after the retry too, and exactly one order per intent at the broker.
    const received = world.sim.broker.receivedOrders(instances[0].id);
    expect(received.map((o) => o.action)).toEqual(["BUY", "BUY", "SELL", "SELL"]);
    expect(received.map((o) => o.strategy).sort()).toEqual(after.map((i) => i.id).sort());
    const counts = ordersByTag(
      world.sim,
      instances.map((i) => i.id),
    );
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(await db().auditLog.count({ where: { action: "run.retry", entityId: runId } })).toBe(1);
  });

  it("a run with no planned account is settled at once as FAILED", async () => {
    const trader = await makeUser("TRADER");
    const preview = {
      legs: [],
      conditions: {},
      accounts: [
        { status: "skipped" as const, accountId: randomUUID(), accountName: "empty", reason: "0 lots", warnings: [] },
      ],
      totals: {
        accounts: 1,
        accountsPlanned: 0,
        accountsSkipped: 1,
        orders: 0,
        quantity: 0,
        marginNeeded: new Decimal(0),
      },
    };
    const { runId } = await createRun({
      ownerId: trader.id,
      strategyId: null,
      kind: "STRATEGY",
      idempotencyKey: randomUUID(),
      triggeredAt: new Date(),
      preview,
    });
    const run = await db().strategyRun.findUniqueOrThrow({ where: { id: runId } });
    expect(run.status).toBe("FAILED");
    expect(run.finishedAt).not.toBeNull();
  });
});
