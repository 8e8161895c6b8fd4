"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import { Alert, Badge, EmptyState, Table } from "@/components/ui/primitives";
import type { ExitJson } from "@/lib/services/exits";
import { formatDateTime } from "@/lib/format";

const TONE: Record<ExitJson["status"], "amber" | "green" | "red"> = { PENDING: "amber", DONE: "green", FAILED: "red" };
const REASON: Record<string, string> = {
  manual: "Manual",
  kill_switch: "Kill switch",
  square_off: "Square-off time",
  risk: "Risk rule",
};

/** Exits, newest first, refreshed every 2 s: a pending or failed exit stays on screen with each account's state. */
export function ExitsTable() {
  const { data, error } = useQuery({
    queryKey: ["exits"],
    queryFn: () => api<{ exits: ExitJson[] }>("/api/exits"),
    refetchInterval: 2_000,
  });
  if (error) return <Alert>{error.message}</Alert>;
  if (!data) return <p className="text-sm text-slate-500">Loading exits…</p>;
  if (data.exits.length === 0)
    return (
      <EmptyState title="No exits yet">
        Exits of runs, strategies, accounts and the kill switch are listed here.
      </EmptyState>
    );
  return (
    <Table
      head={
        <tr>
          <th className="px-2 py-1.5">Started</th>
          <th className="px-2 py-1.5">Scope</th>
          <th className="px-2 py-1.5">Reason</th>
          <th className="px-2 py-1.5">Status</th>
          <th className="px-2 py-1.5">Accounts</th>
          <th className="px-2 py-1.5">Runs</th>
        </tr>
      }
    >
      {data.exits.map((e) => {
        const done = e.accounts.filter((a) => a.status === "DONE").length;
        const problems = e.accounts.filter((a) => a.status !== "DONE" && a.message);
        return (
          // The anchor a fired risk rule links to; the row lights up when it is the link's target.
          <tr
            key={e.id}
            id={`exit-${e.id}`}
            data-testid="exit-row"
            data-status={e.status}
            className="scroll-mt-16 align-top target:bg-amber-50 dark:target:bg-amber-500/10"
          >
            <td className="px-2 py-1 whitespace-nowrap">{formatDateTime(e.createdAt)}</td>
            <td className="px-2 py-1">{e.scope}</td>
            <td className="px-2 py-1">{REASON[e.reason] ?? e.reason}</td>
            <td className="px-2 py-1">
              <Badge tone={TONE[e.status]}>{e.status}</Badge>
            </td>
            <td className="px-2 py-1">
              <span className="tabular-nums">
                {done}/{e.accounts.length} flat
              </span>
              {problems.map((a) => (
                <div key={a.accountId} className="text-xs text-rose-600 dark:text-rose-400">
                  {a.accountName}: {a.message}
                </div>
              ))}
            </td>
            <td className="px-2 py-1 space-x-2">
              {e.runIds.map((id) => (
                <Link
                  key={id}
                  href={`/executions/${id}`}
                  className="font-mono text-xs text-indigo-600 hover:underline dark:text-indigo-400"
                >
                  {id.slice(0, 8)}
                </Link>
              ))}
            </td>
          </tr>
        );
      })}
    </Table>
  );
}
