/**
 * The signals queue: one `signal` job per accepted outside alert (docs/webhooks.md "What the workers do"). The ack has
 * already stored the alert and decided what it does; the job plans and creates the entry run, or starts the exit.
 */
import { z } from "zod";
import { queue } from "./queues";
import { ONE_SHOT_JOB } from "./jobs";

export const SIGNALS_QUEUE = "signals";

/** Act on one accepted alert. Ids only: the worker reads the alert's row and re-checks it before acting. */
export const signalJobSchema = z.object({ signalId: z.uuid() }).strict();
export type SignalJob = z.infer<typeof signalJobSchema>;

export const signalsJobSchemas = { signal: signalJobSchema };
export type SignalsJobName = keyof typeof signalsJobSchemas;

const signalsQueue = () => queue<SignalJob, SignalsJobName>(SIGNALS_QUEUE);

/** Hands an accepted alert to the signal worker; the job id is the alert's id, so a second enqueue is a no-op. */
export async function enqueueSignal(signalId: string): Promise<void> {
  await signalsQueue().add("signal", { signalId }, { jobId: signalId, ...ONE_SHOT_JOB });
}

/** While a reverse waits for its exit to finish, how often the job looks again, ms. */
export const REVERSE_RECHECK_MS = 500;
