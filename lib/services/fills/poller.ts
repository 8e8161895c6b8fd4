/**
 * The fill poller's lifecycle (issue 6 "Fill tracking"):
 * - dispatch schedules an account's polls (every 1 s) when it finishes sending there;
 * - each poll syncs the account (fills.ts); when nothing of the account is unsettled any more its scheduler is
 *   removed — and re-created at once if an acknowledgement slipped in meanwhile;
 * - a slow sweep (every 15 s) re-creates schedulers for every account with unsettled intents, so nothing is forgotten
 *   after a restart or a lost hook, and removes schedulers of accounts with nothing left;
 * - where the adapter streams order updates (OpenAlgo `subscribe_orders`), this process subscribes for accounts it
 *   polls and an update triggers an immediate poll; polling stays the backstop (updates sent while the stream was
 *   down are lost, the book is not).
 */
import type { Subscription } from "@/lib/brokers/types";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import { accountsWithTrackedIntents, listTrackedIntents } from "@/lib/db/queries/fill-tracking";
import { log } from "@/lib/log";
import { enqueueFillPollNow, scheduledFillAccounts, scheduleFillPolls, unscheduleFillPolls } from "@/lib/queues/fills";
import { adapterFor } from "@/lib/services/broker-access";
import { type FillSyncResult, syncAccountFills, trackedWindow } from ".";

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

const STREAM_RETRY_MS = 10_000;
const streams = new Map<string, Promise<Subscription | null>>();
const retryAt = new Map<string, number>();

/** Subscribes to the account's order updates once (in this process), where its adapter can stream them. */
function ensureOrderStream(accountId: string): void {
  if (streams.has(accountId) || (retryAt.get(accountId) ?? 0) > Date.now()) return;
  const failed = (err: unknown) => {
    streams.delete(accountId);
    retryAt.set(accountId, Date.now() + STREAM_RETRY_MS);
    log().warn({ accountId, err }, "order update stream unavailable; polling continues");
  };
  const opening = (async (): Promise<Subscription | null> => {
    const account = await loadAccountSecret(accountId);
    const adapter = account ? adapterFor(account) : null;
    if (!adapter?.subscribeOrderUpdates || !account?.wsUrl) {
      retryAt.set(accountId, Date.now() + STREAM_RETRY_MS);
      streams.delete(accountId);
      return null;
    }
    return adapter.subscribeOrderUpdates(
      () =>
        void enqueueFillPollNow(accountId).catch((err) =>
          log().warn({ accountId, err }, "immediate fill poll not queued"),
        ),
      failed,
    );
  })().catch((err) => {
    failed(err);
    return null;
  });
  streams.set(accountId, opening);
}

async function closeOrderStream(accountId: string): Promise<void> {
  const sub = streams.get(accountId);
  streams.delete(accountId);
  await (await sub)?.close().catch(() => undefined);
}

/** Closes every order-update stream of this process (worker shutdown). */
export async function closeOrderStreams(): Promise<void> {
  await Promise.all([...streams.keys()].map((a) => closeOrderStream(a)));
}

/** Whether the account's order-update stream is open (subscribed) in this process; waits for one being opened. */
export async function orderStreamOpen(accountId: string): Promise<boolean> {
  const opening = streams.get(accountId);
  return opening !== undefined && (await opening) !== null && streams.get(accountId) === opening;
}

/** Accounts with an open (or opening) order-update stream in this process. */
export function orderStreamAccounts(): string[] {
  return [...streams.keys()];
}
