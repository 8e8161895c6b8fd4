/**
 * Restart safety for dispatch. Each worker process keeps a short-lived liveness key in Redis; intents a dead
 * worker left `claimed` or `sending` may or may not have reached the broker, so recovery marks them
 * `outcome_unknown` (never back to planned) and re-enqueues their accounts, whose dispatch reconciles them against
 * the order book before anything is sent again. Runs at worker start, shortly after (once a killed worker's
 * liveness key has expired) and every minute.
 */
import { hostname } from "node:os";
import { randomUUID } from "node:crypto";
import { listOrphanedIntents, listPendingDispatch, listSettledRunningRuns } from "@/lib/db/queries/intents";
import { log } from "@/lib/log";
import { type DispatchJob, dispatchJobId } from "@/lib/queues/jobs";
import { QUEUES } from "@/lib/queues/names";
import { queue } from "@/lib/queues/queues";
import { redis } from "@/lib/redis";
import { applyIntentChanges } from "./intents";
import { type DispatchOptions, dispatchOptions } from "./options";
import { refreshRunStatus } from ".";

/** A worker is presumed dead this long after its last liveness refresh, ms. */
export const LIVENESS_TTL_MS = 5_000;
const LIVENESS_PREFIX = "md:dispatch:alive:";
/** Deterministic scheduler id of the periodic recovery (re-registering replaces it). */
export const RECOVERY_SCHEDULER = "dispatch:recover";
export const RECOVERY_EVERY_MS = 60_000;

/** A process-unique worker id: claims name it, liveness keys prove it is still running. */
export function newWorkerId(): string {
  return `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
}

/** Keeps this worker's liveness key fresh until the returned function is called. */
export async function startWorkerLiveness(workerId: string): Promise<() => Promise<void>> {
  const key = LIVENESS_PREFIX + workerId;
  const beat = () => redis().set(key, String(Date.now()), "PX", LIVENESS_TTL_MS);
  await beat();
  const timer = setInterval(
    () => void beat().catch((err) => log().warn({ err }, "dispatch liveness not refreshed")),
    Math.floor(LIVENESS_TTL_MS / 4),
  );
  timer.unref();
  return async () => {
    clearInterval(timer);
    await redis()
      .del(key)
      .catch(() => undefined);
  };
}

async function aliveWorkers(): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await redis().scan(cursor, "MATCH", `${LIVENESS_PREFIX}*`, "COUNT", 500);
    cursor = next;
    out.push(...keys.map((k) => k.slice(LIVENESS_PREFIX.length)));
  } while (cursor !== "0");
  return out;
}

/**
 * A queued job will do the work when it runs. An `active` one is not proof of progress: it may belong to a killed
 * worker (BullMQ notices only when its lock expires, and only on a later stalled-jobs pass), so a second job is
 * enqueued; claims keep the two apart.
 */
const QUEUED_JOB_STATES = new Set(["waiting", "delayed", "prioritized", "waiting-children"]);
/** Redis key of the id of the last job enqueued again for (run, account), so the next pass can see it is queued. */
const latestKey = (pair: DispatchJob) => `md:dispatch:latest:${pair.runId}:${pair.accountId}`;
const LATEST_TTL_S = 86_400;

/**
 * Enqueues dispatch for (run, account) unless a job for it is already waiting to run. Returns the id of the job
 * added, or null when one was already queued.
 *
 * BullMQ's `add` with the id of a job that still exists — whatever its state — adds nothing and says nothing. The
 * suffix's id may exist from earlier in its bucket: finished (it is removed to make way), or `active` because the
 * worker that took it was killed (a recovery pass of that worker enqueued it). Then the new job gets an id of its
 * own: re-using the dead worker's id would leave the account without a job until BullMQ's stalled check, a minute
 * or more later.
 */
async function redispatch(
  pair: DispatchJob,
  suffix: string,
  name: "dispatch" | "retry" = "dispatch",
): Promise<string | null> {
  const q = queue(QUEUES.dispatch);
  const baseId = dispatchJobId(pair);
  const latest = await redis().get(latestKey(pair));
  for (const existing of new Set([baseId, `${baseId}_${suffix}`, latest])) {
    if (!existing) continue;
    const job = await q.getJob(existing);
    if (job && QUEUED_JOB_STATES.has(await job.getState())) return null;
  }
  let id = `${baseId}_${suffix}`;
  const prior = await q.getJob(id);
  if (prior) {
    const state = await prior.getState();
    const removed =
      (state === "completed" || state === "failed") &&
      (await prior.remove().then(
        () => true,
        () => false,
      ));
    if (!removed) id = `${id}_${randomUUID().slice(0, 8)}`;
  }
  await q.add(name, pair, { jobId: id, removeOnComplete: 1000, removeOnFail: 1000, attempts: 1 });
  await redis().set(latestKey(pair), id, "EX", LATEST_TTL_S);
  return id;
}

/** A retry requested by a person: one job per account, deduplicated per second (a double click is one retry). */
export async function enqueueRetry(pairs: readonly DispatchJob[], now: Date): Promise<number> {
  let n = 0;
  for (const p of pairs)
    if ((await redispatch(p, `retry_${Math.floor(now.getTime() / 1000)}`, "retry")) !== null) n += 1;
  return n;
}

export interface RecoveryResult {
  /** Intents of dead workers moved to `unknown` for reconciliation. */
  orphaned: number;
  /** (run, account) dispatch jobs enqueued again. */
  redispatched: number;
  /** RUNNING runs whose final status was written now. */
  settled: number;
}

/**
 * Recovers dispatch after a worker died: orphaned `claimed`/`sending` intents → `unknown` (reconciled, never resent
 * blindly), dispatch re-enqueued for RUNNING runs with unfinished intents, and stale run statuses refreshed.
 */
export async function recoverInFlight(
  workerId: string,
  overrides: Partial<DispatchOptions> = {},
  now = Date.now(),
): Promise<RecoveryResult> {
  const opts = dispatchOptions(overrides);
  const alive = new Set(await aliveWorkers());
  alive.add(workerId);
  const orphans = await listOrphanedIntents([...alive], new Date(now - opts.staleAfterMs));
  const written = await applyIntentChanges(
    orphans.map((row) => ({
      row,
      expectClaimedBy: row.claimedBy,
      events: [
        {
          type: "outcome_unknown",
          at: now,
          reason: `worker ${row.claimedBy ?? "?"} stopped while the intent was ${row.state}; reconciling before any resend`,
        },
      ],
    })),
  );
  let redispatched = 0;
  const bucket = `recover_${Math.floor(now / RECOVERY_EVERY_MS)}`;
  for (const pair of await listPendingDispatch(opts.maxAttempts)) {
    if ((await redispatch(pair, bucket)) !== null) redispatched += 1;
  }
  let settled = 0;
  for (const runId of await listSettledRunningRuns(opts.maxAttempts)) {
    if ((await refreshRunStatus(runId, opts.maxAttempts)) !== "RUNNING") settled += 1;
  }
  if (written.size + redispatched + settled > 0)
    log().info({ workerId, orphaned: written.size, redispatched, settled }, "dispatch recovery");
  return { orphaned: written.size, redispatched, settled };
}
