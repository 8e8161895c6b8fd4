import type { Job } from "bullmq";
import { fillsJobSchema, fillsSweepJobSchema } from "@/lib/queues/fills";
import { pollAccountFills, sweepFillTracking } from "@/lib/services/fills/poller";

/** Fills queue: `sync` (one account's order book, from its scheduler or an order update) and `sweep` (backstop). */
export async function processFillsJob(job: Job): Promise<unknown> {
  switch (job.name) {
    case "sync":
      return pollAccountFills(fillsJobSchema.parse(job.data).accountId);
    case "sweep":
      fillsSweepJobSchema.parse(job.data);
      return sweepFillTracking();
    default:
      throw new Error(`unknown fills job ${job.name}`);
  }
}
