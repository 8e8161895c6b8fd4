/** Queue names, one place. Jobs carry ids, never secrets (docs/house-rules.md "Edges"). */
export const QUEUES = {
  /** Housekeeping: worker heartbeat. */
  system: "system",
  /** Account housekeeping: health pings every ACCOUNT_HEALTH_MS. */
  accounts: "accounts",
  /** One job per (run, account): sends that account's intents, BUY phase then SELL phase. */
  dispatch: "dispatch",
  /** Fill polling: one job scheduler per account with unsettled intents, plus a slow backstop sweep. */
  fills: "fills",
  /** Exits (one job drives one exit until flat), the exit sweep and the auto square-off check. */
  exits: "exits",
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Redis key prefix for BullMQ, so MirrorDesk can share a Redis with other apps. */
export const BULL_PREFIX = "md:bull";
