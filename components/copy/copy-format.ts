import { formatQty } from "@/lib/format";
import type { CopyChildOrderJson, CopyEventStatusName } from "@/lib/services/copy";

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

export const PHASE_STYLE: Record<ChildOrderPhase, string> = {
  skipped: "bg-slate-100 text-slate-500 ring-1 ring-slate-300 ring-dashed dark:bg-slate-800 dark:text-slate-400",
  sending: "bg-indigo-600 text-white animate-pulse",
  working: "bg-sky-500 text-white",
  filled: "bg-emerald-700 text-white",
  rejected: "bg-rose-600 text-white",
  cancelled: "bg-slate-500 text-white",
  unsure: "bg-amber-400 text-amber-950",
};

/** Signed units as a position reads: `+75`, `-150`, `0`. */
export function signedQty(n: number): string {
  const body = formatQty(Math.abs(n));
  return n > 0 ? `+${body}` : n < 0 ? `-${body}` : "0";
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
