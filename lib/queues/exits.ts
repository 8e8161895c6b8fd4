/**
 * The exits queue: `exit` (drive one exit until flat or its time budget ends), `sweep` (hand exits no worker drives
 * to the queue again) and `square-off` (start the exits of strategies whose square-off time has passed today).
 */
import { z } from "zod";
import { queue, upsertScheduler } from "./queues";
import { ONE_SHOT_JOB, SCHEDULED_JOB } from "./jobs";

export const EXITS_QUEUE = "exits";

/** Drive one exit until it is done or its time budget ends. */
export const exitJobSchema = z.object({ exitId: z.uuid() }).strict();
export type ExitJob = z.infer<typeof exitJobSchema>;
/** The periodic exit sweep and square-off check carry nothing: they read the database and the clock. */
export const exitSweepJobSchema = z.object({}).strict();

export const exitsJobSchemas = { exit: exitJobSchema, sweep: exitSweepJobSchema, "square-off": exitSweepJobSchema };
export type ExitsJobName = keyof typeof exitsJobSchemas;
export type ExitsQueueData = ExitJob | z.infer<typeof exitSweepJobSchema>;

const exitsQueue = () => queue<ExitsQueueData, ExitsJobName>(EXITS_QUEUE);

/** Deterministic scheduler ids: re-registering on every worker start replaces, never duplicates. */
export const EXIT_SCHEDULERS = { sweep: "exits:sweep", squareOff: "exits:square-off" } as const;

/**
 * Hands an exit to the exit worker. The first job of an exit has the id `exit_<id>`; later ones (the sweep, a joined
 * request) add a deterministic suffix. Two jobs of one exit never both act: the driver takes a lease on the exit row.
 */
export async function enqueueExit(exitId: string, suffix?: string): Promise<void> {
  const data: ExitJob = { exitId };
  await exitsQueue().add("exit", data, {
    jobId: suffix ? `exit_${exitId}_${suffix}` : `exit_${exitId}`,
    ...ONE_SHOT_JOB,
  });
}

/** How often exits no worker drives are handed out again, and how often square-off times are checked, ms. */
export const EXIT_SWEEP_EVERY_MS = 5_000;
export const SQUARE_OFF_EVERY_MS = 15_000;

/** Registers the exit sweep and the square-off check (deterministic scheduler ids: re-registering replaces). */
export async function scheduleExitJobs(): Promise<void> {
  await upsertScheduler(EXITS_QUEUE, EXIT_SCHEDULERS.sweep, EXIT_SWEEP_EVERY_MS, {
    name: "sweep",
    data: {},
    opts: SCHEDULED_JOB,
  });
  await upsertScheduler(EXITS_QUEUE, EXIT_SCHEDULERS.squareOff, SQUARE_OFF_EVERY_MS, {
    name: "square-off",
    data: {},
    opts: SCHEDULED_JOB,
  });
}
