import { z } from "zod";

/** Job payload schemas. Processors parse `job.data` with these before acting. */
export const heartbeatJobSchema = z.object({}).strict();
export type HeartbeatJob = z.infer<typeof heartbeatJobSchema>;

/** Deterministic scheduler ids: re-registering on every worker start replaces, never duplicates. */
export const SCHEDULERS = { heartbeat: "system:heartbeat", accountHealth: "accounts:health" } as const;

export const accountHealthJobSchema = z.object({}).strict();

/** Dispatch one account's share of a run. Ids only: the worker re-reads the intents and their states. */
export const dispatchJobSchema = z.object({ runId: z.uuid(), accountId: z.uuid() }).strict();
export type DispatchJob = z.infer<typeof dispatchJobSchema>;

/** Deterministic: enqueuing the same (run, account) twice is a no-op in BullMQ. */
export const dispatchJobId = (j: DispatchJob) => `dispatch_${j.runId}_${j.accountId}`;
