"use client";

import { Alert, Card, EmptyState } from "@/components/ui/primitives";
import { useLiveState } from "@/components/live/use-live";
import { formatTimeIst } from "@/lib/format";
import { RiskRunCard } from "@/components/risk/risk-run-card";
import { useRiskRuns } from "@/components/risk/use-risk";

/** Events are listed open on each card while the runs are few; with many, a card opens its own. */
const EVENTS_OPEN_UP_TO = 5;

/** Live runs under risk rules: each run's P&L and rules, read every second while the page is visible. */
export function LiveRiskRuns({ canWrite }: { canWrite: boolean }) {
  const { data, error, dataUpdatedAt } = useRiskRuns();
  const stream = useLiveState();
  const runs = data?.runs ?? [];
  return (
    <Card
      title="Live runs under risk rules"
      actions={
        data ? (
          <span className="text-xs text-slate-400" data-testid="risk-runs-updated">
            {runs.length} run{runs.length === 1 ? "" : "s"} · updated {formatTimeIst(dataUpdatedAt)}
            {stream === "live" ? "" : " · events reconnecting"}
          </span>
        ) : null
      }
    >
      {error ? (
        <div className="mb-3">
          <Alert>{error.message}</Alert>
        </div>
      ) : null}
      {!data ? (
        error ? null : (
          <p className="text-sm text-slate-500">Loading runs…</p>
        )
      ) : runs.length === 0 ? (
        <EmptyState title="No live runs under risk rules">
          Set max loss, target, a trailing stop or leg stops on a strategy: each new run is armed with them and shown
          here with its live P&L.
        </EmptyState>
      ) : (
        <div className="space-y-3">
          {runs.map((r) => (
            <RiskRunCard key={r.runId} run={r} canWrite={canWrite} eventsOpen={runs.length <= EVENTS_OPEN_UP_TO} />
          ))}
        </div>
      )}
    </Card>
  );
}
