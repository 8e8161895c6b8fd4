import { cx } from "@/components/ui/primitives";

type Verdict = "ACCEPTED" | "DUPLICATE" | "IGNORED" | "REJECTED" | "DRY_RUN";

const STYLE: Record<Verdict, string> = {
  ACCEPTED: "bg-emerald-50 text-emerald-700 ring-emerald-600/20 dark:bg-emerald-500/10 dark:text-emerald-400",
  DUPLICATE: "bg-zinc-100 text-zinc-600 ring-zinc-500/20 dark:bg-zinc-800 dark:text-zinc-300",
  IGNORED: "bg-slate-200 text-slate-700 ring-slate-500/30 dark:bg-slate-700 dark:text-slate-200",
  REJECTED: "bg-rose-50 text-rose-700 ring-rose-600/20 dark:bg-rose-500/10 dark:text-rose-400",
  DRY_RUN: "bg-sky-50 text-sky-700 ring-sky-600/20 dark:bg-sky-500/10 dark:text-sky-300",
};

const LABEL: Record<Verdict, string> = {
  ACCEPTED: "accepted",
  DUPLICATE: "duplicate",
  IGNORED: "ignored",
  REJECTED: "rejected",
  DRY_RUN: "dry run",
};

/** An alert's verdict: accepted green, duplicate grey, ignored slate, rejected red, dry run blue. */
export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return (
    <span
      data-verdict={verdict}
      className={cx(
        "inline-flex items-center rounded px-1.5 py-0.5 text-xs font-medium ring-1 ring-inset",
        STYLE[verdict],
      )}
    >
      {LABEL[verdict]}
    </span>
  );
}
