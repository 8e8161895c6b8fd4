import { z } from "zod";

/** Job payload schemas. Processors parse `job.data` with these before acting. */
export const heartbeatJobSchema = z.object({}).strict();
export type HeartbeatJob = z.infer<typeof heartbeatJobSchema>;

/** Deterministic scheduler ids: re-registering on every worker start replaces, never duplicates. */
export const SCHEDULERS = { heartbeat: "system:heartbeat", accountHealth: "accounts:health" } as const;

export const accountHealthJobSchema = z.object({}).strict();
