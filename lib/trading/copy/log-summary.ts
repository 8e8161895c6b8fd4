/**
 * One child's slices of one copy event, summed up for the copy log (docs/copy-trading.md "What the trader sees"):
 * the worst state, the filled units, the broker's average over them and the latency from detection to the last slice
 * acknowledged. Pure; times are epoch milliseconds.
 */
import Decimal from "decimal.js";
import type { IntentState } from "@/lib/trading/intents";

/** Worst first: a refusal or a loss before anything in flight, anything in flight before done. */
const WORST_FIRST: readonly IntentState[] = [
  "rejected_late",
  "rejected",
  "skipped",
  "held",
  "cancelled",
  "unknown",
  "safe_to_resend",
  "planned",
  "claimed",
  "sending",
  "accepted",
  "reconciled_accepted",
  "partially_filled",
  "filled",
];

export interface ChildSlice {
  state: IntentState;
  quantity: number;
  filledQuantity: number;
  averagePrice: Decimal | null;
  acknowledgedAtMs: number | null;
  brokerOrderId: string | null;
  /** The broker's or dispatch's text for the slice's state (a rejection's message), if any. */
  reason?: string | null;
}

export interface ChildSliceSummary {
  state: IntentState;
  quantity: number;
  filledQuantity: number;
  /** Fill-weighted over the slices with a price, 4 places; null when nothing is filled. */
  averagePrice: Decimal | null;
  /** Detection → the last slice acknowledged, once every slice is; null before. */
  latencyMs: number | null;
  brokerOrderIds: string[];
  /** The text of the first slice in the worst state that has one (the broker's rejection message), else null. */
  brokerReason: string | null;
}

export function summariseChildSlices(slices: readonly ChildSlice[], detectedAtMs: number): ChildSliceSummary | null {
  if (slices.length === 0) return null;
  const state = slices
    .map((s) => s.state)
    .reduce((worst, s) => (WORST_FIRST.indexOf(s) < WORST_FIRST.indexOf(worst) ? s : worst));
  let filledQuantity = 0;
  let priced = 0;
  let value = new Decimal(0);
  for (const s of slices) {
    filledQuantity += s.filledQuantity;
    if (s.averagePrice !== null && s.filledQuantity > 0) {
      priced += s.filledQuantity;
      value = value.plus(s.averagePrice.times(s.filledQuantity));
    }
  }
  const acks = slices.map((s) => s.acknowledgedAtMs);
  const allAcked = acks.every((a): a is number => a !== null);
  return {
    state,
    quantity: slices.reduce((n, s) => n + s.quantity, 0),
    filledQuantity,
    averagePrice: priced > 0 ? value.dividedBy(priced).toDecimalPlaces(4, Decimal.ROUND_HALF_UP) : null,
    latencyMs: allAcked ? Math.max(0, Math.max(...acks) - detectedAtMs) : null,
    brokerOrderIds: slices.flatMap((s) => (s.brokerOrderId ? [s.brokerOrderId] : [])),
    brokerReason: slices.find((s) => s.state === state && s.reason)?.reason ?? null,
  };
}

/**
 * What an ORDERS-mode MODIFY or CANCEL did to one child, as the log names it: the stored outcome
 * (lib/services/copy/mirror-types.ts), with `noted` told apart by what was left of the child's order — nothing at all
 * (the child got no order at placement: `not_mirrored`), a filled order (`already_filled`) or one that was cancelled
 * or rejected before (`already_closed`) — and `failed` named as the broker's refusal.
 */
export type ChildMirrorOutcome =
  "modified" | "cancelled" | "unchanged" | "already_filled" | "already_closed" | "not_mirrored" | "refused" | "waiting";

export function childMirrorOutcome(stored: {
  outcome: "modified" | "cancelled" | "unchanged" | "noted" | "failed" | "waiting";
  slices: readonly { did: string; detail: string | null }[];
}): ChildMirrorOutcome {
  if (stored.outcome === "failed") return "refused";
  if (stored.outcome !== "noted") return stored.outcome;
  if (stored.slices.length === 0) return "not_mirrored";
  return stored.slices.some((s) => s.detail === "filled" || s.detail === "partially_filled")
    ? "already_filled"
    : "already_closed";
}
