import type { Job } from "bullmq";
import { z } from "zod";
import { dispatchJobSchema } from "@/lib/queues/jobs";
import { dispatchAccount } from "@/lib/services/dispatch";
import type { DispatchOptions } from "@/lib/services/dispatch/options";
import { recoverInFlight } from "@/lib/services/dispatch/recovery";

/** The periodic recovery job carries nothing: it scans the database. */
const recoverJobSchema = z.object({}).strict();

/**
 * Dispatch queue: `dispatch` (one run × account, after createRun or recovery), `retry` (the same, requested by a
 * person: exhausted intents get more sends) and `recover` (orphaned intents of dead workers).
 */
export function makeDispatchProcessor(workerId: string, options: Partial<DispatchOptions> = {}) {
  return async function processDispatchJob(job: Job): Promise<unknown> {
    switch (job.name) {
      case "dispatch":
      case "retry": {
        const { runId, accountId, options: carried } = dispatchJobSchema.parse(job.data);
        // Tunables the run carries (exits: short reconcile windows, no blind resend) win over the process defaults.
        return dispatchAccount(runId, accountId, workerId, { ...options, ...carried, retry: job.name === "retry" });
      }
      case "recover":
        recoverJobSchema.parse(job.data);
        return recoverInFlight(workerId, options);
      default:
        throw new Error(`unknown dispatch job ${job.name}`);
    }
  };
}
