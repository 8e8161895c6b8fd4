/**
 * Worker process: every BullMQ queue of MirrorDesk. Waits for Redis (never fails fast), logs errors, and on
 * SIGTERM/SIGINT finishes in-flight jobs before exiting.
 */
import { type Processor, Worker } from "bullmq";
import type { Redis } from "ioredis";
import { type AppEnv, env } from "@/lib/env";
import { log, setLogService } from "@/lib/log";
import { createBlockingRedis, disconnectRedis } from "@/lib/redis";
import { disconnectDb } from "@/lib/db/client";
import {
  ACCOUNTS_QUEUE,
  scheduleAccountHealth,
  scheduleFundsWarming,
  scheduleSessionRenewal,
} from "@/lib/queues/accounts";
import { FUNDS_WARM_EVERY_MS } from "@/lib/services/accounts";
import { DISPATCH_QUEUE, enqueuePeerRecovery, scheduleRecovery } from "@/lib/queues/dispatch";
import { EXITS_QUEUE, scheduleExitJobs } from "@/lib/queues/exits";
import { FILLS_QUEUE, scheduleFillSweep } from "@/lib/queues/fills";
import { MARKET_DATA_QUEUE, scheduleMarketDataJobs } from "@/lib/queues/market-data";
import { LIVENESS_TTL_MS, newWorkerId, startWorkerLiveness, watchPeerLiveness } from "@/lib/queues/liveness";
import { BULL_PREFIX, closeQueues } from "@/lib/queues/queues";
import { scheduleHeartbeat, SYSTEM_QUEUE } from "@/lib/queues/system";
import { recoverInFlight } from "@/lib/services/dispatch";
import { closeOrderStreams, startFillPoller } from "@/lib/services/fills";
import { startMasterStreams, stopMasterStreams } from "@/lib/services/copy";
import { COPY_QUEUE, scheduleCopyJobs } from "@/lib/queues/copy";
import { processCopyJob } from "./processors/copy";
import { startMarketFeed } from "@/lib/services/market-data";
import { recordHeartbeat, warmUp } from "@/lib/services/system";
import { warmSizingFunds } from "@/lib/services/accounts";
import { makeSystemProcessor } from "./processors/system";
import { processAccountsJob } from "./processors/accounts";
import { makeDispatchProcessor } from "./processors/dispatch";
import { processFillsJob } from "./processors/fills";
import { makeExitProcessor } from "./processors/exits";
import { NOTIFICATIONS_QUEUE } from "@/lib/queues/notifications";
import { makeNotificationsProcessor } from "./processors/notifications";
import { processMarketDataJob } from "./processors/market-data";

import { PNL_HISTORY_QUEUE, schedulePnlHistory } from "@/lib/queues/pnl-history";
import { scheduleSignalJobs, SIGNALS_QUEUE } from "@/lib/queues/signals";
import { makeSignalProcessor } from "./processors/signals";
import { processPnlHistoryJob } from "./processors/pnl-history";
import { READINESS_QUEUE, scheduleReadinessJobs } from "@/lib/queues/readiness";
import { makeReadinessProcessor } from "./processors/readiness";
import { RISK_STOPS_QUEUE, scheduleRiskStopJobs } from "@/lib/queues/risk-stops";
import { processRiskStopsJob } from "./processors/risk-stops";
import { CALENDAR_QUEUE, scheduleCalendarJobs } from "@/lib/queues/calendar";
import { processCalendarJob } from "./processors/calendar";
import { RISK_QUEUE, scheduleRiskJobs } from "@/lib/queues/risk";
import { startRiskEngine } from "@/lib/services/risk";
import { processRiskJob } from "./processors/risk";

/**
 * One row of the worker table: a queue, the processor of its jobs, how many of them run at once and the queue's
 * repeating jobs (registered at every start; deterministic scheduler ids replace, never duplicate).
 */
interface QueueWorker {
  queue: string;
  concurrency: number;
  schedule(): Promise<void>;
  /** Starts consuming; failures and errors are logged. */
  start(connection: Redis): Pick<Worker, "name" | "close">;
}

function row<Data, Result, Name extends string>(
  queue: string,
  processor: Processor<Data, Result, Name>,
  concurrency: number,
  schedule: () => Promise<void>,
): QueueWorker {
  return {
    queue,
    concurrency,
    schedule,
    start(connection) {
      const w = new Worker<Data, Result, Name>(queue, processor, { connection, prefix: BULL_PREFIX, concurrency });
      w.on("error", (err) => log().error({ err, queue }, "worker error"));
      w.on("failed", (job, err) => log().warn({ err, queue, jobId: job?.id, job: job?.name }, "job failed"));
      return w;
    },
  };
}

/** Every queue this process consumes. */
function workerTable(workerId: string, startedAt: Date, e: AppEnv): QueueWorker[] {
  return [
    row(SYSTEM_QUEUE, makeSystemProcessor(startedAt, e.WORKER_HEARTBEAT_MS), 1, () =>
      scheduleHeartbeat(e.WORKER_HEARTBEAT_MS),
    ),
    // Two jobs at once, so a health round (it pings every account in parallel) never holds up the funds warm-up.
    row(ACCOUNTS_QUEUE, processAccountsJob, 2, async () => {
      await scheduleAccountHealth(e.ACCOUNT_HEALTH_MS);
      await scheduleFundsWarming(FUNDS_WARM_EVERY_MS);
      await scheduleSessionRenewal();
    }),
    // Dispatch jobs spend most of their time waiting on brokers: hundreds of accounts run in parallel per process.
    // Recovery also runs once more when a worker killed just before this start is past its liveness TTL (its claims
    // are then orphans).
    row(DISPATCH_QUEUE, makeDispatchProcessor(workerId), e.WORKER_DISPATCH_CONCURRENCY, () =>
      scheduleRecovery(workerId, LIVENESS_TTL_MS + 1_000),
    ),
    // The fill-tracking sweep (the polls themselves are the fill poller's, started in main).
    row(FILLS_QUEUE, processFillsJob, 1, () => scheduleFillSweep()),
    // One job drives one exit (all its accounts in parallel); a lease on the exit row keeps a second job out.
    row(EXITS_QUEUE, makeExitProcessor(workerId), 50, () => scheduleExitJobs()),
    // Positions' live-price interest (every 5 s and after fills) and the stale watchdog (every second). Two at a time,
    // so a slow ledger read never holds up a sweep; both are idempotent, as overlapping sweeps of two workers are.
    row(MARKET_DATA_QUEUE, processMarketDataJob, 2, () => scheduleMarketDataJobs()),

    // One snapshot at a time: each reads the whole ledger; a slow one delays the next instead of overlapping it.
    row(PNL_HISTORY_QUEUE, processPnlHistoryJob, 1, () => schedulePnlHistory(e.MTM_SNAPSHOT_MS)),
    // Accepted outside alerts: each job plans one entry (funds and quotes read in parallel) or starts one exit; the
    // sweeps give alerts whose job was lost a new one, and re-derive signal states from the ledger.
    row(SIGNALS_QUEUE, makeSignalProcessor(), 20, () => scheduleSignalJobs()),
    // Notifications: a queue of their own, so a Bot API or SMTP outage (each call bounded by its timeout) only delays
    // messages. Nothing repeats: events and sends are enqueued as they happen.
    row(NOTIFICATIONS_QUEUE, makeNotificationsProcessor(), 10, async () => undefined),
    // Copy groups: scans run in process (one per group at a time), so the concurrency bounds ticks, sweeps and scans
    // asked through the queue together.
    row(COPY_QUEUE, processCopyJob, 20, () => scheduleCopyJobs()),
    // Readiness: a check job covers many accounts (in parallel inside); two at a time lets "Check now" of one account
    // run beside the morning's full check. The schedule job is a claim in Redis, cheap and idempotent.
    row(READINESS_QUEUE, makeReadinessProcessor(), 2, () => scheduleReadinessJobs()),
    // Leg stops at the broker: each job syncs one account (a few broker calls at most); syncs of one account are
    // idempotent, so two at once (two workers) are safe.
    row(RISK_STOPS_QUEUE, processRiskStopsJob, 20, () => scheduleRiskStopJobs()),
    // The trading calendar from OpenAlgo: one refresh at a time (each reads a dozen answers from one account).
    row(CALENDAR_QUEUE, processCalendarJob, 1, () => scheduleCalendarJobs()),
    // The risk sweep: one at a time (it reads the whole book); ticks are evaluated in process between sweeps.
    row(RISK_QUEUE, processRiskJob, 1, () => scheduleRiskJobs()),
  ];
}

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
  // First-use costs (pool connections, Redis scripts, adapters, the traded accounts' funds) are paid here rather than
  // by the first trigger's dispatch jobs (docs/performance.md "Warm-up at start"); a failing step only logs.
  const warmed = await warmUp({ extra: { "sizing funds": () => warmSizingFunds() } });
  log().info({ steps: warmed }, "warm-up done");
  const table = workerTable(workerId, startedAt, e);
  const workers = table.map((w) => w.start(connection));
  for (const w of table) await w.schedule();
  // One poll per second of each account with unsettled intents, claimed from the shared schedule (any worker).
  const fillPoller = startFillPoller();
  // A peer whose liveness key expires (killed, hung) gets its claims recovered now, not on the minute's pass.
  const peers = watchPeerLiveness(workerId, enqueuePeerRecovery);
  await recordHeartbeat(startedAt, e.WORKER_HEARTBEAT_MS, new Date());
  // Live prices: every worker competes for the feed's leader lock; the one holding it keeps the upstream WebSockets.
  const feed = await startMarketFeed(workerId);
  // Every process holds the copy masters' order streams (a push reaches whichever workers are up).
  await startMasterStreams();
  // Every process evaluates risk rules on ticks (exactly once is the database's business, docs/risk.md).
  const stopRisk = await startRiskEngine();
  log().info({ queues: workers.map((w) => w.name), pid: process.pid, workerId }, "worker started");

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log().info({ signal }, "worker stopping");
    peers.stop();
    await Promise.all(workers.map((w) => w.close()));
    await fillPoller.stop();
    await feed?.stop();
    await stopRisk();
    await closeOrderStreams();
    await stopMasterStreams();
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
