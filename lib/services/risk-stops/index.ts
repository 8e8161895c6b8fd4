/**
 * Broker-side leg stops, the subsystem's entry module (docs/risk.md "Leg stops at the broker"). When a run's legs are
 * protected at the broker (`legStopMode: BROKER`), each leg's stop-loss rests there as an SL-M order and its
 * take-profit as a LIMIT, sized to what the leg holds in each account, as intents of STOP_ORDERS runs that dispatch
 * sends exactly once. They are re-sized (cancelled and replaced) when the position changes, cancelled when it is flat
 * and by any exit of the run, strategy or account before that exit sends, and a stop that fills closes the protected
 * run's position in the ledger and is recorded as a risk event with a notification.
 *
 * Fill tracking asks for an account's sync after every change it writes to such runs (lib/queues/risk-stops.ts);
 * a sweep asks for every account with such runs every few seconds.
 */
import { accountsOfRun, accountsToSweep } from "@/lib/db/queries/leg-stops";
import { enqueueStopSync } from "@/lib/queues/risk-stops";
import { tradingClock, type TradingClock } from "@/lib/services/market-data";
import { type PassResult, STOP_WATCH_DAYS, stopsPass } from "./account-pass";

/** Passes one sync makes at most (cancel, then place from the refreshed ledger) before handing over to a later job. */
const MAX_PASSES = 3;
/** How soon a sync that left something moving looks again, ms. */
const STOP_RECHECK_MS = 500;

export type StopSyncResult = Omit<PassResult, "again"> & { passes: number };

/**
 * Brings the account's broker-side stops in line with what its runs hold. Safe to run twice, concurrently, or after a
 * crash at any point: every write is idempotent or compare-and-set. `clock` is the wall clock with the operator's
 * always-open switch (tests pass their own).
 */
export async function syncAccountStops(
  accountId: string,
  clock: TradingClock = tradingClock(),
): Promise<StopSyncResult> {
  const total: StopSyncResult = { placed: [], cancelled: 0, fired: 0, recheck: false, warnings: [], passes: 0 };
  let again = true;
  while (again && total.passes < MAX_PASSES) {
    const r = await stopsPass(accountId, clock);
    total.passes += 1;
    total.placed.push(...r.placed);
    total.cancelled += r.cancelled;
    total.fired += r.fired;
    total.warnings = r.warnings;
    total.recheck = r.recheck;
    again = r.again;
  }
  total.recheck ||= again;
  if (total.recheck) await enqueueStopSync(accountId, STOP_RECHECK_MS);
  return total;
}

/** The backstop: a sync for every account with a live stop, or with a protected fill that never got one. */
export async function sweepStops(now = new Date()): Promise<{ accounts: number }> {
  const ids = await accountsToSweep(new Date(now.getTime() - STOP_WATCH_DAYS * 86_400_000));
  await Promise.all(ids.map((id) => enqueueStopSync(id, 0, now.getTime())));
  return { accounts: ids.length };
}

/**
 * Asks for a sync of the run's stops in every account it traded in: whoever changes, pauses or resumes a live run's
 * rules (or its leg stop mode) calls this, so resting stops follow at once rather than at the next fill.
 */
export async function requestRunStopSync(runId: string): Promise<void> {
  await Promise.all((await accountsOfRun(runId)).map((id) => enqueueStopSync(id)));
}
