/** The system queue: housekeeping, today the worker heartbeat shown on Admin → System. */
import { z } from "zod";
import { upsertScheduler } from "./queues";
import { SCHEDULED_JOB } from "./jobs";

export const SYSTEM_QUEUE = "system";

/** The heartbeat carries nothing: the worker that takes it records itself. */
export const heartbeatJobSchema = z.object({}).strict();
export const systemJobSchemas = { heartbeat: heartbeatJobSchema };
export type SystemJobName = keyof typeof systemJobSchemas;
export type SystemJobData = z.infer<typeof heartbeatJobSchema>;

/** Deterministic scheduler id: re-registering on every worker start replaces, never duplicates. */
export const HEARTBEAT_SCHEDULER = "system:heartbeat";

export async function scheduleHeartbeat(everyMs: number): Promise<void> {
  await upsertScheduler(SYSTEM_QUEUE, HEARTBEAT_SCHEDULER, everyMs, {
    name: "heartbeat",
    data: {},
    opts: SCHEDULED_JOB,
  });
}
