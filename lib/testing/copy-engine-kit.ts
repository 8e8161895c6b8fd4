/** A real copy worker in the test process (as workers/index.ts runs it): the copy queue's schedulers, the master streams. */
import { COPY_QUEUE, scheduleCopyJobs } from "@/lib/queues/copy";
import { startMasterStreams, stopMasterStreams } from "@/lib/services/copy";
import { processCopyJob } from "@/workers/processors/copy";
import { startQueueWorker } from "./queue-worker";

export async function startCopyWorker() {
  const w = await startQueueWorker(COPY_QUEUE, processCopyJob, 20);
  await scheduleCopyJobs();
  await startMasterStreams();
  return {
    errors: w.errors,
    async close() {
      await w.close();
      await stopMasterStreams();
    },
  };
}
