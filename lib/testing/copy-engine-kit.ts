/** A real copy worker in the test process (as workers/index.ts runs it), with the copy queue's schedulers. */
import { COPY_QUEUE, scheduleCopyJobs } from "@/lib/queues/copy";
import { closeMasterStreams } from "@/lib/services/copy";
import { processCopyJob } from "@/workers/processors/copy";
import { startQueueWorker } from "./queue-worker";

export async function startCopyWorker() {
  const w = await startQueueWorker(COPY_QUEUE, processCopyJob, 20);
  await scheduleCopyJobs();
  return {
    errors: w.errors,
    async close() {
      await w.close();
      await closeMasterStreams();
    },
  };
}
