"use client";

import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import { formatMs } from "@/components/runs/run-format";
import type { RunLatencyJson } from "@/lib/services/pnl-history";

/**
 * Fan-out latency of a run (docs/market-data.md "P&L history"): how long after the trigger each account's broker
 * acknowledged its first order, as a histogram, with p50/p99 of that and of the last acknowledgement. Re-read while
 * the run is still working.
 */
export function LatencyHistogram({ runId, live }: { runId: string; live: boolean }) {
  const q = useQuery({
    queryKey: ["run-latency", runId],
    queryFn: async () => (await api<{ latency: RunLatencyJson }>(`/api/runs/${runId}/latency`)).latency,
    refetchInterval: live ? 2_000 : false,
  });
  if (q.isError) return <p className="text-sm text-rose-600">Cannot load latencies: {q.error.message}</p>;
  if (!q.data) return <p className="text-sm text-slate-500">Loading…</p>;
  const l = q.data;
  const buckets = l.firstAck.histogram;
  const most = Math.max(1, ...buckets.map((b) => b.count));
  return (
    <div data-testid="latency-histogram" data-accounts={l.accounts.length}>
      <div className="mb-3 flex flex-wrap gap-x-6 gap-y-1 text-sm">
        <Figure label="First ack p50" value={formatMs(l.firstAck.p50)} testId="latency-p50" />
        <Figure label="p99" value={formatMs(l.firstAck.p99)} testId="latency-p99" />
        <Figure label="Last ack p50" value={formatMs(l.lastAck.p50)} />
        <Figure label="p99" value={formatMs(l.lastAck.p99)} />
        {l.unacknowledged ? (
          <span className="text-xs text-amber-600">
            {l.unacknowledged} account{l.unacknowledged === 1 ? "" : "s"} without an acknowledged order
          </span>
        ) : null}
      </div>
      {buckets.length === 0 ? (
        <p className="text-sm text-slate-500">No order of this run has been acknowledged by a broker yet.</p>
      ) : (
        <>
          <div
            className="flex h-32 items-end gap-px border-b border-slate-300 dark:border-slate-700"
            role="img"
            aria-label={`Accounts by time from trigger to first acknowledgement: p50 ${formatMs(l.firstAck.p50)}, p99 ${formatMs(l.firstAck.p99)}`}
          >
            {buckets.map((b) => (
              <div key={b.fromMs} className="flex h-full min-w-0 flex-1 flex-col justify-end">
                <div
                  className="w-full rounded-t-sm bg-indigo-500 dark:bg-indigo-400"
                  style={{ height: `${(b.count / most) * 100}%` }}
                  title={`${formatMs(b.fromMs)}–${formatMs(b.toMs)}: ${b.count} account${b.count === 1 ? "" : "s"}`}
                  data-testid="latency-bar"
                  data-count={b.count}
                />
              </div>
            ))}
          </div>
          <div className="mt-1 flex justify-between text-xs text-slate-500">
            <span className="num">{formatMs(buckets[0].fromMs)}</span>
            <span>trigger → first order acknowledged, per account</span>
            <span className="num">{formatMs(buckets.at(-1)!.toMs)}</span>
          </div>
        </>
      )}
    </div>
  );
}

function Figure({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <span className="flex items-baseline gap-1.5">
      <span className="text-xs text-slate-500">{label}</span>
      <span className="num font-medium" data-testid={testId}>
        {value}
      </span>
    </span>
  );
}
