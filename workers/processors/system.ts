import { typedProcessor } from "@/lib/queues/jobs";
import { SYSTEM_QUEUE, systemJobSchemas } from "@/lib/queues/system";
import { recordHeartbeat } from "@/lib/services/system";

/** Heartbeat: proves a worker is alive and consuming jobs (shown on Admin → System). */
export function makeSystemProcessor(startedAt: Date, intervalMs: number) {
  return typedProcessor(SYSTEM_QUEUE, systemJobSchemas, async (job) => {
    switch (job.name) {
      case "heartbeat":
        return recordHeartbeat(startedAt, intervalMs, new Date());
    }
  });
}
