/**
 * Shared set-up of the live market-data integration tests (never used by product code): a real market-data worker in
 * the test process, without its schedulers, so only the jobs a test (or the code under test) queues run.
 */
import { Worker } from "bullmq";
import { BULL_PREFIX } from "@/lib/queues/queues";
import { QUEUES } from "@/lib/queues/registry";
import { createBlockingRedis } from "@/lib/redis";
import { processMarketDataJob } from "@/workers/processors/market-data";

/** A real market-data worker (as workers/index.ts runs it); `errors` collects failed jobs. */
export async function startMarketDataWorker() {
  const connection = createBlockingRedis();
  const worker = new Worker(QUEUES.marketData, processMarketDataJob, { connection, prefix: BULL_PREFIX });
  const errors: Error[] = [];
  worker.on("failed", (_job, err) => errors.push(err));
  worker.on("error", (err) => errors.push(err));
  await worker.waitUntilReady();
  return {
    errors,
    async close() {
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}
