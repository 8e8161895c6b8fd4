/**
 * The status a person is shown for a run. Dispatch settles a run (COMPLETED / PARTIAL / FAILED) once every slice is
 * confirmed at its broker or given up; an accepted order may still rest unfilled for hours after that. A run is shown
 * WORKING until every order has ended: while dispatch runs, and while any order is open at a broker (accepted,
 * reconciled or partly filled) in the current order-book day. A run whose every order was cancelled before anything
 * filled is shown CANCELLED: dispatch calls it COMPLETED (every slice was accepted), but nothing traded.
 * Pure: the caller passes the clock.
 */
import { bookDayStart } from "./fills";

export type DispatchRunStatus = "RUNNING" | "COMPLETED" | "PARTIAL" | "FAILED";
export type DisplayRunStatus = "WORKING" | "COMPLETED" | "PARTIAL" | "FAILED" | "CANCELLED";

/** Intent states whose order is open at the broker: it can still fill, be cancelled or expire. */
export const OPEN_INTENT_STATES: readonly string[] = ["accepted", "reconciled_accepted", "partially_filled"];
const OPEN = new Set(OPEN_INTENT_STATES);

/**
 * `openIntents`: how many of the run's intents are in an open state. Orders of an earlier order-book day have ended
 * at the broker (day validity) even when no fill sync recorded it, so they no longer keep the run working.
 * `cancelledUnfilled`: `allCancelledUnfilled` of the run's intents.
 */
export function displayRunStatus(
  status: DispatchRunStatus,
  openIntents: number,
  triggeredAt: number,
  now: number,
  cancelledUnfilled = false,
): DisplayRunStatus {
  if (status === "RUNNING") return "WORKING";
  if (openIntents > 0 && triggeredAt >= bookDayStart(now)) return "WORKING";
  // A failed dispatch stays FAILED: the cancel did not undo what went wrong while sending.
  if (cancelledUnfilled && status !== "FAILED") return "CANCELLED";
  return status;
}

/** Intent states of a run that ended without an order at the broker (a planned account that was skipped). */
const NOT_SENT = new Set(["skipped"]);

/**
 * True when at least one of the run's orders was cancelled, every other one never went out, and nothing filled at
 * all: the run ended without trading. A cancel after a partial fill traded something, so it does not count. Rows
 * may be single intents or per-state groups (`filledQuantity` summed over the group).
 */
export function allCancelledUnfilled(intents: Iterable<{ state: string; filledQuantity: number }>): boolean {
  let cancelled = false;
  for (const i of intents) {
    if (i.filledQuantity > 0) return false;
    if (i.state === "cancelled") cancelled = true;
    else if (!NOT_SENT.has(i.state)) return false;
  }
  return cancelled;
}

/** How many of `states` are open at the broker. */
export function countOpen(states: Iterable<string>): number {
  let n = 0;
  for (const s of states) if (OPEN.has(s)) n += 1;
  return n;
}
