/**
 * Shared set-up of the live market-data integration tests (never used by product code): a real market-data worker in
 * the test process, without its schedulers, so only the jobs a test (or the code under test) queues run.
 */

import { QUEUES } from "@/lib/queues/registry";
import { startQueueWorker } from "./queue-worker";
import { processMarketDataJob } from "@/workers/processors/market-data";

/** A real market-data worker (as workers/index.ts runs it); `errors` collects failed jobs. */
export async function startMarketDataWorker() {
  const { errors, close } = await startQueueWorker(QUEUES.marketData, processMarketDataJob);
  return { errors, close };
}
