import type { Job } from "bullmq";
import { heartbeatJobSchema } from "@/lib/queues/jobs";
import { recordHeartbeat } from "@/lib/services/system";

/** Heartbeat: proves a worker is alive and consuming jobs (shown on Admin → System). */
export function makeSystemProcessor(startedAt: Date, intervalMs: number) {
  return async function processSystemJob(job: Job): Promise<unknown> {
    if (job.name !== "heartbeat") throw new Error(`unknown system job ${job.name}`);
    heartbeatJobSchema.parse(job.data);
    return recordHeartbeat(startedAt, intervalMs, new Date());
  };
}
