/**
 * The status a person is shown for a run. Dispatch settles a run (COMPLETED / PARTIAL / FAILED) once every slice is
 * confirmed at its broker or given up; an accepted order may still rest unfilled for hours after that. A run is shown
 * WORKING until every order has ended: while dispatch runs, and while any order is open at a broker (accepted,
 * reconciled or partly filled) in the current order-book day. Pure: the caller passes the clock.
 */
import { bookDayStart } from "./fills";

export type DispatchRunStatus = "RUNNING" | "COMPLETED" | "PARTIAL" | "FAILED";
export type DisplayRunStatus = "WORKING" | "COMPLETED" | "PARTIAL" | "FAILED";

/** Intent states whose order is open at the broker: it can still fill, be cancelled or expire. */
export const OPEN_INTENT_STATES: readonly string[] = ["accepted", "reconciled_accepted", "partially_filled"];
const OPEN = new Set(OPEN_INTENT_STATES);

/**
 * `openIntents`: how many of the run's intents are in an open state. Orders of an earlier order-book day have ended
 * at the broker (day validity) even when no fill sync recorded it, so they no longer keep the run working.
 */
export function displayRunStatus(
  status: DispatchRunStatus,
  openIntents: number,
  triggeredAt: number,
  now: number,
): DisplayRunStatus {
  if (status === "RUNNING") return "WORKING";
  if (openIntents > 0 && triggeredAt >= bookDayStart(now)) return "WORKING";
  return status;
}

/** How many of `states` are open at the broker. */
export function countOpen(states: Iterable<string>): number {
  let n = 0;
  for (const s of states) if (OPEN.has(s)) n += 1;
  return n;
}
