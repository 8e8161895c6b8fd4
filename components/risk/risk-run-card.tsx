"use client";

import Link from "next/link";
import { useState } from "react";
import { Alert, Badge, Button, cx } from "@/components/ui/primitives";
import { formatDateTime, formatInr, formatInrShort, formatQty, isLakhOrMore } from "@/lib/format";
import { Since } from "@/components/accounts/status";
import { RUN_KIND_LABEL, RUN_STATUS_TONE } from "@/components/runs/run-format";
import type { RunKind, RunStatus } from "@/lib/services/runs";
import { RULE_LABEL, signTone } from "@/components/risk/risk-format";
import type { RiskRunJson } from "@/lib/services/risk";
import { RuleTable } from "@/components/risk/rule-table";
import { RiskEvents } from "@/components/risk/risk-events";
import { RunRulesEditor } from "@/components/risk/run-rules-editor";
import { useRiskChange } from "@/components/risk/use-risk";

/** The run's live P&L: compact for big totals (exact on hover), coloured by sign; unknown when a price is missing. */
function RunPnl({ pnl }: { pnl: string | null }) {
  if (pnl === null)
    return (
      <span className="font-semibold text-amber-700 dark:text-amber-300" data-testid="risk-run-pnl">
        unpriced
      </span>
    );
  const exact = formatInr(pnl);
  return (
    <span
      className={cx("num text-base font-semibold", signTone(pnl))}
      title={exact}
      data-testid="risk-run-pnl"
      data-exact={exact}
    >
      {isLakhOrMore(pnl) ? formatInrShort(pnl) : exact}
    </span>
  );
}

/** Peak, stop and whether the trail is following yet; Supertrend's direction, value and candles so far. */
function EngineState({ run }: { run: RiskRunJson }) {
  const { trail, supertrend: st } = run.snapshot ?? { trail: null, supertrend: null };
  if (!trail && !st) return null;
  return (
    <div className="flex flex-wrap gap-x-6 gap-y-1 text-xs text-slate-600 dark:text-slate-300">
      {trail ? (
        <span data-testid="trail-state">
          Trail: peak <span className={cx("num", signTone(trail.peak))}>{formatInr(trail.peak)}</span> · stop{" "}
          <span className={cx("num", signTone(trail.stop))}>{formatInr(trail.stop)}</span> ·{" "}
          {trail.active ? <Badge tone="blue">trailing</Badge> : <Badge tone="slate">not yet trailing</Badge>}
        </span>
      ) : null}
      {st ? (
        <span data-testid="supertrend-state">
          Supertrend ({st.timeframeMinutes} min):{" "}
          {st.direction === null ? (
            <Badge tone="slate">warming up</Badge>
          ) : (
            <Badge tone={st.direction === "up" ? "green" : "red"}>{st.direction === "up" ? "▲ up" : "▼ down"}</Badge>
          )}{" "}
          {st.value !== null ? <span className="num">at {formatInr(st.value)}</span> : null} · {st.candles} closed
          candle{st.candles === 1 ? "" : "s"}
        </span>
      ) : null}
    </div>
  );
}

/**
 * One live run under risk rules: P&L, each rule's level and distance, the engine's trail and Supertrend state, the
 * fired rule with its exit, and the run's risk events. A writer may change or pause the rules while nothing fired.
 */
export function RiskRunCard({
  run,
  canWrite,
  eventsOpen,
}: {
  run: RiskRunJson;
  canWrite: boolean;
  eventsOpen: boolean;
}) {
  const [editing, setEditing] = useState(false);
  const [showEvents, setShowEvents] = useState(eventsOpen);
  const change = useRiskChange(run.runId);
  const snap = run.snapshot;
  const live = !run.firedRule;
  const kindLabel = RUN_KIND_LABEL[run.runKind as RunKind] ?? run.runKind;

  function togglePause() {
    const ask = run.paused
      ? "Resume the risk rules of this run? A level already crossed fires at the next evaluation."
      : "Pause every risk rule of this run? Nothing will exit it automatically until you resume.";
    if (window.confirm(ask)) change.mutate({ paused: !run.paused });
  }

  return (
    <article
      className="space-y-2 rounded-lg p-3 ring-1 ring-slate-200 dark:ring-slate-800"
      data-testid="risk-run"
      data-run-id={run.runId}
      data-paused={run.paused}
      data-fired={run.firedRule ?? ""}
    >
      <header className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0 space-y-0.5">
          <div className="flex flex-wrap items-center gap-x-2 text-sm">
            {run.strategyId ? (
              <Link href={`/strategies/${run.strategyId}`} className="font-semibold hover:underline">
                {run.strategyName ?? kindLabel}
              </Link>
            ) : (
              <span className="font-semibold">{run.strategyName ?? kindLabel}</span>
            )}
            <Link
              href={`/executions/${run.runId}`}
              className="font-mono text-xs text-indigo-600 hover:underline dark:text-indigo-400"
            >
              {run.runId.slice(0, 8)}
            </Link>
            <Badge tone={RUN_STATUS_TONE[run.runStatus as RunStatus] ?? "slate"}>{run.runStatus.toLowerCase()}</Badge>
          </div>
          <p className="text-xs text-slate-500 dark:text-slate-400">
            Triggered {formatDateTime(run.triggeredAt)} · {formatQty(run.accounts)} account
            {run.accounts === 1 ? "" : "s"} · {run.legs.length} leg{run.legs.length === 1 ? "" : "s"}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <RunPnl pnl={snap?.pnl ?? null} />
          {snap && !snap.live ? (
            <span title="A price was stale, zero or from REST: rules were not evaluated on it">
              <Badge tone="amber">not live</Badge>
            </span>
          ) : null}
          {run.paused && live ? <Badge tone="amber">rules paused</Badge> : null}
          {run.firedRule ? <Badge tone="red">{RULE_LABEL[run.firedRule]} fired</Badge> : null}
        </div>
      </header>

      {snap?.unpriced.length ? (
        <p className="text-xs text-amber-700 dark:text-amber-300" data-testid="risk-unpriced">
          Unpriced (stale, zero or REST only): <span className="font-mono">{snap.unpriced.join(", ")}</span>
        </p>
      ) : null}
      {run.firedRule ? (
        <Alert tone="amber" role="status">
          {RULE_LABEL[run.firedRule]} fired {formatDateTime(run.firedAt)}
          {run.exitId ? (
            <>
              {" "}
              —{" "}
              <a href={`#exit-${run.exitId}`} className="font-medium underline" data-testid="risk-exit-link">
                see the exit
              </a>
            </>
          ) : null}
          . The run&apos;s rules are done; the next run is armed afresh.
        </Alert>
      ) : null}

      {editing ? (
        <RunRulesEditor run={run} onDone={() => setEditing(false)} />
      ) : (
        <>
          <RuleTable run={run} />
          <EngineState run={run} />
        </>
      )}

      <footer className="flex flex-wrap items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
        <span>
          Evaluated <Since iso={run.evaluatedAt} />
        </span>
        <Button variant="ghost" className="text-xs" onClick={() => setShowEvents((v) => !v)}>
          {showEvents ? "Hide events" : "Show events"}
        </Button>
        {canWrite && live && !editing ? (
          <>
            <Button variant="secondary" className="text-xs" onClick={() => setEditing(true)}>
              Change rules
            </Button>
            <Button variant="secondary" className="text-xs" disabled={change.isPending} onClick={togglePause}>
              {run.paused ? "Resume rules" : "Pause rules"}
            </Button>
          </>
        ) : null}
        {!canWrite ? <span>read-only</span> : null}
      </footer>
      {change.error && !editing ? <Alert>{change.error.message}</Alert> : null}
      {showEvents ? <RiskEvents runId={run.runId} /> : null}
    </article>
  );
}
