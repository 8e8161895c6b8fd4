import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "@/lib/testing/wait";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { linkAccounts, ordersByTag, startRun, waitForRun } from "@/lib/testing/dispatch-kit";
import { diagnoseRun, exited, startWorkerProcess, stopWorkerProcesses } from "@/lib/testing/worker-process";

const instances = instanceConfigs(20, "kill");
let sim: RunningSimulator;
const workerEnv = { ...process.env, LOG_LEVEL: "warn" };

beforeAll(async () => {
  sim = await startSim(instances);
  await resetState();
});
afterAll(async () => {
  await stopWorkerProcesses();
  await sim.close();
  await closeConnections();
});

describe("dispatch across a worker crash", () => {
  it("SIGKILL of the worker process mid-send, then a fresh worker: every intent still ends with exactly one order, hedge first", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, instances);
    // Slow replies keep placements in flight long enough to kill the worker in the middle of them.
    const { runId } = await startRun(trader.id, undefined, () => {
      for (const inst of instances) sim.broker.setFaults(inst.id, { latencyMs: 700 });
    });

    const first = startWorkerProcess(workerEnv);
    // Kill once orders have reached the broker while their replies are still on the way.
    const received = () => instances.reduce((n, i) => n + sim.broker.receivedOrders(i.id).length, 0);
    // Generous: on a loaded machine the worker process takes long to boot (a bound, not a race).
    await waitUntil(() => received() >= 10, 150_000, "orders in flight", 10).catch((e) => {
      throw new Error(`${(e as Error).message}\n${first.output()}`);
    });
    first.child.kill("SIGKILL");
    await exited(first.child);
    const leftInFlight = await db().orderIntent.count({ where: { runId, state: { in: ["claimed", "sending"] } } });
    expect(leftInFlight).toBeGreaterThan(0);
    expect(received()).toBeLessThan(80);

    const second = startWorkerProcess(workerEnv);
    const run = await waitForRun(runId, 120_000).catch(async (e) => {
      throw new Error(`${(e as Error).message}\n${await diagnoseRun(runId)}\n${second.output()}`);
    });
    expect(run.status).toBe("COMPLETED");

    const intents = await db().orderIntent.findMany({ where: { runId } });
    expect(intents).toHaveLength(80);
    const counts = ordersByTag(
      sim,
      instances.map((i) => i.id),
    );
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    expect([...counts.keys()].sort()).toEqual(intents.map((i) => i.id).sort());
    // The killed worker's placements that reached the broker were adopted through reconciliation, not resent.
    const recovered = intents.filter((i) => /stopped while the intent was sending/.test(i.reason ?? ""));
    expect(recovered.length).toBeGreaterThan(0);
    expect(recovered.every((i) => i.attempts === 1 && i.brokerOrderId)).toBe(true);
    for (const inst of instances) {
      const orders = sim.broker.receivedOrders(inst.id);
      expect(orders.map((o) => o.action)).toEqual(["BUY", "BUY", "SELL", "SELL"]);
    }

    second.child.kill("SIGTERM");
    await exited(second.child);
  }, 330_000);
});
