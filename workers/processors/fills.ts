import { FILLS_QUEUE, fillsJobSchemas } from "@/lib/queues/fills";
import { typedProcessor } from "@/lib/queues/jobs";
import { pollAccountFills, sweepFillTracking } from "@/lib/services/fills";

/** Fills queue: `sync` (one account's order book, from its scheduler or an order update) and `sweep` (backstop). */
export const processFillsJob = typedProcessor(FILLS_QUEUE, fillsJobSchemas, async (job) => {
  switch (job.name) {
    case "sync":
      return pollAccountFills(job.data.accountId);
    case "sweep":
      return sweepFillTracking();
  }
});
