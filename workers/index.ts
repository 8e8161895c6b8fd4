/**
 * Worker process: every BullMQ queue of MirrorDesk. Waits for Redis (never fails fast), logs errors, and on
 * SIGTERM/SIGINT finishes in-flight jobs before exiting.
 */
import { Worker } from "bullmq";
import { env } from "@/lib/env";
import { log, setLogService } from "@/lib/log";
import { createBlockingRedis, disconnectRedis } from "@/lib/redis";
import { disconnectDb } from "@/lib/db/client";
import { BULL_PREFIX, QUEUES } from "@/lib/queues/names";
import { SCHEDULERS } from "@/lib/queues/jobs";
import { closeQueues, queue } from "@/lib/queues/queues";
import { recordHeartbeat } from "@/lib/services/system";
import { makeSystemProcessor } from "./processors/system";
import { processAccountsJob } from "./processors/accounts";
import { makeDispatchProcessor } from "./processors/dispatch";
import { processFillsJob } from "./processors/fills";
import { scheduleFillSweep } from "@/lib/queues/fills";
import { closeOrderStreams } from "@/lib/services/fills/poller";
import { makeExitProcessor } from "./processors/exits";
import { scheduleExitJobs } from "@/lib/queues/exits";
import {
  LIVENESS_TTL_MS,
  RECOVERY_EVERY_MS,
  RECOVERY_SCHEDULER,
  newWorkerId,
  recoverInFlight,
  startWorkerLiveness,
} from "@/lib/services/dispatch/recovery";

/** Dispatch jobs spend most of their time waiting on brokers: hundreds of accounts run in parallel per process. */
const DISPATCH_CONCURRENCY = 200;
/** One fill poll per account per second, each one order-book call (the account's rate governor spaces them). */
const FILLS_CONCURRENCY = 300;
/** Exits being driven at once (each is mostly waiting on brokers and dispatch). */
const EXITS_CONCURRENCY = 50;

async function main() {
  setLogService("worker");
  const e = env();
  const startedAt = new Date();
  const connection = createBlockingRedis();
  // Claims name this id; its liveness key tells recovery (here or in another process) that they are not orphaned.
  const workerId = newWorkerId();
  const stopLiveness = await startWorkerLiveness(workerId);
  // Before taking jobs: intents a killed predecessor left mid-send become `unknown` and are reconciled, never resent.
  await recoverInFlight(workerId).catch((err) => log().error({ err }, "dispatch recovery failed at start"));
  const workers = [
    new Worker(QUEUES.system, makeSystemProcessor(startedAt, e.WORKER_HEARTBEAT_MS), {
      connection,
      prefix: BULL_PREFIX,
      concurrency: 1,
    }),
    // One health round at a time: a round pings every account in parallel already.
    new Worker(QUEUES.accounts, processAccountsJob, { connection, prefix: BULL_PREFIX, concurrency: 1 }),
    new Worker(QUEUES.dispatch, makeDispatchProcessor(workerId), {
      connection,
      prefix: BULL_PREFIX,
      concurrency: DISPATCH_CONCURRENCY,
    }),
    new Worker(QUEUES.fills, processFillsJob, { connection, prefix: BULL_PREFIX, concurrency: FILLS_CONCURRENCY }),
    // One job drives one exit (all its accounts in parallel); a lease on the exit row keeps a second job out.
    new Worker(QUEUES.exits, makeExitProcessor(workerId), {
      connection,
      prefix: BULL_PREFIX,
      concurrency: EXITS_CONCURRENCY,
    }),
  ];
  for (const w of workers) {
    w.on("error", (err) => log().error({ err, queue: w.name }, "worker error"));
    w.on("failed", (job, err) => log().warn({ err, queue: w.name, jobId: job?.id, job: job?.name }, "job failed"));
  }
  await queue(QUEUES.system).upsertJobScheduler(
    SCHEDULERS.heartbeat,
    { every: e.WORKER_HEARTBEAT_MS },
    { name: "heartbeat", data: {}, opts: { removeOnComplete: 50, removeOnFail: 50 } },
  );
  await queue(QUEUES.accounts).upsertJobScheduler(
    SCHEDULERS.accountHealth,
    { every: e.ACCOUNT_HEALTH_MS },
    { name: "health", data: {}, opts: { removeOnComplete: 50, removeOnFail: 50 } },
  );
  await queue(QUEUES.dispatch).upsertJobScheduler(
    RECOVERY_SCHEDULER,
    { every: RECOVERY_EVERY_MS },
    { name: "recover", data: {}, opts: { removeOnComplete: 50, removeOnFail: 50 } },
  );
  await scheduleFillSweep();
  await scheduleExitJobs();
  // Once more when a worker killed just before this start is past its liveness TTL (its claims are then orphans).
  await queue(QUEUES.dispatch).add(
    "recover",
    {},
    { jobId: `recover_start_${workerId}`, delay: LIVENESS_TTL_MS + 1_000, removeOnComplete: 50, removeOnFail: 50 },
  );
  await recordHeartbeat(startedAt, e.WORKER_HEARTBEAT_MS, new Date());
  log().info({ queues: workers.map((w) => w.name), pid: process.pid, workerId }, "worker started");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log().info({ signal }, "worker stopping");
    await Promise.all(workers.map((w) => w.close()));
    await closeOrderStreams();
    await stopLiveness();
    await closeQueues();
    await connection.quit().catch(() => connection.disconnect());
    await disconnectRedis();
    await disconnectDb();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((err) => {
  // EnvError messages name every bad variable; print them plainly before exiting.
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
