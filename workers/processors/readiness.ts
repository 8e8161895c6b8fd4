import { typedProcessor } from "@/lib/queues/jobs";
import { READINESS_QUEUE, readinessJobSchemas } from "@/lib/queues/readiness";
import { runReadinessCheck, runReadinessSchedule, type ReadinessOptions } from "@/lib/services/readiness";

/**
 * Readiness queue: `check` (check some or all active accounts, store, alert and notify) and `schedule` (every minute:
 * start the day's check once it is due). `now` fixes the clock of both (tests); the wall clock otherwise.
 */
export function makeReadinessProcessor(options: ReadinessOptions = {}) {
  const now = options.now ?? (() => new Date());
  return typedProcessor(READINESS_QUEUE, readinessJobSchemas, async (job) => {
    switch (job.name) {
      case "check":
        return runReadinessCheck(job.data, options);
      case "schedule":
        return runReadinessSchedule(now());
    }
  });
}
