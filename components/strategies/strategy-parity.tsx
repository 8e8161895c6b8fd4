"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import { Badge, Button, EmptyState } from "@/components/ui/primitives";
import { ParityTable } from "@/components/runs/parity-board";
import { RUN_STATUS_TONE } from "@/components/runs/run-format";
import type { RunStatus } from "@/lib/services/runs";
import { formatDateTime, formatQty } from "@/lib/format";
import type { Parity } from "@/lib/trading/parity";

interface StrategyParityJson extends Parity {
  runs: {
    runId: string;
    kind: string;
    status: RunStatus;
    triggeredAt: string;
    target: number;
    filled: number;
    drifted: number;
  }[];
}

/**
 * The strategy's parity over its latest runs: per account and leg (runs of the same contract add up), and the runs
 * that drifted, each a link to its own board where the missing slices can be sent or the excess flattened.
 */
export function StrategyParity({ strategyId }: { strategyId: string }) {
  const q = useQuery({
    queryKey: ["strategy-parity", strategyId],
    queryFn: () =>
      api<{ parity: StrategyParityJson }>(`/api/strategies/${strategyId}/parity?limit=20`).then((r) => r.parity),
  });
  if (q.isError) return <p className="text-sm text-rose-600">Parity could not be loaded: {q.error.message}</p>;
  if (!q.data) return <p className="text-sm text-slate-500">Loading…</p>;
  const p = q.data;
  if (p.runs.length === 0)
    return <EmptyState title="Nothing traded yet">Parity appears once the strategy has run.</EmptyState>;
  const drifted = p.runs.filter((r) => r.drifted > 0);
  return (
    <div className="space-y-3" data-testid="strategy-parity">
      <div className="flex items-center justify-between gap-3 text-xs text-slate-500">
        <span>
          Latest {p.runs.length} run{p.runs.length === 1 ? "" : "s"}; the same contract on the same leg adds up across
          runs.
        </span>
        <Button
          variant="ghost"
          className="px-2 py-0.5 text-xs"
          onClick={() => void q.refetch()}
          disabled={q.isFetching}
        >
          {q.isFetching ? "Refreshing…" : "Refresh"}
        </Button>
      </div>
      <ParityTable parity={p} />
      {drifted.length ? (
        <div className="text-sm">
          <div className="mb-1 text-xs font-medium text-slate-500">RUNS WITH DRIFT</div>
          <ul className="space-y-1">
            {drifted.map((r) => (
              <li key={r.runId} className="flex flex-wrap items-center gap-2">
                <span className="num text-xs">{formatDateTime(r.triggeredAt)}</span>
                <Badge tone={RUN_STATUS_TONE[r.status]}>{r.status.toLowerCase()}</Badge>
                <span className="num text-xs">
                  filled {formatQty(r.filled)} / {formatQty(r.target)} · {r.drifted} account{r.drifted === 1 ? "" : "s"}{" "}
                  drifted
                </span>
                <Link href={`/executions/${r.runId}`} className="text-indigo-700 hover:underline dark:text-indigo-300">
                  Open board
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </div>
  );
}
