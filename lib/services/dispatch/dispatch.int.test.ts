import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { subscribeRunEvents, type RunEvent } from "@/lib/realtime/run-events";
import { linkAccounts, ordersByTag, startDispatchWorker, startRun, waitForRun } from "@/lib/testing/dispatch-kit";
import { retryRunIntents } from "./actions";

const FAST = { reconcileWindowMs: 1_000, pollIntervalMs: 100, refusedBackoffMs: 50 };
const small = instanceConfigs(4, "dsp");
const many = instanceConfigs(50, "dspm");
let sim: RunningSimulator;
let worker: Awaited<ReturnType<typeof startDispatchWorker>>;

beforeAll(async () => {
  sim = await startSim([...small, ...many]);
});
beforeEach(async () => {
  await resetState();
  worker = await startDispatchWorker(FAST);
});
afterEach(async () => {
  await worker.close();
  for (const inst of [...small, ...many])
    sim.broker.setFaults(inst.id, { lostResponseRate: 0, http500Rate: 0, burst429Remaining: 0, latencyMs: 0 });
  sim.broker.reset();
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

describe("dispatch", () => {
  it("a 3-account 4-leg run places exactly the planned orders in each account, every BUY acknowledged before any SELL is sent", async () => {
    const trader = await makeUser("TRADER");
    const accounts = await linkAccounts(sim, trader, small.slice(0, 3));
    const events: RunEvent[] = [];
    const { runId, preview } = await startRun(trader.id);
    const unsubscribe = await subscribeRunEvents(runId, (e) => events.push(e));
    const run = await waitForRun(runId);
    await unsubscribe();
    expect(run.status).toBe("COMPLETED");
    expect(run.finishedAt).not.toBeNull();
    expect(worker.errors).toEqual([]);

    const intents = await db().orderIntent.findMany({ where: { runId } });
    expect(intents).toHaveLength(12);
    expect(
      intents.every((i) => i.state === "accepted" && i.brokerOrderId && i.attempts === 1 && i.acknowledgedAt),
    ).toBe(true);
    for (const [k, account] of accounts.entries()) {
      const plan = preview.accounts.find((a) => a.accountId === account.id);
      if (plan?.status !== "planned") throw new Error("account not planned");
      const received = sim.broker.receivedOrders(small[k].id);
      // Exactly the planned legs, once each, tagged with their intent ids.
      const mine = intents.filter((i) => i.accountId === account.id);
      expect(received.map((o) => o.strategy).sort()).toEqual(mine.map((i) => i.id).sort());
      expect(received.map((o) => `${o.action} ${o.symbol} ${o.quantity} ${o.product}`).sort()).toEqual(
        plan.legs.map((l) => `${l.action} ${l.symbol} ${l.quantity} NRML`).sort(),
      );
      // Hedge first, at the broker: both BUYs arrive before either SELL, and were acknowledged before a SELL was sent.
      const buys = received.filter((o) => o.action === "BUY");
      const sells = received.filter((o) => o.action === "SELL");
      expect(buys).toHaveLength(2);
      expect(sells).toHaveLength(2);
      expect(received.findIndex((o) => o.action === "SELL")).toBe(2);
      expect(Math.max(...buys.map((o) => o.receivedAt))).toBeLessThanOrEqual(
        Math.min(...sells.map((o) => o.receivedAt)),
      );
      const lastBuyAck = Math.max(...mine.filter((i) => i.phase === 1).map((i) => i.acknowledgedAt!.getTime()));
      const firstSellSent = Math.min(...mine.filter((i) => i.phase === 2).map((i) => i.sentAt!.getTime()));
      expect(lastBuyAck).toBeLessThanOrEqual(firstSellSent);
    }
    // Every persisted change was published: sending (claimed and sending are one write), accepted; then the run.
    const byIntent = new Map<string, string[]>();
    for (const e of events)
      if (e.type === "intent") byIntent.set(e.intentId, [...(byIntent.get(e.intentId) ?? []), e.state]);
    expect(byIntent.size).toBe(12);
    for (const states of byIntent.values()) expect(states).toEqual(["sending", "accepted"]);
    expect(events.filter((e) => e.type === "run").map((e) => e.type === "run" && e.status)).toEqual(["COMPLETED"]);
  });

  it("a rejected BUY wing keeps that account's SELL legs unsent, with the reason, while the other accounts trade", async () => {
    const trader = await makeUser("TRADER");
    // The third account trades 3 lots (195 units); after planning the exchange's freeze limit drops to 130 units.
    const accounts = await linkAccounts(sim, trader, small.slice(0, 3), (i) => (i === 2 ? 3 : 1));
    try {
      const { runId } = await startRun(trader.id, undefined, () =>
        sim.market.overrideContract("NIFTY", { freezeQty: 130 }),
      );
      const run = await waitForRun(runId);
      expect(run.status).toBe("PARTIAL");

      const big = await db().orderIntent.findMany({
        where: { runId, accountId: accounts[2].id },
        orderBy: { phase: "asc" },
      });
      expect(big.filter((i) => i.phase === 1).map((i) => i.state)).toEqual(["rejected", "rejected"]);
      expect(big.find((i) => i.phase === 1)?.reason).toMatch(/freeze/i);
      const sells = big.filter((i) => i.phase === 2);
      expect(sells.map((i) => i.state)).toEqual(["held", "held"]);
      expect(sells[0].reason).toMatch(/^BUY phase failed, SELL legs not sent: .*freeze/i);
      expect(sells.every((i) => i.attempts === 0 && i.sentAt === null)).toBe(true);
      // At the broker: the two BUYs arrived (and were refused); no SELL ever did.
      const received = sim.broker.receivedOrders(small[2].id);
      expect(received.map((o) => [o.action, o.status])).toEqual([
        ["BUY", "rejected"],
        ["BUY", "rejected"],
      ]);

      for (const k of [0, 1]) {
        const orders = sim.broker.receivedOrders(small[k].id);
        expect(orders.map((o) => o.action).sort()).toEqual(["BUY", "BUY", "SELL", "SELL"]);
        expect(await db().orderIntent.count({ where: { runId, accountId: accounts[k].id, state: "accepted" } })).toBe(
          4,
        );
      }
      // The BUYs were refused for good: no retry can send the held SELLs (the account could not be hedged).
      await expect(retryRunIntents(trader, runId)).rejects.toThrow(/Nothing in this run can be retried/);
      expect(sim.broker.receivedOrders(small[2].id)).toHaveLength(2);
    } finally {
      sim.market.overrideContract("NIFTY", { freezeQty: 1755 });
    }
  });

  it("with 10 % lost responses, 5 % HTTP 500s and 429 bursts, a 50-account run places exactly one order per intent", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, many);
    const { runId } = await startRun(trader.id, undefined, () => {
      for (const inst of many)
        sim.broker.setFaults(inst.id, { lostResponseRate: 0.1, http500Rate: 0.05, burst429Remaining: 3 });
    });
    const run = await waitForRun(runId, 60_000);
    expect(worker.errors).toEqual([]);

    const intents = await db().orderIntent.findMany({ where: { runId } });
    expect(intents).toHaveLength(200);
    const counts = ordersByTag(
      sim,
      many.map((m) => m.id),
    );
    // Exactly one order per intent, no duplicates, nothing untagged or foreign.
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    expect([...counts.keys()].sort()).toEqual(intents.map((i) => i.id).sort());
    // Every intent ended confirmed: accepted directly, or adopted from the book after a lost reply (a market order
    // adopted after it filled is recorded as filled, with the broker's average price).
    const adopted = intents.filter((i) => i.state !== "accepted");
    expect(adopted.filter((i) => i.state !== "reconciled_accepted" && i.state !== "filled")).toEqual([]);
    expect(adopted.length).toBeGreaterThan(0);
    expect(
      adopted.every((i) => i.brokerOrderId && i.acknowledgedAt && /may have reached the broker/.test(i.reason ?? "")),
    ).toBe(true);
    expect(run.status).toBe("COMPLETED");
    expect(intents.filter((i) => i.attempts > 1).length).toBeGreaterThan(0);
    // Each intent's broker order id is the order carrying its tag.
    const byOrderId = new Map(many.flatMap((m) => sim.broker.receivedOrders(m.id)).map((o) => [o.orderid, o.strategy]));
    expect(intents.filter((i) => byOrderId.get(i.brokerOrderId ?? "") !== i.id)).toEqual([]);
  });
});
