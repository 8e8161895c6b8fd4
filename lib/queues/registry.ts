/** Every queue of MirrorDesk by name, one place (each queue's jobs and producers live in its own module). */
import { ACCOUNTS_QUEUE } from "./accounts";
import { CALENDAR_QUEUE } from "./calendar";
import { DISPATCH_QUEUE } from "./dispatch";
import { EXITS_QUEUE } from "./exits";
import { FILLS_QUEUE } from "./fills";
import { MARKET_DATA_QUEUE } from "./market-data";
import { NOTIFICATIONS_QUEUE } from "./notifications";

import { PNL_HISTORY_QUEUE } from "./pnl-history";
import { RISK_STOPS_QUEUE } from "./risk-stops";
import { queue } from "./queues";
import { READINESS_QUEUE } from "./readiness";
import { RISK_QUEUE } from "./risk";
import { SIGNALS_QUEUE } from "./signals";
import { COPY_QUEUE } from "./copy";
import { SYSTEM_QUEUE } from "./system";

export const QUEUES = {
  /** Housekeeping: worker heartbeat. */
  system: SYSTEM_QUEUE,
  /** Account housekeeping: health pings every ACCOUNT_HEALTH_MS. */
  accounts: ACCOUNTS_QUEUE,
  /** One job per (run, account): sends that account's intents, BUY phase then SELL phase. */
  dispatch: DISPATCH_QUEUE,
  /** Fill tracking's backstop sweep (the polls themselves: a schedule in Redis, lib/queues/fills.ts). */
  fills: FILLS_QUEUE,
  /** Exits (one job drives one exit until flat), the exit sweep and the auto square-off check. */
  exits: EXITS_QUEUE,
  /** Live prices: open positions' interest (every 5 s and after fills) and the stale-data watchdog (every second). */
  marketData: MARKET_DATA_QUEUE,
  /** Accepted outside alerts (webhooks): one job each plans the entry run or starts the exit. */
  signals: SIGNALS_QUEUE,
  /** Copy groups: master scans (order stream, 1 s poll backstop), pending events handed on, drift checks. */
  copy: COPY_QUEUE,

  /** Notifications: events folded into one message per user, channel and burst; each message sent with retries. */
  notifications: NOTIFICATIONS_QUEUE,
  /** P&L snapshots every MTM_SNAPSHOT_MS while positions are open, and the nightly compaction. */
  pnlHistory: PNL_HISTORY_QUEUE,
  /** Morning readiness: the day's check before the open (schedule job every minute) and "Check now". */
  readiness: READINESS_QUEUE,
  /** Leg stops resting at the broker: one account's stops synced after its fills change, and a backstop sweep. */
  riskStops: RISK_STOPS_QUEUE,
  /** The trading calendar: refreshed from OpenAlgo at worker start and every three hours. */
  calendar: CALENDAR_QUEUE,
  /** The risk engine's sweep every second: armed runs' rules and daily loss limits on fresh prices (docs/risk.md). */
  risk: RISK_QUEUE,
} as const;
export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** Job counts per queue (Admin → System). */
export async function queueCounts(): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const name of Object.values(QUEUES)) {
    out[name] = await queue(name).getJobCounts("waiting", "active", "delayed", "failed", "completed");
  }
  return out;
}
