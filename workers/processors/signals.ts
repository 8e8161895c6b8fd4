import { DelayedError, type Job } from "bullmq";
import { SIGNALS_QUEUE, signalsJobSchemas, SIGNAL_RECHECK_MS } from "@/lib/queues/signals";
import { parseJob } from "@/lib/queues/jobs";
import { handleSignal, reconcileSignalStates, recoverSignals } from "@/lib/services/webhooks";

/**
 * Signals queue: `signal` (one per accepted alert), `sweep` (hand on alerts whose job was lost) and `reconcile`
 * (signal states re-derived from the ledger, lib/services/webhooks/signal-state.ts). An entry that
 * must wait (an exit working, an earlier alert not handed on) puts its own job back as delayed (BullMQ's DelayedError
 * pattern) instead of holding a worker slot: no busy loop, and the job id stays the alert's.
 */
export function makeSignalProcessor(recheckMs = SIGNAL_RECHECK_MS) {
  return async (job: Job, token?: string) => {
    const parsed = parseJob(SIGNALS_QUEUE, signalsJobSchemas, job);
    if (parsed.name === "sweep") return recoverSignals(new Date());
    if (parsed.name === "reconcile") return { changed: await reconcileSignalStates() };
    const outcome = await handleSignal(parsed.data.signalId, new Date(), recheckMs);
    if (outcome.state === "waiting") {
      await job.moveToDelayed(Date.now() + outcome.retryInMs, token);
      throw new DelayedError();
    }
    return outcome;
  };
}
