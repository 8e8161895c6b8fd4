import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { makeUser } from "@/lib/testing/fixtures";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { ironCondor, linkAccounts, ordersByTag, startRun } from "@/lib/testing/dispatch-kit";
import { dispatchAccount } from ".";
import { waitUntil } from "@/lib/testing/wait";

const INSTANCES = instanceConfigs(3, "cas").map((c) => ({ ...c, capital: "100000000" }));
const world = useIntegrationWorld(INSTANCES);

const OPTS = { reconcileWindowMs: 2_000, pollIntervalMs: 50 };

describe("dispatch invariants", () => {
  it("two dispatchers on the same (run, account) at once, with broker latency: exactly one order per intent", async () => {
    const trader = await makeUser("TRADER");
    const accounts = await linkAccounts(world.sim, trader, INSTANCES);
    // Planned while no worker runs; the replies then take 300 ms, so both dispatchers are mid-send together.
    const { runId } = await startRun(trader.id, ironCondor(), () => {
      for (const inst of INSTANCES) world.sim.broker.setFaults(inst.id, { latencyMs: 300 });
    });
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        accounts.flatMap((a) => [
          dispatchAccount(runId, a.id, `worker-a-${round}`, OPTS),
          dispatchAccount(runId, a.id, `worker-b-${round}`, OPTS),
        ]),
      );
    }
    const intents = await db().orderIntent.findMany({ where: { runId } });
    expect(intents).toHaveLength(12);
    expect(intents.map((i) => i.state)).toEqual(Array(12).fill("accepted"));
    const counts = ordersByTag(
      world.sim,
      INSTANCES.map((i) => i.id),
    );
    expect([...counts.keys()].sort()).toEqual(intents.map((i) => i.id).sort());
    expect([...counts.values()]).toEqual(Array(12).fill(1));
  });

  it("a run whose legs exceed the freeze quantity is sliced: 40 lots of NIFTY leave as 27 + 13 lots per leg and account", async () => {
    const trader = await makeUser("TRADER");
    const accounts = await linkAccounts(world.sim, trader, INSTANCES.slice(0, 2));
    const { runId } = await startRun(trader.id, ironCondor(40));
    await Promise.all(accounts.map((a) => dispatchAccount(runId, a.id, "worker-sliced", OPTS)));
    for (const inst of INSTANCES.slice(0, 2)) {
      const orders = world.sim.broker.receivedOrders(inst.id);
      // Freeze 1,755 = 27 lots of 65; 40 lots = 2,600 units = 1,755 + 845. BUY wings (both slices) before SELLs.
      expect(orders.map((o) => `${o.action} ${o.quantity}`)).toEqual([
        "BUY 1755",
        "BUY 845",
        "BUY 1755",
        "BUY 845",
        "SELL 1755",
        "SELL 845",
        "SELL 1755",
        "SELL 845",
      ]);
      expect(orders.every((o) => o.status === "complete")).toBe(true);
      const bySymbol = new Map<string, number>();
      for (const o of orders) bySymbol.set(o.symbol, (bySymbol.get(o.symbol) ?? 0) + o.quantity);
      expect([...bySymbol.values()]).toEqual([2600, 2600, 2600, 2600]);
    }
    const intents = await db().orderIntent.findMany({ where: { runId } });
    expect(intents.map((i) => i.quantity).sort((a, b) => a - b)).toEqual([
      ...Array(8).fill(845),
      ...Array(8).fill(1755),
    ]);
  });

  it("the reconcile window: an order whose reply was lost and that the book shows only later is adopted when it appears, never resent", async () => {
    const trader = await makeUser("TRADER");
    const [account] = await linkAccounts(world.sim, trader, INSTANCES.slice(0, 1));
    // Every reply is lost after the order is placed, and the book keeps new orders back until the fault is lifted.
    const { runId } = await startRun(trader.id, ironCondor(), () =>
      world.sim.broker.setFaults(INSTANCES[0].id, { lostResponseRate: 1, bookLagging: true }),
    );
    // A window far longer than the test: only a book that shows the order may settle it.
    const dispatched = dispatchAccount(runId, account.id, "worker-lagging-book", {
      reconcileWindowMs: 120_000,
      pollIntervalMs: 50,
    });
    const buys = () => db().orderIntent.findMany({ where: { runId, phase: 1 } });
    await waitUntil(
      async () =>
        (await buys()).every((i) => i.state === "unknown") &&
        world.sim.broker.receivedOrders(INSTANCES[0].id).length === 2,
      30_000,
      "BUY replies lost",
    );
    // Not a condition of passing: time for the reconciler to read the lagging book many times (every 50 ms) first.
    await new Promise((r) => setTimeout(r, 1_000));
    expect(world.sim.broker.receivedOrders(INSTANCES[0].id)).toHaveLength(2);
    world.sim.broker.setFaults(INSTANCES[0].id, { bookLagging: false });
    await dispatched;
    world.sim.broker.setFaults(INSTANCES[0].id, { lostResponseRate: 0 });

    const intents = await db().orderIntent.findMany({ where: { runId } });
    expect(intents.map((i) => `${i.phase}:${i.state}:${i.attempts}`).sort()).toEqual([
      "1:reconciled_accepted:1",
      "1:reconciled_accepted:1",
      "2:reconciled_accepted:1",
      "2:reconciled_accepted:1",
    ]);
    const counts = ordersByTag(world.sim, [INSTANCES[0].id]);
    expect([...counts.keys()].sort()).toEqual(intents.map((i) => i.id).sort());
    expect([...counts.values()]).toEqual([1, 1, 1, 1]);
    expect(await db().auditLog.count({ where: { action: "intent.safe_to_resend" } })).toBe(0);
  });

  it("a placement without an answer whose order the book never shows is resent once after the window, and the audit says why", async () => {
    const trader = await makeUser("TRADER");
    const [account] = await linkAccounts(world.sim, trader, INSTANCES.slice(0, 1));
    // Every call answers 500 without acting: the placement's outcome is unknown, and the book cannot be read yet.
    const { runId } = await startRun(trader.id, ironCondor(), () =>
      world.sim.broker.setFaults(INSTANCES[0].id, { http500Rate: 1 }),
    );
    const dispatched = dispatchAccount(runId, account.id, "worker-resend", {
      reconcileWindowMs: 300,
      pollIntervalMs: 50,
    });
    const buys = () => db().orderIntent.findMany({ where: { runId, phase: 1 } });
    await waitUntil(async () => (await buys()).every((i) => i.state === "unknown"), 30_000, "BUY outcomes unknown");
    expect(world.sim.broker.receivedOrders(INSTANCES[0].id)).toHaveLength(0);
    // The book becomes readable and shows no such order: after the window, each BUY is safe to resend, and resent.
    world.sim.broker.setFaults(INSTANCES[0].id, { http500Rate: 0 });
    await dispatched;

    const intents = await db().orderIntent.findMany({
      where: { runId },
      orderBy: [{ phase: "asc" }, { legIndex: "asc" }],
    });
    expect(intents.map((i) => `${i.phase}:${i.state}:${i.attempts}`)).toEqual([
      "1:accepted:2",
      "1:accepted:2",
      "2:accepted:1",
      "2:accepted:1",
    ]);
    // Exactly one order per intent at the broker: the resend did not duplicate anything.
    const counts = ordersByTag(world.sim, [INSTANCES[0].id]);
    expect([...counts.keys()].sort()).toEqual(intents.map((i) => i.id).sort());
    expect([...counts.values()]).toEqual([1, 1, 1, 1]);
    // One audit row per resent intent, with the evidence: the book read it rests on held nothing to take.
    const audits = await db().auditLog.findMany({ where: { action: "intent.safe_to_resend" } });
    expect(audits.map((a) => a.entityId).sort()).toEqual(
      intents
        .filter((i) => i.phase === 1)
        .map((i) => i.id)
        .sort(),
    );
    for (const a of audits) {
      expect(a.details).toMatchObject({ runId, accountId: account.id, windowMs: 300, candidates: [] });
      expect((a.details as { book: { source: string; orders: number } }).book).toMatchObject({
        source: "order book",
        orders: 0,
      });
    }
  });
});
