import { formatQty } from "@/lib/format";
import type { DisplayRunStatus, IntentStateName, RunStatus } from "@/lib/services/runs";

/** What started a run, as a trader reads it (notifications say it the same way). */
export { RUN_KIND_LABEL } from "@/lib/format";

/** Slice quantities as a trader reads them: `[1755, 1755, 1755, 65]` → `1,755 × 3 + 65`. */
export function formatSlices(slices: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < slices.length) {
    let j = i;
    while (j < slices.length && slices[j] === slices[i]) j++;
    const n = j - i;
    parts.push(n > 1 ? `${formatQty(slices[i])} × ${n}` : formatQty(slices[i]));
    i = j;
  }
  return parts.join(" + ");
}

/** Milliseconds as `84 ms` / `1.24 s`. */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return "—";
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export const RUN_STATUS_TONE: Record<RunStatus | DisplayRunStatus, "blue" | "green" | "amber" | "red" | "slate"> = {
  RUNNING: "blue",
  WORKING: "blue",
  COMPLETED: "green",
  PARTIAL: "amber",
  FAILED: "red",
  // Ended without trading: neither a success (green) nor a failure (red).
  CANCELLED: "slate",
};

/** States in which an order is still on its way out (the progress bar counts the rest as done). */
export const IN_FLIGHT: ReadonlySet<IntentStateName> = new Set([
  "planned",
  "claimed",
  "sending",
  "unknown",
  "safe_to_resend",
]);
/** States that did not end in a working or filled order (progress turns amber when any exist). */
export const FAILED_STATES: ReadonlySet<IntentStateName> = new Set([
  "rejected",
  "rejected_late",
  "unknown",
  "safe_to_resend",
  "held",
]);
/**
 * States "Retry failed" acts on: unconfirmed or never-placed sends (reconciled again before any resend) and SELL
 * slices held behind a failed BUY phase. Rejections are final in the intent state machine (the broker said no;
 * sending the same order again needs a new decision, not a retry).
 */
export const RETRYABLE_STATES: ReadonlySet<IntentStateName> = new Set(["unknown", "safe_to_resend", "held"]);
/** States with a working order that "Cancel open orders" can reach. */
export const OPEN_STATES: ReadonlySet<IntentStateName> = new Set([
  "accepted",
  "reconciled_accepted",
  "partially_filled",
]);
