/**
 * The fills queue: `sync` (one account's order book, from the account's poll scheduler or an order update) and
 * `sweep` (the slow backstop that keeps a scheduler for every account with unsettled intents).
 */
import { z } from "zod";
import { queue, upsertScheduler } from "./queues";
import { SCHEDULED_JOB } from "./jobs";

export const FILLS_QUEUE = "fills";

/** Poll one account's order book for fills. Ids only: the worker re-reads the account's tracked intents. */
export const fillsJobSchema = z.object({ accountId: z.uuid() }).strict();
export type FillsJob = z.infer<typeof fillsJobSchema>;
/** The backstop sweep carries nothing: it scans the database. */
export const fillsSweepJobSchema = z.object({}).strict();

export const fillsJobSchemas = { sync: fillsJobSchema, sweep: fillsSweepJobSchema };
export type FillsJobName = keyof typeof fillsJobSchemas;
export type FillsQueueData = FillsJob | z.infer<typeof fillsSweepJobSchema>;

const fillsQueue = () => queue<FillsQueueData, FillsJobName>(FILLS_QUEUE);

/** Poll period of an account with unsettled intents, ms (every 1 s). */
export const FILL_POLL_MS = 1_000;
/** Backstop sweep period, ms: (re)creates a scheduler for every account with unsettled intents. */
export const FILL_SWEEP_MS = 15_000;

const PREFIX = "fills:";
/** Deterministic scheduler id per account: re-registering replaces, never duplicates, and keeps its timing. */
export const fillSchedulerId = (accountId: string) => `${PREFIX}${accountId}`;
export const FILL_SWEEP_SCHEDULER = "fills-sweep";

/** Polls the account every `everyMs` until it is unscheduled (when nothing of it is unsettled any more). */
export async function scheduleFillPolls(accountId: string, everyMs = FILL_POLL_MS): Promise<void> {
  const data: FillsJob = { accountId };
  await upsertScheduler(FILLS_QUEUE, fillSchedulerId(accountId), everyMs, {
    name: "sync",
    data,
    opts: { removeOnComplete: true, removeOnFail: 100 },
  });
}

export async function unscheduleFillPolls(accountId: string): Promise<void> {
  await fillsQueue().removeJobScheduler(fillSchedulerId(accountId));
}

/**
 * One poll now (an order update arrived). Deduplicated by job id: while one is waiting, more updates add nothing;
 * the poll reads the whole book anyway.
 */
export async function enqueueFillPollNow(accountId: string): Promise<void> {
  const data: FillsJob = { accountId };
  await fillsQueue().add("sync", data, {
    jobId: `fills_now_${accountId}`,
    removeOnComplete: true,
    removeOnFail: true,
  });
}

/** Accounts with a poll scheduler. */
export async function scheduledFillAccounts(): Promise<string[]> {
  const all = await fillsQueue().getJobSchedulers(0, -1);
  return all
    .map((s) => s.key)
    .filter((k) => k.startsWith(PREFIX))
    .map((k) => k.slice(PREFIX.length));
}

export async function scheduleFillSweep(everyMs = FILL_SWEEP_MS): Promise<void> {
  await upsertScheduler(FILLS_QUEUE, FILL_SWEEP_SCHEDULER, everyMs, { name: "sweep", data: {}, opts: SCHEDULED_JOB });
}
