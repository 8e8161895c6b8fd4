import { z } from "zod";

/** Job payload schemas. Processors parse `job.data` with these before acting. */
export const heartbeatJobSchema = z.object({}).strict();
export type HeartbeatJob = z.infer<typeof heartbeatJobSchema>;

/** Deterministic scheduler ids: re-registering on every worker start replaces, never duplicates. */
export const SCHEDULERS = { heartbeat: "system:heartbeat", accountHealth: "accounts:health" } as const;

export const accountHealthJobSchema = z.object({}).strict();

/** Dispatch tunables a run may carry (exits use shorter reconcile windows); see lib/services/dispatch/options.ts. */
export const dispatchTunablesSchema = z
  .object({
    reconcileWindowMs: z.int().min(200).max(60_000),
    pollIntervalMs: z.int().min(20).max(5_000),
    maxAttempts: z.int().min(1).max(10),
    refusedBackoffMs: z.int().min(0).max(5_000),
  })
  .partial()
  .strict();
export type DispatchTunables = z.infer<typeof dispatchTunablesSchema>;

/** Dispatch one account's share of a run. Ids (and tunables) only: the worker re-reads the intents and their states. */
export const dispatchJobSchema = z
  .object({ runId: z.uuid(), accountId: z.uuid(), options: dispatchTunablesSchema.optional() })
  .strict();
export type DispatchJob = z.infer<typeof dispatchJobSchema>;

/** Deterministic: enqueuing the same (run, account) twice is a no-op in BullMQ. */
export const dispatchJobId = (j: Pick<DispatchJob, "runId" | "accountId">) => `dispatch_${j.runId}_${j.accountId}`;

/** Drive one exit (driveExit in lib/services/exits) until it is done or its time budget ends. */
export const exitJobSchema = z.object({ exitId: z.uuid() }).strict();
export type ExitJob = z.infer<typeof exitJobSchema>;
/** The periodic exit sweep and square-off check carry nothing: they read the database and the clock. */
export const exitSweepJobSchema = z.object({}).strict();
export const EXIT_SCHEDULERS = { sweep: "exits:sweep", squareOff: "exits:square-off" } as const;
