import { DISPATCH_QUEUE, dispatchJobSchemas } from "@/lib/queues/dispatch";
import { typedProcessor } from "@/lib/queues/jobs";
import { dispatchAccount, type DispatchOptions, recoverInFlight } from "@/lib/services/dispatch";

/**
 * Dispatch queue: `dispatch` (one run × account, after createRun or recovery), `retry` (the same, requested by a
 * person: exhausted intents get more sends) and `recover` (orphaned intents of dead workers).
 */
export function makeDispatchProcessor(workerId: string, options: Partial<DispatchOptions> = {}) {
  return typedProcessor(DISPATCH_QUEUE, dispatchJobSchemas, async (job) => {
    switch (job.name) {
      case "dispatch":
      case "retry": {
        const { runId, accountId, options: carried } = job.data;
        // Tunables the run carries (exits: short reconcile windows, no blind resend) win over the process defaults.
        return dispatchAccount(runId, accountId, workerId, { ...options, ...carried, retry: job.name === "retry" });
      }
      case "recover":
        return recoverInFlight(workerId, options);
    }
  });
}
