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
 * The poller's lifecycle:
 * - dispatch schedules an account's polls (every 1 s) when it finishes sending there;
 * - each poll syncs the account; when nothing of the account is unsettled any more its scheduler is removed — and
 *   re-created at once if an acknowledgement slipped in meanwhile;
 * - a slow sweep (every 15 s) re-creates schedulers for every account with unsettled intents, so nothing is forgotten
 *   after a restart or a lost hook, and removes schedulers of accounts with nothing left;
 * - order-update streams (streams.ts) trigger an immediate poll where the broker streams them.
 */
import { accountsWithTrackedIntents, listTrackedIntents } from "@/lib/db/queries/fill-tracking";
import { log } from "@/lib/log";
import { scheduledFillAccounts, scheduleFillPolls, unscheduleFillPolls } from "@/lib/queues/fills";
import { closeOrderStream, ensureOrderStream } from "./streams";
import { type FillSyncResult, syncNow, trackedWindow } from "./sync";

export type { FillSyncResult } from "./sync";
// Worker shutdown closes every stream of the process.
export { closeOrderStreams } from "./streams";

/**
 * Reads the account's order book once and records every fill, partial fill, cancellation and late rejection of its
 * tracked intents. Concurrent calls for one account share a sync that starts after the one in progress (so each
 * caller sees the books as they were after its call), instead of one broker read each. Throws when the account's
 * books cannot be read (nothing is changed then).
 */
export function syncAccountFills(accountId: string): Promise<FillSyncResult> {
  const queued = pending.get(accountId);
  if (queued && !queued.started) return queued.promise;
  const entry: { started: boolean; promise: Promise<FillSyncResult> } = {
    started: false,
    promise: Promise.resolve({ changed: 0, unsettled: 0 }),
  };
  const previous = queued?.promise.catch(() => undefined) ?? Promise.resolve();
  entry.promise = previous
    .then(() => {
      entry.started = true;
      return syncNow(accountId);
    })
    .finally(() => {
      if (pending.get(accountId) === entry) pending.delete(accountId);
    });
  pending.set(accountId, entry);
  return entry.promise;
}

const pending = new Map<string, { started: boolean; promise: Promise<FillSyncResult> }>();

/** One scheduled poll of an account: sync, then keep or end its tracking. */
export async function pollAccountFills(accountId: string): Promise<FillSyncResult> {
  const result = await syncAccountFills(accountId);
  if (result.unsettled > 0) {
    ensureOrderStream(accountId);
    return result;
  }
  await unscheduleFillPolls(accountId);
  // Dispatch may have acknowledged orders here after the sync read, and scheduled before the removal: check again.
  if ((await listTrackedIntents(accountId, trackedWindow(Date.now()))).length > 0) await scheduleFillPolls(accountId);
  else await closeOrderStream(accountId);
  return result;
}

/** Backstop: every account with unsettled intents has a scheduler; none without. Returns the counts. */
export async function sweepFillTracking(): Promise<{ scheduled: number; removed: number }> {
  // Schedulers first, then intents: dispatch writes its acknowledgements before it schedules, so a scheduler listed
  // here has its intents visible below and is never dropped by mistake.
  const existing = await scheduledFillAccounts();
  const wanted = await accountsWithTrackedIntents(trackedWindow(Date.now()));
  const want = new Set(wanted);
  const have = new Set(existing);
  const add = wanted.filter((a) => !have.has(a));
  const drop = existing.filter((a) => !want.has(a));
  await Promise.all([...add.map((a) => scheduleFillPolls(a)), ...drop.map((a) => unscheduleFillPolls(a))]);
  await Promise.all(drop.map((a) => closeOrderStream(a)));
  if (add.length > 0) log().info({ accounts: add.length }, "fill polling resumed by the sweep");
  return { scheduled: add.length, removed: drop.length };
}
