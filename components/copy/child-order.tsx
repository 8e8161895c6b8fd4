import { cx } from "@/components/ui/primitives";
import { childOrderPhase, PHASE_STYLE } from "@/components/copy/copy-format";
import { formatMs } from "@/components/runs/run-format";
import { STATE_LABEL } from "@/components/runs/intent-chip";
import { formatInr, formatQty } from "@/lib/format";
import type { CopyChildOrderJson } from "@/lib/services/copy";
import type { IntentStateName } from "@/lib/services/runs";

/**
 * One child's order of one copy event: its account, side and quantity in the phase's colour (sending, working,
 * filled, rejected, skipped...), the fill and average price, and the latency from detection to the broker's
 * acknowledgement. An order that carried other events of the run too is named once as what it was ("in one BUY 260
 * with 3 other events"), its fills against its own quantity.
 */
export function ChildOrder({ order: o }: { order: CopyChildOrderJson }) {
  const phase = childOrderPhase(o);
  // One order may carry several events of a run: its fills are the order's, shown against the order's quantity.
  const orderQty = o.combined?.quantity ?? o.quantity;
  const stateLabel = o.state ? (STATE_LABEL[o.state as IntentStateName] ?? o.state) : "not sent";
  return (
    <div
      data-testid="child-order"
      data-account={o.accountName}
      data-account-id={o.accountId}
      data-phase={phase}
      className="flex flex-wrap items-center gap-x-1.5 gap-y-0.5 text-xs"
      title={[stateLabel, o.reason, o.brokerOrderIds.length ? `order ids: ${o.brokerOrderIds.join(", ")}` : null]
        .filter(Boolean)
        .join("\n")}
    >
      <span className="min-w-16 font-medium">{o.accountName}</span>
      <span className={cx("inline-flex h-5 items-center rounded px-1.5 font-medium tabular-nums", PHASE_STYLE[phase])}>
        {phase === "skipped" ? "skipped" : `${o.action} ${formatQty(o.quantity)}`}
      </span>
      {o.combined && o.combined.quantity > 0 ? (
        <span data-testid="combined-order" className="text-slate-500">
          in one {o.combined.action} {formatQty(o.combined.quantity)} with {o.combined.events - 1} other{" "}
          {o.combined.events === 2 ? "event" : "events"}
        </span>
      ) : null}
      {phase !== "skipped" ? <span className="text-slate-500">{stateLabel}</span> : null}
      {o.filledQuantity > 0 ? (
        <span className="tabular-nums">
          {formatQty(o.filledQuantity)}/{formatQty(orderQty)}
          {o.averagePrice ? ` @ ${formatInr(o.averagePrice)}` : ""}
        </span>
      ) : null}
      {o.latencyMs !== null ? <span className="text-slate-500 tabular-nums">{formatMs(o.latencyMs)}</span> : null}
      {o.reason ? <span className="text-amber-700 dark:text-amber-300">{o.reason}</span> : null}
    </div>
  );
}
