/** The accounts queue: account housekeeping, a health round of every account every ACCOUNT_HEALTH_MS. */
import { z } from "zod";
import { upsertScheduler } from "./queues";
import { SCHEDULED_JOB } from "./jobs";

export const ACCOUNTS_QUEUE = "accounts";

/** A health round carries nothing: it reads every active account. */
export const accountHealthJobSchema = z.object({}).strict();
/** A funds warm-up carries nothing either: it reads the accounts strategies trade. */
export const accountsJobSchemas = { health: accountHealthJobSchema, "warm-funds": accountHealthJobSchema };
export type AccountsJobName = keyof typeof accountsJobSchemas;
export type AccountsJobData = z.infer<typeof accountHealthJobSchema>;

/** Deterministic scheduler id: re-registering on every worker start replaces, never duplicates. */
export const ACCOUNT_HEALTH_SCHEDULER = "accounts:health";

export async function scheduleAccountHealth(everyMs: number): Promise<void> {
  await upsertScheduler(ACCOUNTS_QUEUE, ACCOUNT_HEALTH_SCHEDULER, everyMs, {
    name: "health",
    data: {},
    opts: SCHEDULED_JOB,
  });
}

/** Funds of the accounts strategies trade, kept fresh for sizing (docs/performance.md "Funds for sizing"). */
export const FUNDS_WARM_SCHEDULER = "accounts:warm-funds";
export async function scheduleFundsWarming(everyMs: number): Promise<void> {
  await upsertScheduler(ACCOUNTS_QUEUE, FUNDS_WARM_SCHEDULER, everyMs, {
    name: "warm-funds",
    data: {},
    opts: SCHEDULED_JOB,
  });
}
