import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitUntil } from "@/lib/testing/wait";
import { db } from "@/lib/db/client";
import { queue } from "@/lib/queues/queues";
import { QUEUES } from "@/lib/queues/registry";
import { peerRecoveryJobId, startRecoveryJobId } from "@/lib/queues/dispatch";
import { aliveWorkers } from "@/lib/queues/liveness";
import { workerBeats } from "@/lib/services/system";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { linkAccounts, ordersByTag, startRun, waitForRun } from "@/lib/testing/dispatch-kit";
import {
  diagnoseRun,
  exited,
  startWorkerProcess,
  stopWorkerProcesses,
  type WorkerProcess,
} from "@/lib/testing/worker-process";

const instances = instanceConfigs(24, "pair");
/** Dispatch jobs each worker runs at once: fewer than the accounts, so neither process can take every job. */
const PER_WORKER = 12;
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSim(instances);
  await resetState();
});
afterAll(async () => {
  await stopWorkerProcesses();
  await sim.close();
  await closeConnections();
});

/** The pid in a worker id (`<hostname>-<pid>-<random>`, lib/queues/liveness.ts newWorkerId). */
const pidOf = (workerId: string | null) => Number(workerId?.split("-").at(-2));

/** Who holds which of the run's intents right now: claimed/sending intents per worker pid. */
async function claims(runId: string) {
  const rows = await db().orderIntent.findMany({
    where: { runId, state: { in: ["claimed", "sending"] } },
    select: { id: true, state: true, claimedBy: true },
  });
  const byPid = new Map<number, typeof rows>();
  for (const r of rows) byPid.set(pidOf(r.claimedBy), [...(byPid.get(pidOf(r.claimedBy)) ?? []), r]);
  return byPid;
}

describe("dispatch across two worker processes", () => {
  it("two workers share a run, one is SIGKILLed mid-send: the survivor alone finishes it, one order per intent, hedge first", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, instances);
    const env = { ...process.env, LOG_LEVEL: "warn", WORKER_DISPATCH_CONCURRENCY: String(PER_WORKER) };
    const workers: WorkerProcess[] = [startWorkerProcess(env), startWorkerProcess(env)];
    const outputs = () => workers.map((w, i) => `worker ${i} (pid ${w.child.pid}):\n${w.output()}`).join("\n");
    // Both consume the dispatch queue before the run's jobs exist (each records its heartbeat after its queue workers
    // started). Generous: on a loaded machine a worker process takes long to boot (a bound, not a race).
    await waitUntil(
      async () => {
        const pids = new Set((await workerBeats()).map((b) => b.pid));
        return workers.every((w) => pids.has(w.child.pid!));
      },
      180_000,
      "both worker processes started",
      100,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\n${outputs()}`);
    });

    // ... and each has had its recovery pass of shortly after start, so only a peer's death can recover the claims below.
    await waitUntil(
      async () => {
        const ids = await aliveWorkers();
        const jobs = await Promise.all(
          ids
            .filter((id) => workers.some((w) => w.child.pid === pidOf(id)))
            .map((id) => queue(QUEUES.dispatch).getJob(startRecoveryJobId(id))),
        );
        return jobs.length === workers.length && jobs.every((j) => j?.finishedOn);
      },
      60_000,
      "both workers' start recovery done",
      100,
    ).catch((e) => {
      throw new Error(`${(e as Error).message}\n${outputs()}`);
    });

    // Slow replies keep placements in flight; each account's job then lasts seconds, so the jobs one worker cannot
    // take (it runs PER_WORKER at once) are taken by the other.
    const { runId } = await startRun(trader.id, undefined, () => {
      for (const inst of instances) sim.broker.setFaults(inst.id, { latencyMs: 1_500 });
    });
    const received = () => new Set(instances.flatMap((i) => sim.broker.receivedOrders(i.id).map((o) => o.strategy)));

    // Kill one once both hold claims and it has a placement the broker received whose reply is still on the way.
    let victim: WorkerProcess | undefined;
    await waitUntil(
      async () => {
        const held = await claims(runId);
        if (!workers.every((w) => held.has(w.child.pid!))) return false;
        const atBroker = received();
        victim = workers.find((w) => held.get(w.child.pid!)!.some((r) => r.state === "sending" && atBroker.has(r.id)));
        return victim !== undefined;
      },
      120_000,
      "both workers holding claims, one with an order in flight",
      50,
    ).catch(async (e) => {
      throw new Error(`${(e as Error).message}\n${await diagnoseRun(runId)}\n${outputs()}`);
    });
    const dead = victim!;
    const survivor = workers.find((w) => w !== dead)!;
    dead.child.kill("SIGKILL");
    const killedAt = Date.now();
    await exited(dead.child);

    // What the dead worker left mid-send, and which of those placements the broker had received.
    const leftBehind = (await claims(runId)).get(dead.child.pid!) ?? [];
    const atBroker = received();
    const sentAndReceived = leftBehind.filter((r) => r.state === "sending" && atBroker.has(r.id)).map((r) => r.id);
    expect(sentAndReceived.length).toBeGreaterThan(0);
    const deadWorkerId = (await db().orderIntent.findUniqueOrThrow({ where: { id: sentAndReceived[0] } })).claimedBy!;

    // No other worker is started: the survivor alone must finish the run.
    const run = await waitForRun(runId, 240_000).catch(async (e) => {
      throw new Error(`${(e as Error).message}\n${await diagnoseRun(runId)}\n${outputs()}`);
    });
    const tookMs = Date.now() - killedAt;
    console.info(`two workers: the survivor finished the run ${tookMs} ms after the other was killed`);
    expect(survivor.child.exitCode).toBeNull();
    expect(run.status).toBe("COMPLETED");

    const intents = await db().orderIntent.findMany({ where: { runId } });
    expect(intents).toHaveLength(instances.length * 4);
    const counts = ordersByTag(
      sim,
      instances.map((i) => i.id),
    );
    expect([...counts.values()].filter((n) => n !== 1)).toEqual([]);
    expect([...counts.keys()].sort()).toEqual(intents.map((i) => i.id).sort());
    // The dead worker's placements that had reached the broker were adopted through reconciliation, never resent.
    const byId = new Map(intents.map((i) => [i.id, i]));
    for (const id of sentAndReceived) {
      const i = byId.get(id)!;
      expect(i.reason).toMatch(/stopped while the intent was sending/);
      expect(i.attempts).toBe(1);
      expect(i.brokerOrderId).toBeTruthy();
    }
    for (const inst of instances) {
      const orders = sim.broker.receivedOrders(inst.id);
      expect(orders.map((o) => o.action)).toEqual(["BUY", "BUY", "SELL", "SELL"]);
    }
    // Recovery started from the survivor noticing its peer's liveness key expire, not from the minute's tick.
    const recovery = await queue(QUEUES.dispatch).getJob(peerRecoveryJobId(deadWorkerId));
    expect(recovery?.finishedOn).toBeGreaterThan(killedAt);

    survivor.child.kill("SIGTERM");
    await exited(survivor.child);
  }, 600_000);
});
