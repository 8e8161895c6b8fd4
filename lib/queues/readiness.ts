/**
 * The readiness queue (docs/readiness.md): `check` runs the morning readiness check of some accounts (on demand, or
 * for everyone when the schedule says so); `schedule` (every minute) starts the day's check at the time the trading
 * calendar gives, once per trading day.
 */
import { z } from "zod";
import { queue, upsertScheduler } from "./queues";
import { ONE_SHOT_JOB, SCHEDULED_JOB } from "./jobs";

export const READINESS_QUEUE = "readiness";

export const readinessJobSchemas = {
  check: z
    .object({
      /** These accounts, or every active account of `ownerId`, or (neither) every active account. */
      accountIds: z.array(z.uuid()).max(5000).optional(),
      ownerId: z.uuid().optional(),
      trigger: z.enum(["schedule", "manual"]),
    })
    .strict(),
  schedule: z.object({}).strict(),
};
export type ReadinessJobName = keyof typeof readinessJobSchemas;
export type ReadinessQueueData = z.infer<(typeof readinessJobSchemas)[ReadinessJobName]>;
export const readinessQueue = () => queue<ReadinessQueueData, ReadinessJobName>(READINESS_QUEUE);

export const READINESS_SCHEDULE_MS = 60_000;

export async function scheduleReadinessJobs(): Promise<void> {
  await upsertScheduler(READINESS_QUEUE, "readiness:schedule", READINESS_SCHEDULE_MS, {
    name: "schedule",
    data: {},
    opts: SCHEDULED_JOB,
  });
}

export async function enqueueReadinessCheck(data: z.infer<(typeof readinessJobSchemas)["check"]>): Promise<void> {
  await readinessQueue().add("check", data, ONE_SHOT_JOB);
}
