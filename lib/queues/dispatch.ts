/**
 * The dispatch queue: `dispatch` (one run × account: send its intents), `retry` (the same, asked for by a person:
 * intents that used up their sends get more) and `recover` (dispatch recovery after a worker died). Job ids are
 * deterministic: the exactly-once guarantees of dispatch and its tests rely on them.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { redis } from "@/lib/redis";
import { queue, upsertScheduler } from "./queues";
import { ONE_SHOT_JOB, SCHEDULED_JOB } from "./jobs";

export const DISPATCH_QUEUE = "dispatch";

/**
 * Tunables of dispatch: one type for the process defaults (lib/services/dispatch/options.ts), what tests and the
 * benchmark pass, and what a run's jobs may carry (exits use shorter reconcile windows). The bounds keep a malformed
 * job from doing harm.
 */
export const dispatchOptionsSchema = z
  .object({
    /**
     * How long after a send with an unknown outcome the order book is watched for the order before sending again is
     * considered safe, ms. Long enough for a broker to show an order it took; short enough that a trader's entry is
     * not late. Default 3 000.
     */
    reconcileWindowMs: z.int().min(200).max(60_000),
    /** Order-book poll period while reconciling, ms. Default 250. */
    pollIntervalMs: z.int().min(20).max(5_000),
    /** Sends per intent in one dispatch (the first plus resends after an elapsed window). Default 3. */
    maxAttempts: z.int().min(1).max(10),
    /** Orders placed this long before our send time still match (broker timestamps have whole seconds), ms. Default 2 000. */
    clockSkewMs: z.int().min(0).max(60_000),
    /** Placements that provably never reached the broker (429, no connection) are tried again this often. Default 8. */
    maxRefusedRetries: z.int().min(0).max(50),
    /** Back-off between those tries, ms, multiplied by the try number. Default 200. */
    refusedBackoffMs: z.int().min(0).max(5_000),
    /** `claimed`/`sending` intents untouched this long are recovered even when their worker still looks alive, ms. Default 120 000. */
    staleAfterMs: z.int().min(1_000).max(3_600_000),
    /**
     * Slices not yet sent this long after their run was planned are never sent (skipped as expired, with an alert
     * and an audit entry): prices and positions have moved on, and a recovery hours later must not fire them. A
     * person's retry is exempt (they look at the run first). Default DISPATCH_MAX_INTENT_AGE_MS (300 000).
     */
    maxIntentAgeMs: z.int().min(1_000).max(86_400_000),
  })
  .strict();
export type DispatchOptions = z.infer<typeof dispatchOptionsSchema>;

/** Dispatch one account's share of a run. Ids (and tunables) only: the worker re-reads the intents and their states. */
export const dispatchJobSchema = z
  .object({ runId: z.uuid(), accountId: z.uuid(), options: dispatchOptionsSchema.partial().optional() })
  .strict();
export type DispatchJob = z.infer<typeof dispatchJobSchema>;
/** The recovery job carries nothing: it scans the database. */
export const recoverJobSchema = z.object({}).strict();

export const dispatchJobSchemas = { dispatch: dispatchJobSchema, retry: dispatchJobSchema, recover: recoverJobSchema };
export type DispatchJobName = keyof typeof dispatchJobSchemas;
export type DispatchQueueData = DispatchJob | z.infer<typeof recoverJobSchema>;

const dispatchQueue = () => queue<DispatchQueueData, DispatchJobName>(DISPATCH_QUEUE);

/** Deterministic: enqueuing the same (run, account) twice is a no-op in BullMQ. */
export const dispatchJobId = (j: Pick<DispatchJob, "runId" | "accountId">) => `dispatch_${j.runId}_${j.accountId}`;

/** Enqueues one dispatch job per account of a run (deterministic ids: re-enqueueing is harmless). */
export async function enqueueDispatch(
  runId: string,
  accountIds: readonly string[],
  options?: Partial<DispatchOptions>,
): Promise<void> {
  const jobs = accountIds.map((accountId) => {
    const data: DispatchJob = { runId, accountId, ...(options ? { options } : {}) };
    return { name: "dispatch" as const, data, opts: { jobId: dispatchJobId(data), ...ONE_SHOT_JOB } };
  });
  await dispatchQueue().addBulk(jobs);
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
 * Enqueues dispatch for (run, account) again unless a job for it is already waiting to run. Returns the id of the
 * job added, or null when one was already queued.
 *
 * BullMQ's `add` with the id of a job that still exists — whatever its state — adds nothing and says nothing. The
 * suffix's id may exist from earlier in its bucket: finished (it is removed to make way), or `active` because the
 * worker that took it was killed (a recovery pass of that worker enqueued it). Then the new job gets an id of its
 * own: re-using the dead worker's id would leave the account without a job until BullMQ's stalled check, a minute
 * or more later.
 */
export async function enqueueRedispatch(
  pair: DispatchJob,
  suffix: string,
  name: "dispatch" | "retry" = "dispatch",
): Promise<string | null> {
  const q = dispatchQueue();
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
  await q.add(name, pair, { jobId: id, ...ONE_SHOT_JOB });
  await redis().set(latestKey(pair), id, "EX", LATEST_TTL_S);
  return id;
}

/** A retry requested by a person: one job per account, deduplicated per second (a double click is one retry). */
export async function enqueueRetry(pairs: readonly DispatchJob[], now: Date): Promise<number> {
  let n = 0;
  for (const p of pairs)
    if ((await enqueueRedispatch(p, `retry_${Math.floor(now.getTime() / 1000)}`, "retry")) !== null) n += 1;
  return n;
}

/** Deterministic scheduler id of the periodic recovery (re-registering replaces it). */
export const RECOVERY_SCHEDULER = "dispatch:recover";
export const RECOVERY_EVERY_MS = 60_000;

/** Job id of the recovery pass shortly after worker `workerId` started. */
export const startRecoveryJobId = (workerId: string) => `recover_start_${workerId}`;

/**
 * Recovery every RECOVERY_EVERY_MS, and once `delayMs` after this worker's start: a worker killed just before this
 * start is then past its liveness TTL, so its claims are orphans.
 */
export async function scheduleRecovery(workerId: string, delayMs: number): Promise<void> {
  await upsertScheduler(DISPATCH_QUEUE, RECOVERY_SCHEDULER, RECOVERY_EVERY_MS, {
    name: "recover",
    data: {},
    opts: SCHEDULED_JOB,
  });
  await dispatchQueue().add("recover", {}, { jobId: startRecoveryJobId(workerId), delay: delayMs, ...SCHEDULED_JOB });
}

/** Job id of the recovery after worker `workerId` stopped: every survivor that notices enqueues this same job. */
export const peerRecoveryJobId = (workerId: string) => `recover_gone_${workerId}`;

/**
 * Recovery now, because a peer worker's liveness key just expired: its claims are orphans, and waiting for the
 * periodic pass would hold its accounts up to RECOVERY_EVERY_MS. One job per gone worker, however many notice.
 */
export async function enqueuePeerRecovery(goneWorkerId: string): Promise<void> {
  await dispatchQueue().add("recover", {}, { jobId: peerRecoveryJobId(goneWorkerId), ...ONE_SHOT_JOB });
}
