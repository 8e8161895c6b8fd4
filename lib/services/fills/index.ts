/**
 * Fill tracking, the subsystem's entry module (other code imports fills only from here). For one account: ONE order-book read however many of the account's
 * intents are open, plus at most one trade-book read when the order book cannot settle something alone (a rejection
 * to confirm, a fill without an average price, or a working or cancelled order in a book that reports no fill
 * quantities: OpenAlgo live rows; sandbox rows carry them); the pure mapping of lib/trading/fills.ts; compare-and-set
 * writes with live intent events; and the affected runs' status. Every broker call goes through the account's rate
 * governor (inside the adapter).
 *
 * Run status and fills: a run keeps its dispatch status (refreshRunStatus of dispatch: COMPLETED only when every
 * slice is confirmed at the broker — accepted, adopted, (partly) filled or cancelled). A late RMS rejection is not
 * confirmed, so a run whose orders are later rejected drops to PARTIAL (some confirmed) or FAILED (none), and a
 * flap back to complete restores it. Fill progress (filled vs target per account and leg) is exposed separately,
 * by the parity board; an accepted-but-unfilled order does not make a run RUNNING again.
 *
 * The poller's lifecycle (the schedule: lib/queues/fills.ts; the poller: poller.ts):
 * - dispatch puts an account into the schedule (a poll every 1 s) when it finishes sending there;
 * - the fill poller of each worker process claims due accounts and syncs them; an account with nothing unsettled
 *   leaves the schedule — unless a poll of it was asked for meanwhile (an acknowledgement slipped in);
 * - a slow sweep (every 15 s) puts every account with unsettled intents into the schedule, so nothing is forgotten
 *   after a restart or a lost hook, and takes out accounts with nothing left;
 * - order-update streams (streams.ts) ask for an immediate poll where the broker streams them.
 */
import { accountsWithTrackedIntents } from "@/lib/db/queries/fill-tracking";
import { log } from "@/lib/log";
import {
  dropUnchangedFillPolls,
  fillSchedule,
  removeLegacyFillSchedulers,
  scheduleFillPolls,
} from "@/lib/queues/fills";
import { closeOrderStream } from "./streams";
import { trackedWindow } from "./sync";

export { type FillSyncResult, syncAccountFills } from "./sync";
export { type FillPoller, type FillPollerOptions, startFillPoller } from "./poller";
// Worker shutdown closes every stream of the process.
export { closeOrderStreams } from "./streams";

/**
 * Backstop: every account with unsettled intents is in the schedule; none without (unless a poll of it was asked for
 * since the schedule was read, or a poller holds it). Also retires an older version's per-account schedulers.
 */
export async function sweepFillTracking(now = Date.now()): Promise<{ scheduled: number; removed: number }> {
  await removeLegacyFillSchedulers();
  // The schedule first, then intents: dispatch writes its acknowledgements before it schedules, so an account read
  // here has its intents visible below; one scheduled after the read is not dropped (its due time changed).
  const read = await fillSchedule();
  const wanted = new Set(await accountsWithTrackedIntents(trackedWindow(now)));
  const add = [...wanted].filter((a) => !read.has(a));
  const drop = new Map([...read].filter(([a]) => !wanted.has(a)));
  await scheduleFillPolls(add, now);
  const removed = await dropUnchangedFillPolls(drop, now);
  await Promise.all([...drop.keys()].map((a) => closeOrderStream(a)));
  if (add.length > 0) log().info({ accounts: add.length }, "fill polling resumed by the sweep");
  return { scheduled: add.length, removed };
}
