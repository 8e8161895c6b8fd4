"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import { Badge, EmptyState, Table } from "@/components/ui/primitives";
import { formatDateTime, formatQty } from "@/lib/format";
import { formatMs, RUN_KIND_LABEL, RUN_STATUS_TONE } from "@/components/runs/run-format";
import type { RunListItemJson } from "@/lib/services/runs";

const th = "py-1.5 pr-3";

/** Runs, newest first: time (IST), strategy or ticket, status, orders. The list refreshes every 5 s. */
export function RunsTable({
  strategyId,
  limit = 50,
  showStrategy = true,
}: {
  strategyId?: string;
  limit?: number;
  showStrategy?: boolean;
}) {
  const qs = new URLSearchParams({ limit: String(limit), ...(strategyId ? { strategyId } : {}) });
  const q = useQuery({
    queryKey: ["runs", strategyId ?? "all", limit],
    queryFn: () => api<{ runs: RunListItemJson[] }>(`/api/runs?${qs}`),
    refetchInterval: 5_000,
  });
  if (q.isError) return <p className="text-sm text-rose-600">Runs could not be loaded: {q.error.message}</p>;
  const runs = q.data?.runs ?? [];
  if (q.isSuccess && runs.length === 0)
    return (
      <EmptyState title="No runs yet">
        {strategyId
          ? "Preview and execute this strategy to create one."
          : "Execute a strategy or send a manual ticket."}
      </EmptyState>
    );
  return (
    <Table
      head={
        <tr>
          <th className={th}>Triggered</th>
          {showStrategy ? <th className={th}>Strategy / ticket</th> : null}
          <th className={th}>Kind</th>
          <th className={th}>Status</th>
          <th className={`${th} text-right`}>Orders</th>
          <th className={`${th} text-right`}>Duration</th>
          <th />
        </tr>
      }
    >
      {runs.map((r) => {
        return (
          <tr key={r.id} data-testid="run-row">
            <td className="num py-1.5 pr-3 text-xs whitespace-nowrap">{formatDateTime(r.triggeredAt)}</td>
            {showStrategy ? (
              <td className="pr-3">
                {r.strategy ? (
                  <Link
                    href={`/strategies/${r.strategy.id}`}
                    className="text-indigo-700 hover:underline dark:text-indigo-300"
                  >
                    {r.strategy.name}
                  </Link>
                ) : (
                  <span className="text-slate-500">
                    {r.kind === "EXIT" ? "Kill switch / account exit" : "Manual ticket"}
                  </span>
                )}
              </td>
            ) : null}
            <td className="pr-3 text-xs">{RUN_KIND_LABEL[r.kind].toLowerCase()}</td>
            <td className="pr-3">
              <Badge tone={RUN_STATUS_TONE[r.displayStatus]}>{r.displayStatus.toLowerCase()}</Badge>
            </td>
            <td className="num pr-3 text-right">{formatQty(r.orders)}</td>
            <td className="num pr-3 text-right text-xs">
              {r.finishedAt ? formatMs(Date.parse(r.finishedAt) - Date.parse(r.triggeredAt)) : "—"}
            </td>
            <td className="text-right">
              <Link
                href={`/executions/${r.id}`}
                className="text-sm text-indigo-700 hover:underline dark:text-indigo-300"
              >
                View
              </Link>
            </td>
          </tr>
        );
      })}
    </Table>
  );
}
