import { FILLS_QUEUE, fillsJobSchemas, scheduleFillPolls } from "@/lib/queues/fills";
import { typedProcessor } from "@/lib/queues/jobs";
import { sweepFillTracking } from "@/lib/services/fills";

/**
 * Fills queue: `sweep` (the backstop) and `sync`, a job of an older version's per-account scheduler: its account
 * moves into the schedule of the fill pollers (the sweep retires the scheduler itself).
 */
export const processFillsJob = typedProcessor(FILLS_QUEUE, fillsJobSchemas, async (job) => {
  switch (job.name) {
    case "sync":
      return scheduleFillPolls(job.data.accountId);
    case "sweep":
      return sweepFillTracking();
  }
});
