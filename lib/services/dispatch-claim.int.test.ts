import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/simulator";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator";
import { ironCondor, linkAccounts, ordersByTag, startRun } from "./dispatch-test-kit";
import { dispatchAccount } from "./dispatch";

const INSTANCES = instanceConfigs(3, "cas").map((c) => ({ ...c, capital: "100000000" }));
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSim(INSTANCES);
});
beforeEach(resetState);
afterEach(() => {
  for (const inst of INSTANCES) sim.broker.setFaults(inst.id, { latencyMs: 0 });
  sim.broker.reset();
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

const OPTS = { reconcileWindowMs: 2_000, pollIntervalMs: 50 };

describe("dispatch invariants", () => {
  it("two dispatchers on the same (run, account) at once, with broker latency: exactly one order per intent", async () => {
    const trader = await makeUser("TRADER");
    const accounts = await linkAccounts(sim, trader, INSTANCES);
    // Planned while no worker runs; the replies then take 300 ms, so both dispatchers are mid-send together.
    const { runId } = await startRun(trader.id, ironCondor(), () => {
      for (const inst of INSTANCES) sim.broker.setFaults(inst.id, { latencyMs: 300 });
    });
    for (let round = 0; round < 3; round++) {
      await Promise.all(accounts.flatMap((a) => [dispatchAccount(runId, a.id, `worker-a-${round}`, OPTS), dispatchAccount(runId, a.id, `worker-b-${round}`, OPTS)]));
    }
    const intents = await db().orderIntent.findMany({ where: { runId } });
    expect(intents).toHaveLength(12);
    expect(intents.map((i) => i.state)).toEqual(Array(12).fill("accepted"));
    const counts = ordersByTag(sim, INSTANCES.map((i) => i.id));
    expect([...counts.keys()].sort()).toEqual(intents.map((i) => i.id).sort());
    expect([...counts.values()]).toEqual(Array(12).fill(1));
  });

  it("a run whose legs exceed the freeze quantity is sliced: 40 lots of NIFTY leave as 27 + 13 lots per leg and account", async () => {
    const trader = await makeUser("TRADER");
    const accounts = await linkAccounts(sim, trader, INSTANCES.slice(0, 2));
    const { runId } = await startRun(trader.id, ironCondor(40));
    await Promise.all(accounts.map((a) => dispatchAccount(runId, a.id, "worker-sliced", OPTS)));
    for (const inst of INSTANCES.slice(0, 2)) {
      const orders = sim.broker.receivedOrders(inst.id);
      // Freeze 1,755 = 27 lots of 65; 40 lots = 2,600 units = 1,755 + 845. BUY wings (both slices) before SELLs.
      expect(orders.map((o) => `${o.action} ${o.quantity}`)).toEqual(["BUY 1755", "BUY 845", "BUY 1755", "BUY 845", "SELL 1755", "SELL 845", "SELL 1755", "SELL 845"]);
      expect(orders.every((o) => o.status === "complete")).toBe(true);
      const bySymbol = new Map<string, number>();
      for (const o of orders) bySymbol.set(o.symbol, (bySymbol.get(o.symbol) ?? 0) + o.quantity);
      expect([...bySymbol.values()]).toEqual([2600, 2600, 2600, 2600]);
    }
    const intents = await db().orderIntent.findMany({ where: { runId } });
    expect(intents.map((i) => i.quantity).sort((a, b) => a - b)).toEqual([...Array(8).fill(845), ...Array(8).fill(1755)]);
  });
});
