import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "@/lib/testing/wait";
import { db } from "@/lib/db/client";
import { QUEUES } from "@/lib/queues/registry";
import { queue } from "@/lib/queues/queues";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { linkAccounts, ordersByTag, startRun, waitForRun } from "@/lib/testing/dispatch-kit";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const instances = instanceConfigs(20, "kill");
let sim: RunningSimulator;
const children: ChildProcess[] = [];

/** The real worker process (workers/index.ts) with the test environment. */
function startWorkerProcess(): { child: ChildProcess; output: () => string } {
  let out = "";
  // `node --import tsx` runs the worker in this one process (the tsx CLI would fork a child a SIGKILL never reaches).
  const child = spawn(process.execPath, ["--import", "tsx", "workers/index.ts"], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: "warn" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d) => (out += String(d)));
  child.stderr?.on("data", (d) => (out += String(d)));
  children.push(child);
  return { child, output: () => out };
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve() : child.once("exit", () => resolve()),
  );

/** What a stuck run looks like: its unfinished intents and every dispatch job (a failure message, not an assertion). */
async function diagnose(runId: string): Promise<string> {
  const open = await db().orderIntent.findMany({
    where: { runId, state: { notIn: ["accepted", "reconciled_accepted", "filled", "partially_filled"] } },
    include: { account: { select: { name: true } } },
  });
  const q = queue(QUEUES.dispatch);
  const jobs = await q.getJobs(["active", "waiting", "delayed", "completed", "failed", "prioritized"], 0, 500);
  const rows = await Promise.all(
    jobs.map(
      async (j) =>
        `${j.id} ${j.name} ${await j.getState()} processed=${j.processedOn ?? "-"} finished=${j.finishedOn ?? "-"} ${j.failedReason ?? ""} ${JSON.stringify(j.returnvalue ?? null).slice(0, 200)}`,
    ),
  );
  return [
    `open intents:`,
    ...open.map(
      (i) => `${i.account.name} ${i.phase} ${i.state} sent=${i.sentAt?.toISOString()} by=${i.claimedBy} ${i.reason}`,
    ),
    `jobs:`,
    ...rows,
  ].join("\n");
}

beforeAll(async () => {
  sim = await startSim(instances);
  await resetState();
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await Promise.all(children.map(exited));
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

    const first = startWorkerProcess();
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

    const second = startWorkerProcess();
    const run = await waitForRun(runId, 120_000).catch(async (e) => {
      throw new Error(`${(e as Error).message}\n${await diagnose(runId)}\n${second.output()}`);
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
