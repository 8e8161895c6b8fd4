/**
 * The accounts queue: account housekeeping, a health round of every account every ACCOUNT_HEALTH_MS, and the renewal
 * of direct-broker sessions (docs/direct-brokers.md "Automatic renewal").
 */
import { z } from "zod";
import { queue, upsertScheduler } from "./queues";
import { ONE_SHOT_JOB, SCHEDULED_JOB } from "./jobs";

export const ACCOUNTS_QUEUE = "accounts";

/** A health round carries nothing: it reads every active account. */
export const accountHealthJobSchema = z.object({}).strict();
/** A funds warm-up carries nothing either: it reads the accounts strategies trade. */
/** A session renewal carries nothing: it reads the accounts whose sessions are due (never a token or a PIN). */
export const accountsJobSchemas = {
  health: accountHealthJobSchema,
  "warm-funds": accountHealthJobSchema,
  "renew-sessions": accountHealthJobSchema,
};
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

/**
 * Sessions are renewed by a sweep every SESSION_RENEWAL_EVERY_MS: one that ends within the renewal's lead time is
 * renewed before it ends, and the first sweep of the trading day renews the ones the night ended. One sweep also runs
 * at worker start (at most one a minute however many workers start).
 */
export const SESSION_RENEWAL_SCHEDULER = "accounts:renew-sessions";
export const SESSION_RENEWAL_EVERY_MS = 5 * 60_000;
export const accountsQueue = () => queue<AccountsJobData, AccountsJobName>(ACCOUNTS_QUEUE);

export async function scheduleSessionRenewal(now: Date = new Date()): Promise<void> {
  await upsertScheduler(ACCOUNTS_QUEUE, SESSION_RENEWAL_SCHEDULER, SESSION_RENEWAL_EVERY_MS, {
    name: "renew-sessions",
    data: {},
    opts: SCHEDULED_JOB,
  });
  await accountsQueue().add(
    "renew-sessions",
    {},
    { ...ONE_SHOT_JOB, jobId: `accounts_renew_start_${Math.floor(now.getTime() / 60_000)}` },
  );
}
