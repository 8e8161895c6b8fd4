import { Worker, type Processor } from "bullmq";
import { BULL_PREFIX } from "@/lib/queues/queues";
import { createBlockingRedis } from "@/lib/redis";

/**
 * A real BullMQ worker on `queueName` in this process, as workers/index.ts runs it: its own blocking connection,
 * failed jobs and worker errors collected in `errors`, ready before it is returned. `close()` stops it and its
 * connection.
 */
export async function startQueueWorker<D, R, N extends string>(
  queueName: string,
  processor: Processor<D, R, N>,
  concurrency = 1,
) {
  const connection = createBlockingRedis();
  const worker = new Worker<D, R, N>(queueName, processor, { connection, prefix: BULL_PREFIX, concurrency });
  const errors: Error[] = [];
  worker.on("failed", (_job, err) => errors.push(err));
  worker.on("error", (err) => errors.push(err));
  await worker.waitUntilReady();
  return {
    worker,
    errors,
    async close() {
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
