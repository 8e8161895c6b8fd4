import type { DisplayRunStatus, IntentStateName, RunEventJson } from "@/lib/services/runs";
import type { LiveIntent, LiveRun } from "@/components/runs/types";
import { allCancelledUnfilled, countOpen, displayRunStatus } from "@/lib/trading/run-status";

const ACK_STATES: ReadonlySet<IntentStateName> = new Set(["accepted", "rejected", "reconciled_accepted"]);

/**
 * Lifecycle order of intent states. Live events and database reads can cross (an event published just before a read
 * may arrive after it), so an intent never moves back down this order, except out of `unknown` / `safe_to_resend` /
 * `held`, which a retry legitimately sends round again.
 */
const RANK: Record<IntentStateName, number> = {
  planned: 0,
  claimed: 1,
  sending: 2,
  unknown: 3,
  safe_to_resend: 3,
  held: 3,
  accepted: 4,
  reconciled_accepted: 4,
  rejected: 5,
  partially_filled: 5,
  rejected_late: 6,
  filled: 7,
  cancelled: 7,
  skipped: 7,
};
const RESENDABLE: ReadonlySet<IntentStateName> = new Set(["unknown", "safe_to_resend", "held"]);

/** Latest time known for an intent: its last applied event, else its send/acknowledgement times. */
const knownAt = (i: LiveIntent): string | null =>
  i.eventAt ??
  [i.sentAt, i.acknowledgedAt]
    .filter((x): x is string => !!x)
    .sort()
    .pop() ??
  null;

function applyIntent(i: LiveIntent, e: Extract<RunEventJson, { type: "intent" }>): LiveIntent {
  const at = knownAt(i);
  if (at && Date.parse(e.at) < Date.parse(at)) return i;
  // A larger filled quantity is always newer (fills never decrease): a late rejection that flaps into a partial fill.
  if (RANK[e.state] < RANK[i.state] && !RESENDABLE.has(i.state) && !(e.filledQuantity > i.filledQuantity)) return i;
  return {
    ...i,
    eventAt: e.at,
    state: e.state,
    brokerOrderId: e.brokerOrderId ?? i.brokerOrderId,
    filledQuantity: e.filledQuantity,
    averagePrice: e.averagePrice ?? i.averagePrice,
    reason: e.reason,
    sentAt: e.state === "sending" && (!i.sentAt || RESENDABLE.has(i.state)) ? e.at : i.sentAt,
    acknowledgedAt: ACK_STATES.has(e.state) && !i.acknowledgedAt ? e.at : i.acknowledgedAt,
  };
}

/** Applies one live event to the run (pure). Stale events (older than what is shown) change nothing. */
export function applyRunEvent(run: LiveRun, e: RunEventJson): LiveRun {
  if (e.type === "run") {
    const shownAt = run.statusAt ?? run.finishedAt ?? run.triggeredAt;
    if (Date.parse(e.at) < Date.parse(shownAt)) return run;
    return {
      ...run,
      status: e.status,
      finishedAt: e.status === "RUNNING" ? null : (run.finishedAt ?? e.at),
      statusAt: e.at,
    };
  }
  let changed = false;
  const intents = run.intents.map((i) => {
    if (i.id !== e.intentId) return i;
    const next = applyIntent(i, e);
    changed ||= next !== i;
    return next;
  });
  return changed ? { ...run, intents } : run;
}

/** The status shown for the run as it stands (live events applied): WORKING until every order has ended. */
export function shownStatus(run: LiveRun, now = Date.now()): DisplayRunStatus {
  const open = countOpen(run.intents.map((i) => i.state));
  return displayRunStatus(run.status, open, Date.parse(run.triggeredAt), now, allCancelledUnfilled(run.intents));
}
