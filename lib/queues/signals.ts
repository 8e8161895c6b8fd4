/**
 * The signals queue: one `signal` job per accepted outside alert (docs/webhooks.md "What the workers do"). The ack has
 * already stored the alert and decided what it does; the job plans and creates the entry run, or starts the exit.
 */
import { z } from "zod";
import { queue, upsertScheduler } from "./queues";
import { ONE_SHOT_JOB, SCHEDULED_JOB } from "./jobs";

export const SIGNALS_QUEUE = "signals";

/** Act on one accepted alert. Ids only: the worker reads the alert's row and re-checks it before acting. */
export const signalJobSchema = z.object({ signalId: z.uuid() }).strict();
export type SignalJob = z.infer<typeof signalJobSchema>;

/** Re-derive the signal state of strategies whose alerts have all settled (lib/services/webhooks/signal-state.ts). */
export const reconcileJobSchema = z.object({}).strict();

export const signalsJobSchemas = { signal: signalJobSchema, reconcile: reconcileJobSchema };
export type SignalsJobName = keyof typeof signalsJobSchemas;

const signalsQueue = () => queue<SignalJob, SignalsJobName>(SIGNALS_QUEUE);

/** How often the signal states are compared with the ledger, ms: a manual exit is seen by alerts within this. */
export const SIGNAL_RECONCILE_MS = 3_000;
export const SIGNAL_RECONCILE_SCHEDULER = "signals:reconcile";

export async function scheduleSignalJobs(): Promise<void> {
  await upsertScheduler(SIGNALS_QUEUE, SIGNAL_RECONCILE_SCHEDULER, SIGNAL_RECONCILE_MS, {
    name: "reconcile",
    data: {},
    opts: SCHEDULED_JOB,
  });
}

/** Hands an accepted alert to the signal worker; the job id is the alert's id, so a second enqueue is a no-op. */
export async function enqueueSignal(signalId: string): Promise<void> {
  await signalsQueue().add("signal", { signalId }, { jobId: signalId, ...ONE_SHOT_JOB });
}

/** While a reverse waits for its exit to finish, how often the job looks again, ms. */
export const REVERSE_RECHECK_MS = 500;
