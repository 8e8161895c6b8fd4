"use client";

import Link from "next/link";
import { useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Badge, Button, Card, PageHeader } from "@/components/ui/primitives";
import { formatDateTime, formatQty } from "@/lib/format";
import { ChipLegend, STATE_LABEL } from "@/components/runs/intent-chip";
import { ResolvedLegsTable } from "@/components/runs/plan-preview";
import { RunGrid } from "@/components/runs/run-grid";
import { ParityTable, runParity } from "@/components/runs/parity-board";
import {
  FAILED_STATES,
  RUN_KIND_LABEL,
  formatMs,
  IN_FLIGHT,
  OPEN_STATES,
  RETRYABLE_STATES,
  RUN_STATUS_TONE,
} from "@/components/runs/run-format";
import { useRunStream, type StreamState } from "@/components/runs/use-run-stream";
import type { IntentStateName, RunJson } from "@/lib/services/runs";
import { shownStatus } from "@/components/runs/run-events";
import { LatencyHistogram } from "@/components/runs/latency-histogram";
import { PnlCard } from "@/components/pnl/pnl-card";

const STREAM: Record<StreamState, [string, "green" | "amber" | "slate" | "blue"]> = {
  connecting: ["connecting…", "slate"],
  live: ["live", "green"],
  reconnecting: ["reconnecting…", "amber"],
  closed: ["final", "slate"],
};

/** The live run: progress, totals, accounts × legs grid of slice chips, latencies, retry and cancel. */
export function RunView({ runId, canWrite }: { runId: string; canWrite: boolean }) {
  const { query, stream } = useRunStream(runId);
  if (query.isError) {
    return (
      <>
        <PageHeader title="Run" />
        <Alert>
          {query.error instanceof ApiError && query.error.status === 404
            ? "This run does not exist or is not yours."
            : query.error.message}
        </Alert>
      </>
    );
  }
  if (!query.data) return <PageHeader title="Run" description="Loading…" />;
  return <RunBody run={query.data} stream={stream} canWrite={canWrite} />;
}

function RunBody({ run, stream, canWrite }: { run: RunJson; stream: StreamState; canWrite: boolean }) {
  const qc = useQueryClient();
  const [busy, setBusy] = useState<"retry" | "cancel" | null>(null);
  const [notice, setNotice] = useState<{ tone: "red" | "green"; text: string } | null>(null);

  const total = run.intents.length;
  const counts = new Map<IntentStateName, number>();
  for (const i of run.intents) counts.set(i.state, (counts.get(i.state) ?? 0) + 1);
  const done = run.intents.filter((i) => !IN_FLIGHT.has(i.state)).length;
  const failed = run.intents.filter((i) => FAILED_STATES.has(i.state)).length;
  const retryable = run.intents.filter((i) => RETRYABLE_STATES.has(i.state)).length;
  const open = run.intents.filter((i) => OPEN_STATES.has(i.state)).length;
  const filledQty = run.intents.reduce((t, i) => t + i.filledQuantity, 0);
  const filledOrders = run.intents.filter((i) => i.state === "filled").length;
  const shown = shownStatus(run);
  const qty = run.intents.reduce((t, i) => t + i.quantity, 0);
  const sent = run.intents
    .map((i) => i.sentAt)
    .filter((x): x is string => !!x)
    .map(Date.parse);
  const acks = run.intents
    .map((i) => i.acknowledgedAt)
    .filter((x): x is string => !!x)
    .map(Date.parse);
  const trig = Date.parse(run.triggeredAt);
  const qtyTotal = run.intents.reduce((t, i) => t + i.quantity, 0);
  // The bar is the quantity FILLED at the brokers, not the orders acknowledged: an accepted order may never fill.
  const pct = qtyTotal ? Math.round((filledQty / qtyTotal) * 100) : 100;
  const [label, tone] = STREAM[stream];
  const names = new Map(run.accounts.map((a) => [a.accountId, a.accountName]));
  const parity = useMemo(() => runParity(run), [run]);

  async function act(kind: "retry" | "cancel") {
    if (kind === "cancel" && !confirm(`Cancel ${open} open order${open === 1 ? "" : "s"} of this run at the brokers?`))
      return;
    setBusy(kind);
    setNotice(null);
    try {
      if (kind === "retry") {
        const r = await api<{ intents: number; accounts: number; notRetryable?: unknown[] }>(
          `/api/runs/${run.id}/retry`,
          { body: {} },
        );
        const final = r.notRetryable?.length ?? 0;
        setNotice({
          tone: "green",
          text: `Retrying ${r.intents} order${r.intents === 1 ? "" : "s"} in ${r.accounts} account${r.accounts === 1 ? "" : "s"}: each is reconciled with the broker's order book before any resend.${final ? ` ${final} rejected order${final === 1 ? " is" : "s are"} final and not retried.` : ""}`,
        });
      } else {
        const r = await api<{ cancelled: number; failed?: { accountId: string; reason: string }[] }>(
          `/api/runs/${run.id}/cancel`,
          { body: {} },
        );
        const failedCancels = r.failed ?? [];
        setNotice({
          tone: failedCancels.length ? "red" : "green",
          text: `Cancelled ${r.cancelled} order${r.cancelled === 1 ? "" : "s"}.${failedCancels.length ? ` ${failedCancels.length} could not be cancelled: ${failedCancels.map((f) => `${names.get(f.accountId) ?? f.accountId}: ${f.reason}`).join("; ")}` : ""}`,
        });
      }
      void qc.invalidateQueries({ queryKey: ["run", run.id] });
    } catch (e) {
      setNotice({ tone: "red", text: e instanceof ApiError ? e.message : "Cannot reach the server." });
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <PageHeader
        title={`${RUN_KIND_LABEL[run.kind]} · ${run.strategy?.name ?? (run.kind === "TICKET" || run.kind === "EXIT" ? run.plan.legs.map((l) => `${l.action} ${l.symbol}`).join(", ") : "deleted strategy")}`}
        description={`Triggered ${formatDateTime(run.triggeredAt)}${run.finishedAt ? ` · finished in ${formatMs(Date.parse(run.finishedAt) - trig)}` : ""}`}
        actions={
          <>
            <span
              className="flex items-center gap-1.5 text-xs text-slate-500"
              data-testid="stream-state"
              data-state={stream}
            >
              <span
                className={`inline-block h-2 w-2 rounded-full ${stream === "live" ? "animate-pulse bg-emerald-500" : stream === "reconnecting" ? "bg-amber-500" : "bg-slate-400"}`}
              />
              <Badge tone={tone}>{label}</Badge>
            </span>
            {run.strategy ? (
              <Link href={`/strategies/${run.strategy.id}`} className="text-sm text-slate-500 hover:underline">
                Strategy
              </Link>
            ) : null}
            {canWrite ? (
              <>
                <Button
                  variant="secondary"
                  onClick={() => act("retry")}
                  disabled={busy !== null || retryable === 0}
                  title={
                    retryable
                      ? "Reconcile unconfirmed orders with the broker, then resend only those proven missing"
                      : "No unconfirmed orders (rejections are final)"
                  }
                >
                  {busy === "retry" ? "Retrying…" : `Retry failed${retryable ? ` (${retryable})` : ""}`}
                </Button>
                <Button
                  variant="danger"
                  onClick={() => act("cancel")}
                  disabled={busy !== null || open === 0}
                  title={open ? undefined : "No open orders"}
                >
                  {busy === "cancel" ? "Cancelling…" : `Cancel open orders${open ? ` (${open})` : ""}`}
                </Button>
              </>
            ) : null}
          </>
        }
      />
      <div className="space-y-4">
        {notice ? (
          <Alert tone={notice.tone} role={notice.tone === "green" ? "status" : "alert"}>
            {notice.text}
          </Alert>
        ) : null}
        <Card>
          <div className="space-y-3">
            <div className="flex flex-wrap items-center gap-x-6 gap-y-2 text-sm">
              <span data-testid="run-status" data-status={shown}>
                <Badge tone={RUN_STATUS_TONE[shown]}>{shown.toLowerCase()}</Badge>
              </span>
              <Stat
                label="Accounts"
                value={`${run.plan.totals.accountsPlanned}${run.plan.totals.accountsSkipped ? ` + ${run.plan.totals.accountsSkipped} skipped` : ""}`}
              />
              <Stat
                label="Orders"
                value={`${formatQty(filledOrders)} / ${formatQty(total)} filled`}
                testId="run-progress-text"
              />
              <Stat label="Placed" value={`${formatQty(done)} / ${formatQty(total)}`} testId="run-placed-text" />
              <Stat label="Quantity" value={`${formatQty(filledQty)} filled of ${formatQty(qty)}`} />
              <Stat label="First send" value={sent.length ? `+${formatMs(Math.min(...sent) - trig)}` : "—"} />
              <Stat label="Last ack" value={acks.length ? `+${formatMs(Math.max(...acks) - trig)}` : "—"} />
            </div>
            <div
              className="h-2.5 w-full overflow-hidden rounded-full bg-slate-200 dark:bg-slate-800"
              role="progressbar"
              aria-label="Quantity filled"
              aria-valuemin={0}
              aria-valuemax={qtyTotal}
              aria-valuenow={filledQty}
              data-testid="run-progress"
            >
              <div
                className={`h-full transition-all duration-300 ${failed ? "bg-amber-500" : "bg-emerald-500"} ${shown === "WORKING" ? "animate-pulse" : ""}`}
                style={{ width: `${pct}%` }}
              />
            </div>
            <div className="flex flex-wrap gap-1.5 text-xs" data-testid="state-counts">
              {[...counts.entries()].map(([s, n]) => (
                <Badge
                  key={s}
                  tone={
                    s === "filled" || s === "accepted" || s === "reconciled_accepted" || s === "partially_filled"
                      ? "green"
                      : FAILED_STATES.has(s)
                        ? s === "unknown" || s === "safe_to_resend"
                          ? "amber"
                          : "red"
                        : IN_FLIGHT.has(s)
                          ? "blue"
                          : "slate"
                  }
                >
                  {STATE_LABEL[s]} {n}
                </Badge>
              ))}
            </div>
          </div>
        </Card>
        <Card title="Accounts × legs" actions={<ChipLegend />}>
          <RunGrid run={run} />
        </Card>
        <div className="grid gap-4 lg:grid-cols-2">
          <PnlCard
            url={`/api/runs/${run.id}/mtm`}
            title="P&L"
            testId="run-pnl"
            emptyText={
              run.kind === "EXIT"
                ? "An exit's fills are booked to the runs it closes: their pages show the P&L."
                : undefined
            }
          />
          <Card title="Fan-out latency" className="min-w-0">
            <LatencyHistogram runId={run.id} live={shown === "WORKING"} />
          </Card>
        </div>
        <Card title="Parity · target vs filled per account and leg">
          <ParityTable parity={parity} runId={run.id} canWrite={canWrite} />
        </Card>
        <Card title="Contracts">
          <ResolvedLegsTable legs={run.plan.legs} conditions={run.plan.conditions} />
        </Card>
      </div>
    </>
  );
}

function Stat({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <span className="flex items-baseline gap-1.5">
      <span className="text-xs text-slate-500">{label}</span>
      <span className="num font-medium" data-testid={testId}>
        {value}
      </span>
    </span>
  );
}
