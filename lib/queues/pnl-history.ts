/**
 * The pnl-history queue (docs/market-data.md "P&L history"): a snapshot of every open P&L series every
 * MTM_SNAPSHOT_MS, and compaction of the days before today once a night (00:15 IST).
 */
import { z } from "zod";
import { queue } from "./queues";
import { SCHEDULED_JOB } from "./jobs";

export const PNL_HISTORY_QUEUE = "pnl-history";

/** Both jobs carry nothing: the worker that takes them reads the ledger and the clock. */
export const pnlHistoryJobSchemas = { snapshot: z.object({}).strict(), compact: z.object({}).strict() };
export type PnlHistoryJobName = keyof typeof pnlHistoryJobSchemas;

/** Deterministic scheduler ids: re-registering on every worker start replaces, never duplicates. */
export const MTM_SNAPSHOT_SCHEDULER = "pnl-history:snapshot";
export const MTM_COMPACT_SCHEDULER = "pnl-history:compact";

export async function schedulePnlHistory(snapshotEveryMs: number): Promise<void> {
  // Scheduler ids are their own strings, not job names: the untyped handle, as in ./queues upsertScheduler.
  const q = queue(PNL_HISTORY_QUEUE);
  await q.upsertJobScheduler(
    MTM_SNAPSHOT_SCHEDULER,
    { every: snapshotEveryMs },
    { name: "snapshot", data: {}, opts: SCHEDULED_JOB },
  );
  await q.upsertJobScheduler(
    MTM_COMPACT_SCHEDULER,
    { pattern: "0 15 0 * * *", tz: "Asia/Kolkata" },
    { name: "compact", data: {}, opts: SCHEDULED_JOB },
  );
}
