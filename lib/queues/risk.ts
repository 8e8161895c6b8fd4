/**
 * The risk queue (docs/risk.md): `sweep` every RISK_SWEEP_MS evaluates every armed run and every account with a
 * daily loss limit on the latest fresh prices (ticks are evaluated as they come, in process, between sweeps).
 */
import { z } from "zod";
import { queue, upsertScheduler } from "./queues";
import { SCHEDULED_JOB } from "./jobs";

export const RISK_QUEUE = "risk";

export const riskJobSchemas = {
  sweep: z.object({}).strict(),
};
export type RiskJobName = keyof typeof riskJobSchemas;
export type RiskQueueData = z.infer<(typeof riskJobSchemas)[RiskJobName]>;
export const riskQueue = () => queue<RiskQueueData, RiskJobName>(RISK_QUEUE);

export const RISK_SWEEP_MS = 1_000;
export const RISK_SWEEP_SCHEDULER = "risk:sweep";

export async function scheduleRiskJobs(): Promise<void> {
  await upsertScheduler(RISK_QUEUE, RISK_SWEEP_SCHEDULER, RISK_SWEEP_MS, {
    name: "sweep",
    data: {},
    opts: SCHEDULED_JOB,
  });
}
