import { cx } from "@/components/ui/primitives";
import { childOrderPhase, OUTCOME, outcomeStyle, PHASE_STYLE } from "@/components/copy/copy-format";
import { formatMs } from "@/components/runs/run-format";
import { STATE_LABEL } from "@/components/runs/intent-chip";
import { formatInr, formatQty } from "@/lib/format";
import type { CopyChildOrderJson, CopyChildOutcomeName, CopyEventStatusName } from "@/lib/services/copy";
import type { IntentStateName } from "@/lib/services/runs";

const chip = "inline-flex h-5 items-center rounded px-1.5 font-medium tabular-nums whitespace-nowrap";
const NOT_SENT: Record<CopyEventStatusName, string> = {
  PENDING: "pending",
  SENT: "not sent",
  SKIPPED: "not sent",
  BLOCKED: "blocked: not sent",
  FAILED: "not sent",
};
const row = "flex flex-wrap items-center gap-x-1.5 gap-y-0.5 text-xs";

/**
 * One child's order of one copy event: its account, side and quantity in the phase's colour (sending, working,
 * filled, rejected, skipped...), the fill and average price, the latency from detection to the broker's
 * acknowledgement and the broker's text when it refused. An order that carried other events of the run too is named
 * once as what it was ("in one BUY 260 with 3 other events"), its fills against its own quantity. A master MODIFY or
 * CANCEL (ORDERS mode) shows instead what it did to the child's order: modified, cancelled, already filled, refused
 * with the broker's reason, not mirrored.
 */
export function ChildOrder({ order: o, eventStatus }: { order: CopyChildOrderJson; eventStatus: CopyEventStatusName }) {
  if (o.outcome) return <ChildChange order={o} outcome={o.outcome} />;
  const phase = childOrderPhase(o);
  // Planned units never sent: the event's status says why (kill switch, group paused, failed, still pending).
  const unsent = o.state === null && o.quantity > 0;
  const stateLabel = o.state
    ? (STATE_LABEL[o.state as IntentStateName] ?? o.state)
    : unsent
      ? NOT_SENT[eventStatus]
      : "not sent";
  // One order may carry several events of a run: its fills are the order's, shown against the order's quantity.
  const orderQty = o.combined?.quantity ?? o.quantity;
  return (
    <div
      data-testid="child-order"
      data-account={o.accountName}
      data-account-id={o.accountId}
      data-phase={phase}
      className={row}
      title={titleOf(o, stateLabel)}
    >
      <span className="min-w-16 font-medium">{o.accountName}</span>
      <span className={cx(chip, PHASE_STYLE[phase])}>
        {phase === "skipped" && !unsent ? "skipped" : `${o.action} ${formatQty(o.quantity)}`}
      </span>
      {o.price || o.triggerPrice ? (
        <span className="tabular-nums">
          {[o.price && `@ ${formatInr(o.price)}`, o.triggerPrice && `trg ${formatInr(o.triggerPrice)}`]
            .filter(Boolean)
            .join(" ")}
        </span>
      ) : null}
      {o.combined && o.combined.quantity > 0 ? (
        <span data-testid="combined-order" className="text-slate-500">
          in one {o.combined.action} {formatQty(o.combined.quantity)} with {o.combined.events - 1} other{" "}
          {o.combined.events === 2 ? "event" : "events"}
        </span>
      ) : null}
      {phase !== "skipped" || unsent ? <span className="text-slate-500">{stateLabel}</span> : null}
      {o.filledQuantity > 0 ? (
        <span className="tabular-nums">
          {formatQty(o.filledQuantity)}/{formatQty(orderQty)}
          {o.averagePrice ? ` @ ${formatInr(o.averagePrice)}` : ""}
        </span>
      ) : null}
      {o.latencyMs !== null ? <span className="text-slate-500 tabular-nums">{formatMs(o.latencyMs)}</span> : null}
      {o.reason ? <span className="text-amber-700 dark:text-amber-300">{o.reason}</span> : null}
      {o.brokerReason && (phase === "rejected" || phase === "unsure") ? (
        <span
          className={phase === "rejected" ? "text-rose-700 dark:text-rose-400" : "text-amber-700 dark:text-amber-300"}
        >
          {o.brokerReason}
        </span>
      ) : null}
    </div>
  );
}

/** A master MODIFY or CANCEL applied to one child: the outcome in its colour, the child's units afterwards, why. */
function ChildChange({ order: o, outcome }: { order: CopyChildOrderJson; outcome: CopyChildOutcomeName }) {
  const { label, phase } = OUTCOME[outcome];
  const units =
    outcome === "modified" || outcome === "unchanged"
      ? `${o.action} ${formatQty(o.quantity)}`
      : outcome === "cancelled" && o.quantity > 0
        ? `${formatQty(o.quantity)} filled before`
        : null;
  return (
    <div
      data-testid="child-order"
      data-account={o.accountName}
      data-account-id={o.accountId}
      data-phase={phase}
      data-outcome={outcome}
      className={row}
      title={titleOf(o, label)}
    >
      <span className="min-w-16 font-medium">{o.accountName}</span>
      <span className={cx(chip, outcomeStyle(phase))}>{label}</span>
      {units ? <span className="tabular-nums">{units}</span> : null}
      {o.reason ? (
        <span className={outcome === "refused" ? "text-rose-700 dark:text-rose-400" : "text-slate-500"}>
          {o.reason}
        </span>
      ) : null}
    </div>
  );
}

const titleOf = (o: CopyChildOrderJson, label: string) =>
  [label, o.reason, o.brokerReason, o.brokerOrderIds.length ? `order ids: ${o.brokerOrderIds.join(", ")}` : null]
    .filter(Boolean)
    .join("\n");
