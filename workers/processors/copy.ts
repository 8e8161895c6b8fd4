import { COPY_QUEUE, copyJobSchemas } from "@/lib/queues/copy";
import { typedProcessor } from "@/lib/queues/jobs";
import { copySweep, copyTick, scanGroup } from "@/lib/services/copy";

/** Copy queue: `scan` (one group's master), `tick` (the poll backstop, every group) and `sweep` (pending, alerts). */
export const processCopyJob = typedProcessor(COPY_QUEUE, copyJobSchemas, async (job) => {
  switch (job.name) {
    case "scan":
      return scanGroup(job.data.groupId, job.data.source);
    case "tick":
      return copyTick();
    case "sweep":
      return copySweep();
  }
});
