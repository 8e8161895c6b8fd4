import { STYLE as INTENT_STYLE } from "@/components/runs/intent-chip";
import { formatQty } from "@/lib/format";
import type { CopyChildOrderJson, CopyChildOutcomeName, CopyEventStatusName } from "@/lib/services/copy";

export type Tone = "green" | "red" | "amber" | "slate" | "blue";

/** Copy event status colours: sent green, pending blue, skipped grey, blocked amber (kill switch), failed red. */
export const EVENT_STATUS_TONE: Record<CopyEventStatusName, Tone> = {
  PENDING: "blue",
  SENT: "green",
  SKIPPED: "slate",
  BLOCKED: "amber",
  FAILED: "red",
};

export const MODE_HELP = {
  FILLS: "Copy fills: every master fill (partial fills included) moves each child towards its share.",
  ORDERS:
    "Copy orders: each master order is mirrored as placed; modifies and cancels follow; children fill on their own.",
} as const;

export const ROUNDING_LABEL = { DOWN: "down", NEAREST: "nearest", UP: "up" } as const;

/** What a child's copy order amounts to, as a trader reads it at a glance. */
export type ChildOrderPhase = "skipped" | "sending" | "working" | "filled" | "rejected" | "cancelled" | "unsure";

const PHASE_OF: Record<string, ChildOrderPhase> = {
  planned: "sending",
  claimed: "sending",
  sending: "sending",
  accepted: "working",
  reconciled_accepted: "working",
  partially_filled: "working",
  filled: "filled",
  rejected: "rejected",
  rejected_late: "rejected",
  cancelled: "cancelled",
  skipped: "skipped",
  unknown: "unsure",
  safe_to_resend: "unsure",
  held: "unsure",
};

export function childOrderPhase(o: Pick<CopyChildOrderJson, "state" | "quantity">): ChildOrderPhase {
  if (o.quantity === 0 || o.state === null) return "skipped";
  return PHASE_OF[o.state] ?? "unsure";
}

/** The run view's slice colours (components/runs/intent-chip.tsx), so an order reads the same on both pages. */
export const PHASE_STYLE: Record<ChildOrderPhase, string> = {
  skipped: "bg-slate-100 text-slate-500 ring-1 ring-slate-300 ring-dashed dark:bg-slate-800 dark:text-slate-400",
  sending: INTENT_STYLE.sending,
  working: INTENT_STYLE.accepted,
  filled: INTENT_STYLE.filled,
  rejected: INTENT_STYLE.rejected,
  cancelled: INTENT_STYLE.cancelled,
  unsure: INTENT_STYLE.unknown,
};

/** What a master MODIFY or CANCEL did to a child's order, in words and in the phase colour it amounts to. */
export const OUTCOME: Record<CopyChildOutcomeName, { label: string; phase: ChildOrderPhase | "outline" }> = {
  modified: { label: "modified", phase: "working" },
  cancelled: { label: "cancelled", phase: "cancelled" },
  unchanged: { label: "already as asked", phase: "outline" },
  already_filled: { label: "already filled", phase: "filled" },
  already_closed: { label: "already closed", phase: "outline" },
  not_mirrored: { label: "not mirrored", phase: "skipped" },
  refused: { label: "refused", phase: "rejected" },
  waiting: { label: "waiting", phase: "sending" },
};
/** Outcome chips: the phase's colour, never struck through (the word says it), or an outline for "nothing to do". */
export function outcomeStyle(phase: ChildOrderPhase | "outline"): string {
  if (phase === "outline") return "bg-white text-slate-700 ring-1 ring-slate-300 dark:bg-slate-900 dark:text-slate-300";
  return PHASE_STYLE[phase].replace("line-through", "");
}

/** Signed units as a position reads: `+75`, `-150`, `0`. */
export function signedQty(n: number): string {
  const body = formatQty(Math.abs(n));
  return n > 0 ? `+${body}` : n < 0 ? `-${body}` : "0";
}

/** Signed units in lots of `lotSize` (`+2 lots`, `-1.5 lots`), null when the lot size is unknown or n is 0. */
export function signedLots(n: number, lotSize: number | null): string | null {
  if (!lotSize || n === 0) return null;
  const lots = Math.round((Math.abs(n) / lotSize) * 100) / 100;
  return `${n > 0 ? "+" : "-"}${lots} lot${lots === 1 ? "" : "s"}`;
}

/** Comma- or space-separated symbols typed by a person, upper-cased, without blanks or repeats. */
export function symbolList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[\s,]+/)
        .map((s) => s.trim().toUpperCase())
        .filter(Boolean),
    ),
  ];
}
