import { QUEUES } from "@/lib/queues/names";
import { EXIT_SCHEDULERS, type ExitJob } from "@/lib/queues/jobs";
import { queue } from "@/lib/queues/queues";

/**
 * Hands an exit to the exit worker. The first job of an exit has the id `exit_<id>`; later ones (the sweep, a joined
 * request) add a deterministic suffix. Two jobs of one exit never both act: the driver takes a lease on the exit row.
 */
export async function enqueueExit(exitId: string, suffix?: string): Promise<void> {
  const data: ExitJob = { exitId };
  await queue(QUEUES.exits).add("exit", data, {
    jobId: suffix ? `exit_${exitId}_${suffix}` : `exit_${exitId}`,
    removeOnComplete: 1000,
    removeOnFail: 1000,
    attempts: 1,
  });
}

/** How often exits no worker drives are handed out again, and how often square-off times are checked, ms. */
export const EXIT_SWEEP_EVERY_MS = 5_000;
export const SQUARE_OFF_EVERY_MS = 15_000;

/** Registers the exit sweep and the square-off check (deterministic scheduler ids: re-registering replaces). */
export async function scheduleExitJobs(): Promise<void> {
  const opts = { removeOnComplete: 50, removeOnFail: 50 };
  await queue(QUEUES.exits).upsertJobScheduler(
    EXIT_SCHEDULERS.sweep,
    { every: EXIT_SWEEP_EVERY_MS },
    { name: "sweep", data: {}, opts },
  );
  await queue(QUEUES.exits).upsertJobScheduler(
    EXIT_SCHEDULERS.squareOff,
    { every: SQUARE_OFF_EVERY_MS },
    { name: "square-off", data: {}, opts },
  );
}
