/**
 * The copy queue (docs/copy-trading.md "Detection"): `scan` reads one group's master books and turns what changed
 * into copy events and child orders; `tick` (every COPY_POLL_MS) is the poll backstop that asks every enabled group
 * for a scan, so a dropped order stream loses nothing; `sweep` hands on events left PENDING (a worker killed
 * mid-copy) and checks drift.
 */
import { z } from "zod";
import { queue, upsertScheduler } from "./queues";
import { SCHEDULED_JOB } from "./jobs";

export const COPY_QUEUE = "copy";

/** Scan one group's master. Ids only; `source` says what asked (an order-update push, the poll, a person). */
export const copyScanJobSchema = z.object({ groupId: z.uuid(), source: z.enum(["stream", "poll", "manual"]) }).strict();
export type CopyScanJob = z.infer<typeof copyScanJobSchema>;
export const copyTickJobSchema = z.object({}).strict();
export const copySweepJobSchema = z.object({}).strict();

export const copyJobSchemas = {
  scan: copyScanJobSchema,
  tick: copyTickJobSchema,
  sweep: copySweepJobSchema,
};
export type CopyJobName = keyof typeof copyJobSchemas;
export type CopyQueueData = z.infer<(typeof copyJobSchemas)[CopyJobName]>;

export const copyQueue = () => queue<CopyQueueData, CopyJobName>(COPY_QUEUE);

/** The poll backstop's period, ms: a master fill the stream missed is copied within about this. */
export const COPY_POLL_MS = 1_000;
export const COPY_TICK_SCHEDULER = "copy:tick";
/** Pending events re-handed and drift checked this often, ms. */
export const COPY_SWEEP_MS = 5_000;
export const COPY_SWEEP_SCHEDULER = "copy:sweep";

/** The queue's two schedulers (re-registering replaces them). */
export async function scheduleCopyJobs(): Promise<void> {
  await upsertScheduler(COPY_QUEUE, COPY_TICK_SCHEDULER, COPY_POLL_MS, { name: "tick", data: {}, opts: SCHEDULED_JOB });
  await upsertScheduler(COPY_QUEUE, COPY_SWEEP_SCHEDULER, COPY_SWEEP_MS, {
    name: "sweep",
    data: {},
    opts: SCHEDULED_JOB,
  });
}
