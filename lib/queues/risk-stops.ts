/**
 * The risk-stops queue (docs/risk.md "Leg stops at the broker"): `sync` brings one account's broker-side leg stops in
 * line with what its runs hold (place, replace, cancel, record a stop that filled); fill tracking asks for one after
 * every change it writes to a run with stops at the broker, and `sweep` (every RISK_STOPS_SWEEP_MS) asks for one for
 * every account with such runs, as the backstop and for the day's first placement of overnight positions' stops.
 */
import { z } from "zod";
import { queue, upsertScheduler } from "./queues";
import { SCHEDULED_JOB } from "./jobs";

export const RISK_STOPS_QUEUE = "risk-stops";

/** Ids only: the worker reads the account's runs, ledger and stop orders afresh. */
export const stopSyncJobSchema = z.object({ accountId: z.uuid() }).strict();
export type StopSyncJob = z.infer<typeof stopSyncJobSchema>;

export const riskStopsJobSchemas = { sync: stopSyncJobSchema, sweep: z.object({}).strict() };
export type RiskStopsJobName = keyof typeof riskStopsJobSchemas;
export type RiskStopsQueueData = z.infer<(typeof riskStopsJobSchemas)[RiskStopsJobName]>;

const riskStopsQueue = () => queue<RiskStopsQueueData, RiskStopsJobName>(RISK_STOPS_QUEUE);

/** Requests for one account within this window share one job, which runs at the window's end. */
export const STOP_SYNC_WINDOW_MS = 100;
export const RISK_STOPS_SWEEP_MS = 5_000;
export const RISK_STOPS_SWEEP_SCHEDULER = "risk-stops:sweep";

/**
 * Asks for a sync of the account's stops, at the end of the current window (or `delayMs` later). The job id names the
 * window, so requests inside one window add one job, and that job starts after every request of its window was made:
 * it always reads what the last of them wrote (a job already running never swallows a later request).
 */
export async function enqueueStopSync(accountId: string, delayMs = 0, now = Date.now()): Promise<void> {
  const due = now + delayMs;
  const window = Math.floor(due / STOP_SYNC_WINDOW_MS) + 1;
  const data: StopSyncJob = { accountId };
  await riskStopsQueue().add("sync", data, {
    jobId: `stops_${accountId}_${window}`,
    delay: window * STOP_SYNC_WINDOW_MS - now,
    removeOnComplete: true,
    removeOnFail: 100,
    attempts: 3,
    backoff: { type: "exponential", delay: 500 },
  });
}

export async function scheduleRiskStopJobs(): Promise<void> {
  await upsertScheduler(RISK_STOPS_QUEUE, RISK_STOPS_SWEEP_SCHEDULER, RISK_STOPS_SWEEP_MS, {
    name: "sweep",
    data: {},
    opts: SCHEDULED_JOB,
  });
}
