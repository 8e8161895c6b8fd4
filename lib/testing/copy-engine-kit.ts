/**
 * The copy engine's test kit: a real copy worker in the test process (as workers/index.ts runs it, with the copy
 * queue's schedulers and the master streams), the whole copy pipeline (dispatch, fills, copy), and what the
 * simulator's child instances received.
 */
import { COPY_QUEUE, scheduleCopyJobs } from "@/lib/queues/copy";
import { startMasterStreams, stopMasterStreams } from "@/lib/services/copy";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import type { InstanceConfig } from "@/lib/simulator/types";
import { processCopyJob } from "@/workers/processors/copy";
import { startDispatchWorker } from "./dispatch-kit";
import { startFillsWorker } from "./fills-kit";
import type { IntegrationWorld } from "./integration-world";
import { startQueueWorker } from "./queue-worker";
import { SIM_ADMIN } from "./simulator-instances";

export async function startCopyWorker() {
  const w = await startQueueWorker(COPY_QUEUE, processCopyJob, 20);
  await scheduleCopyJobs();
  await startMasterStreams();
  return {
    errors: w.errors,
    async close() {
      await w.close();
      await stopMasterStreams();
    },
  };
}

/** Dispatch timings that settle quickly in tests. */
export const FAST_DISPATCH = { reconcileWindowMs: 1_000, pollIntervalMs: 100, refusedBackoffMs: 50 };

/** Every worker the copy path needs, stopped after the test; returns the copy worker. */
export async function startCopyPipeline(world: IntegrationWorld) {
  world.stopAfterTest(await startDispatchWorker(FAST_DISPATCH));
  world.stopAfterTest(await startFillsWorker());
  return world.stopAfterTest(await startCopyWorker());
}

/** Units the instance received on one side (every order the simulator took, filled or not). */
export function unitsReceived(sim: RunningSimulator, inst: InstanceConfig, side: "BUY" | "SELL"): number {
  return sim.broker
    .receivedOrders(inst.id)
    .filter((o) => o.action === side)
    .reduce((n, o) => n + Number(o.quantity), 0);
}

/** Terminates every WebSocket of one simulator instance (the control API), like a network drop. */
export async function dropInstanceSockets(sim: RunningSimulator, instanceId: string): Promise<number> {
  const res = await fetch(`${sim.httpUrl}/_sim/instances/${instanceId}/ws/drop`, {
    method: "POST",
    headers: { Authorization: `Bearer ${SIM_ADMIN}`, "Content-Type": "application/json" },
    body: "{}",
  });
  if (res.status !== 200) throw new Error(`ws drop refused: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { dropped: number }).dropped;
}
