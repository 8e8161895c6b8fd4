import { DelayedError, type Job } from "bullmq";
import { SIGNALS_QUEUE, signalsJobSchemas, REVERSE_RECHECK_MS } from "@/lib/queues/signals";
import { parseJob } from "@/lib/queues/jobs";
import { handleSignal, reconcileSignalStates } from "@/lib/services/webhooks";

/**
 * Signals queue: one job per accepted alert. A reverse waiting for its exit puts its own job back as delayed
 * (BullMQ's DelayedError pattern) instead of holding a worker slot: no busy loop, and the job id stays the alert's.
 */
export function makeSignalProcessor(recheckMs = REVERSE_RECHECK_MS) {
  return async (job: Job, token?: string) => {
    const parsed = parseJob(SIGNALS_QUEUE, signalsJobSchemas, job);
    if (parsed.name === "reconcile") return { changed: await reconcileSignalStates() };
    const { data } = parsed;
    const outcome = await handleSignal(data.signalId, new Date(), recheckMs);
    if (outcome.state === "waiting") {
      await job.moveToDelayed(Date.now() + outcome.retryInMs, token);
      throw new DelayedError();
    }
    return outcome;
  };
}
