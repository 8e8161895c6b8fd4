import { QUEUES } from "@/lib/queues/names";
import { dispatchJobId, type DispatchJob, type DispatchTunables } from "@/lib/queues/jobs";
import { queue } from "@/lib/queues/queues";

/** Enqueues one dispatch job per account of a run (deterministic ids: re-enqueueing is harmless). */
export async function enqueueDispatch(
  runId: string,
  accountIds: readonly string[],
  options?: DispatchTunables,
): Promise<void> {
  const jobs = accountIds.map((accountId) => {
    const data: DispatchJob = { runId, accountId, ...(options ? { options } : {}) };
    return {
      name: "dispatch",
      data,
      opts: { jobId: dispatchJobId(data), removeOnComplete: 1000, removeOnFail: 1000, attempts: 1 },
    };
  });
  await queue(QUEUES.dispatch).addBulk(jobs);
}
