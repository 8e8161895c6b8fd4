import { Worker } from "bullmq";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { waitUntil } from "@/lib/testing/wait";
import { db } from "@/lib/db/client";
import { BULL_PREFIX } from "@/lib/queues/queues";
import { QUEUES } from "@/lib/queues/registry";
import { queue } from "@/lib/queues/queues";
import { createBlockingRedis } from "@/lib/redis";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { linkAccounts, ordersByTag, startDispatchWorker, startRun, waitForRun } from "@/lib/testing/dispatch-kit";
import { RECOVERY_EVERY_MS } from "@/lib/queues/dispatch";
import { recoverInFlight } from ".";

const instances = instanceConfigs(2, "rcv");
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSim(instances);
});
beforeEach(async () => {
  await resetState();
  sim.broker.reset();
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

/** A worker that takes dispatch jobs and never finishes them; `kill()` stops it the way SIGKILL would (no cleanup). */
async function hangingWorker() {
  const connection = createBlockingRedis();
  const taken: string[] = [];
  const worker = new Worker(
    QUEUES.dispatch,
    (job) => {
      taken.push(job.id!);
      return new Promise(() => undefined);
    },
    { connection, prefix: BULL_PREFIX, concurrency: 50 },
  );
  return {
    taken,
    async kill() {
      await worker.close(true);
      connection.disconnect();
    },
  };
}

describe("dispatch recovery after a killed worker", () => {
  it("a recovery pass in the same minute as the dead worker's own pass still gets every account a job that runs", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, instances);
    const { runId } = await startRun(trader.id);
    const bucketStart = Math.floor(Date.now() / RECOVERY_EVERY_MS) * RECOVERY_EVERY_MS;

    // The dead worker took the run's jobs and then its own recovery pass's jobs (as its scheduler's first pass does).
    const dead = await hangingWorker();
    await waitUntil(() => dead.taken.length === instances.length, 20_000, "the run's jobs taken", 20);
    expect((await recoverInFlight("dead-worker", {}, bucketStart + 1_000)).redispatched).toBe(instances.length);
    await waitUntil(() => dead.taken.length === 2 * instances.length, 20_000, "the recovery jobs taken", 20);
    await dead.kill();
    const states = await Promise.all(
      dead.taken.map(async (id) => (await queue(QUEUES.dispatch).getJob(id))!.getState()),
    );
    expect(states).toEqual(Array(2 * instances.length).fill("active"));

    // A fresh worker's recovery in the same minute: its jobs must not be swallowed by the dead worker's ids.
    const live = await startDispatchWorker({ reconcileWindowMs: 500, pollIntervalMs: 50 });
    try {
      expect((await recoverInFlight(live.workerId, {}, bucketStart + 2_000)).redispatched).toBe(instances.length);
      expect((await waitForRun(runId, 30_000)).status).toBe("COMPLETED");
      const intents = await db().orderIntent.findMany({ where: { runId } });
      const counts = ordersByTag(
        sim,
        instances.map((i) => i.id),
      );
      expect([...counts.keys()].sort()).toEqual(intents.map((i) => i.id).sort());
      expect([...counts.values()]).toEqual(Array(intents.length).fill(1));
      // A second pass while those jobs are queued or done adds nothing more for finished accounts.
      expect((await recoverInFlight(live.workerId, {}, bucketStart + 3_000)).redispatched).toBe(0);
    } finally {
      await live.close();
    }
  });
});
