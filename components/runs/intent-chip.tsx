import { cx } from "@/components/ui/primitives";
import { formatInr, formatQty } from "@/lib/format";
import type { IntentJson, IntentStateName } from "@/lib/services/runs";

/** Colour per intent state: grey planned, blue pulse in flight, greens accepted/filled, red rejected, amber unknown. */
export const STYLE: Record<IntentStateName, string> = {
  planned: "bg-slate-200 text-slate-600 dark:bg-slate-700 dark:text-slate-300",
  claimed: "bg-indigo-500 text-white animate-pulse",
  sending: "bg-indigo-600 text-white animate-pulse",
  accepted: "bg-emerald-500 text-white",
  reconciled_accepted: "bg-emerald-500 text-white ring-2 ring-amber-400 ring-inset",
  partially_filled: "bg-emerald-600 text-white",
  filled: "bg-emerald-800 text-white",
  rejected: "bg-rose-600 text-white",
  rejected_late: "bg-rose-700 text-white ring-2 ring-rose-300 ring-inset",
  unknown: "bg-amber-400 text-amber-950",
  safe_to_resend: "bg-amber-300 text-amber-950",
  cancelled: "bg-slate-500 text-white line-through",
  skipped: "bg-slate-100 text-slate-400 ring-1 ring-dashed ring-slate-300 dark:bg-slate-800 dark:ring-slate-600",
  held: "bg-amber-50 text-amber-800 ring-1 ring-dashed ring-amber-500 dark:bg-amber-500/10 dark:text-amber-300",
};

export const STATE_LABEL: Record<IntentStateName, string> = {
  planned: "planned",
  claimed: "claimed",
  sending: "sending",
  accepted: "accepted",
  reconciled_accepted: "accepted (reconciled)",
  partially_filled: "partly filled",
  filled: "filled",
  rejected: "rejected",
  rejected_late: "rejected late",
  unknown: "unknown",
  safe_to_resend: "safe to resend",
  cancelled: "cancelled",
  skipped: "skipped",
  held: "held (BUY phase failed)",
};

function chipTitle(i: IntentJson): string {
  return [
    `${i.action} ${formatQty(i.quantity)} ${i.symbol} · slice ${i.sliceIndex + 1}`,
    `state: ${STATE_LABEL[i.state]}`,
    i.brokerOrderId ? `order id: ${i.brokerOrderId}` : null,
    i.filledQuantity > 0
      ? `filled ${formatQty(i.filledQuantity)}${i.averagePrice ? ` @ ₹${i.averagePrice}` : ""}`
      : null,
    i.reason ? `reason: ${i.reason}` : null,
  ]
    .filter(Boolean)
    .join("\n");
}

/** One slice of one leg in one account. The mark ✓ flags an order adopted by reconciliation. */
export function IntentChip({ intent }: { intent: IntentJson }) {
  return (
    <span
      data-testid="intent-chip"
      data-state={intent.state}
      title={chipTitle(intent)}
      className={cx(
        "num inline-flex h-5 min-w-10 items-center justify-center rounded px-1 text-[11px] font-medium",
        STYLE[intent.state],
      )}
    >
      <ChipText intent={intent} />
    </span>
  );
}

/** Quantity; partly filled `filled/qty`; filled with the broker's average price; a late rejection crossed out. */
function ChipText({ intent: i }: { intent: IntentJson }) {
  if (i.state === "partially_filled")
    return (
      <>
        {formatQty(i.filledQuantity)}/{formatQty(i.quantity)}
      </>
    );
  if (i.state === "filled") {
    return (
      <>
        {formatQty(i.filledQuantity)}
        {i.averagePrice ? (
          <span className="ml-1 font-normal opacity-90" data-testid="chip-price">
            @ {formatInr(i.averagePrice)}
          </span>
        ) : null}
      </>
    );
  }
  if (i.state === "cancelled" && i.filledQuantity > 0)
    return (
      <>
        {formatQty(i.filledQuantity)}/{formatQty(i.quantity)}
      </>
    );
  return (
    <>
      {formatQty(i.quantity)}
      {i.state === "reconciled_accepted" ? (
        <span aria-label="reconciled" className="ml-0.5">
          ✓
        </span>
      ) : null}
      {i.state === "rejected_late" ? (
        <span aria-label="rejected after acceptance" className="ml-0.5">
          ✕
        </span>
      ) : null}
    </>
  );
}

const LEGEND: IntentStateName[] = [
  "planned",
  "sending",
  "accepted",
  "partially_filled",
  "filled",
  "reconciled_accepted",
  "unknown",
  "rejected",
  "rejected_late",
  "held",
  "cancelled",
  "skipped",
];

export function ChipLegend() {
  return (
    <div className="flex flex-wrap items-center gap-2 text-xs text-slate-500">
      {LEGEND.map((s) => (
        <span key={s} className="inline-flex items-center gap-1">
          <span className={cx("inline-block h-3 w-4 rounded-sm", STYLE[s])} />
          {STATE_LABEL[s]}
        </span>
      ))}
    </div>
  );
}
