/**
 * The signals queue: one `signal` job per accepted outside alert, and the periodic `sweep` that hands on alerts whose
 * job was lost (docs/webhooks.md "What the workers do"). The ack has already stored the alert and decided what it
 * does; the job plans and creates the entry run, or starts the exit.
 */
import { z } from "zod";
import { queue, upsertScheduler } from "./queues";
import { ONE_SHOT_JOB, SCHEDULED_JOB } from "./jobs";

export const SIGNALS_QUEUE = "signals";

/** Act on one accepted alert. Ids only: the worker reads the alert's row and re-checks it before acting. */
export const signalJobSchema = z.object({ signalId: z.uuid() }).strict();
export type SignalJob = z.infer<typeof signalJobSchema>;
/** The recovery sweep carries nothing: it reads the alert log and the clock. */
export const signalSweepJobSchema = z.object({}).strict();

/** Re-derive the signal state of strategies whose alerts have all settled (lib/services/webhooks/signal-state.ts). */
export const reconcileJobSchema = z.object({}).strict();

export const signalsJobSchemas = {
  signal: signalJobSchema,
  sweep: signalSweepJobSchema,
  reconcile: reconcileJobSchema,
};
export type SignalsJobName = keyof typeof signalsJobSchemas;
export type SignalsQueueData = SignalJob | z.infer<typeof signalSweepJobSchema>;

const signalsQueue = () => queue<SignalsQueueData, SignalsJobName>(SIGNALS_QUEUE);

/** How often the signal states are compared with the ledger, ms: a manual exit is seen by alerts within this. */
export const SIGNAL_RECONCILE_MS = 3_000;
export const SIGNAL_RECONCILE_SCHEDULER = "signals:reconcile";

/** Hands an accepted alert to the signal worker; the job id is the alert's id, so a second enqueue is a no-op. */
export async function enqueueSignal(signalId: string): Promise<void> {
  await signalsQueue().add("signal", { signalId }, { jobId: signalId, ...ONE_SHOT_JOB });
}

/** Where an alert's job is: `live` (waiting, delayed or being handled), finished (`failed`, `completed`) or `missing`. */
export type SignalJobState = "live" | "failed" | "completed" | "missing";

export async function signalJobState(signalId: string): Promise<SignalJobState> {
  const job = await signalsQueue().getJob(signalId);
  if (!job) return "missing";
  const state = await job.getState();
  if (state === "failed" || state === "completed") return state;
  return state === "unknown" ? "missing" : "live";
}

/**
 * Gives an alert whose job was lost or ended without handing it on one more job under the same id: a failed job is
 * retried, a finished one replaced, a missing one added. Racing sweeps are harmless: the id admits one job, and the
 * worker re-reads the alert before acting.
 */
export async function requeueSignal(signalId: string, state: SignalJobState): Promise<void> {
  const q = signalsQueue();
  const job = state === "missing" ? undefined : await q.getJob(signalId);
  if (job && state === "failed") return job.retry("failed");
  if (job && state === "completed") await job.remove();
  await enqueueSignal(signalId);
}

/** While an entry waits for an exit or an earlier alert, how often its job looks again, ms. */
export const SIGNAL_RECHECK_MS = 500;

/** How often the recovery sweep runs, ms; the scheduler id is deterministic (re-registering replaces). */
export const SIGNAL_SWEEP_EVERY_MS = 10_000;
export const SIGNAL_SWEEP_SCHEDULER = "signals:sweep";

/** The queue's two sweeps: recovery of lost jobs, and the signal states re-derived from the ledger. */
export async function scheduleSignalJobs(): Promise<void> {
  await upsertScheduler(SIGNALS_QUEUE, SIGNAL_SWEEP_SCHEDULER, SIGNAL_SWEEP_EVERY_MS, {
    name: "sweep",
    data: {},
    opts: SCHEDULED_JOB,
  });
  await upsertScheduler(SIGNALS_QUEUE, SIGNAL_RECONCILE_SCHEDULER, SIGNAL_RECONCILE_MS, {
    name: "reconcile",
    data: {},
    opts: SCHEDULED_JOB,
  });
}
