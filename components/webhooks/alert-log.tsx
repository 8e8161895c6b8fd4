"use client";

import Link from "next/link";
import { Fragment, useEffect, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import { Badge, Card, Input, Select } from "@/components/ui/primitives";
import { RUN_STATUS_TONE } from "@/components/runs/run-format";
import { VerdictBadge } from "@/components/webhooks/verdict-badge";
import type { SignalLogItemJson, SignalLogPage } from "@/lib/services/webhooks";
import { formatDateTime } from "@/lib/format";

const VERDICTS = ["ACCEPTED", "DUPLICATE", "IGNORED", "REJECTED", "DRY_RUN"] as const;
const th = "py-1.5 pr-3";

/**
 * The strategy's alert log: newest first, live (polled every 2 s), searchable and filterable, with each alert's run
 * and its fills. Rows expand to the body as stored (secrets redacted). On a phone each row stacks its columns.
 */
export function AlertLog({
  strategyId,
  pageSize = 25,
  onNewAlert,
}: {
  strategyId: string;
  pageSize?: number;
  /** Called when a newer alert than any seen arrives (its id), so the panel can re-read the signal state. */
  onNewAlert?: (signalId: string) => void;
}) {
  const [q, setQ] = useState("");
  const [verdict, setVerdict] = useState("");
  const [pages, setPages] = useState<string[]>([]);
  const before = pages.at(-1);
  const qs = new URLSearchParams({ limit: String(pageSize), ...(q ? { q } : {}), ...(verdict ? { verdict } : {}) });
  if (before) qs.set("before", before);
  const log = useQuery({
    queryKey: ["signals", strategyId, qs.toString()],
    queryFn: () => api<SignalLogPage>(`/api/strategies/${strategyId}/signals?${qs}`),
    refetchInterval: 2_000,
  });
  const rows = log.data?.signals ?? [];
  // Only the unfiltered first page knows the newest alert.
  const newest = !before && !q && !verdict ? rows[0]?.id : undefined;
  useEffect(() => {
    if (newest) onNewAlert?.(newest);
  }, [newest, onNewAlert]);

  return (
    <Card
      title="Alert log"
      actions={<span className="text-xs text-slate-500">{before ? "older alerts" : "live · refreshes every 2 s"}</span>}
    >
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <Input
          type="search"
          aria-label="Search alerts"
          placeholder="Search reason, body, id, action"
          className="max-w-64"
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            setPages([]);
          }}
        />
        <Select
          aria-label="Filter by verdict"
          value={verdict}
          onChange={(e) => {
            setVerdict(e.target.value);
            setPages([]);
          }}
        >
          <option value="">All verdicts</option>
          {VERDICTS.map((v) => (
            <option key={v} value={v}>
              {v.toLowerCase().replace("_", " ")}
            </option>
          ))}
        </Select>
      </div>
      {log.isError ? <p className="text-sm text-rose-600">Alert log could not be loaded: {log.error.message}</p> : null}
      {log.isSuccess && rows.length === 0 ? (
        <p className="text-sm text-slate-500">No alerts{q || verdict ? " match" : " received yet"}.</p>
      ) : null}
      {rows.length ? (
        <table className="w-full text-left text-sm" data-testid="alert-log">
          <thead className="hidden border-b border-slate-200 text-xs text-slate-500 uppercase md:table-header-group dark:border-slate-800">
            <tr>
              <th className={th}>Time (IST)</th>
              <th className={th}>Verdict</th>
              <th className={th}>Status</th>
              <th className={th}>Action</th>
              <th className={th}>From → to</th>
              <th className={th}>Reason</th>
              <th className={th}>Run</th>
              <th className={`${th} text-right`}>Ack</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {rows.map((s) => (
              <AlertRow key={s.id} s={s} />
            ))}
          </tbody>
        </table>
      ) : null}
      <div className="mt-2 flex gap-2 text-xs">
        {pages.length ? (
          <button
            type="button"
            className="text-indigo-700 hover:underline"
            onClick={() => setPages(pages.slice(0, -1))}
          >
            ← Newer
          </button>
        ) : null}
        {log.data?.nextBefore ? (
          <button
            type="button"
            className="text-indigo-700 hover:underline"
            onClick={() => setPages([...pages, log.data!.nextBefore!])}
          >
            Older →
          </button>
        ) : null}
      </div>
    </Card>
  );
}

const cell = "block py-0.5 pr-3 md:table-cell md:py-1.5";
const cellNoRunOnPhone = "hidden py-0.5 pr-3 md:table-cell md:py-1.5";
const lbl = "mr-1 text-xs text-slate-500 md:hidden";

function AlertRow({ s }: { s: SignalLogItemJson }) {
  const [open, setOpen] = useState(false);
  return (
    <Fragment>
      <tr
        data-testid={`alert-${s.id}`}
        className="block cursor-pointer py-1.5 align-top hover:bg-slate-50 md:table-row md:py-0 dark:hover:bg-slate-800/50"
        onClick={() => setOpen(!open)}
        aria-expanded={open}
      >
        <td className={`${cell} text-xs whitespace-nowrap tabular-nums`}>{formatDateTime(s.receivedAt)}</td>
        <td className={`${cell} inline-block md:table-cell`}>
          <VerdictBadge verdict={s.verdict} />
        </td>
        <td className={`${cell} inline-block text-xs tabular-nums md:table-cell`}>{s.status}</td>
        <td className={`${cell} inline-block text-xs font-medium md:table-cell`}>{s.action ?? "—"}</td>
        <td className={`${cell} inline-block text-xs md:table-cell`}>
          {s.fromPosition ? `${s.fromPosition} → ${s.toPosition ?? s.fromPosition}` : "—"}
        </td>
        <td className={`${cell} text-xs`}>
          <span className={lbl}>Reason</span>
          {s.reason}
          {s.error ? <span className="block text-rose-600">{s.error}</span> : null}
        </td>
        {/* On a phone an alert without a run or exit shows no empty run line. */}
        <td className={`${s.runId || s.exitId ? cell : cellNoRunOnPhone} text-xs`}>
          <RunCell s={s} />
        </td>
        <td className={`${cell} text-xs tabular-nums md:text-right`}>
          <span className={lbl}>Ack</span>
          {s.ackMs ? `${Number(s.ackMs).toFixed(0)} ms` : "—"}
        </td>
      </tr>
      {open ? (
        <tr className="block md:table-row">
          <td colSpan={8} className="block pb-2 md:table-cell">
            <div className="mb-1 text-xs text-slate-500">
              {s.contentType} from {s.ip}
              {s.clientId ? ` · id ${s.clientId}` : ""}
              {s.format ? ` · ${s.format} format` : ""}
            </div>
            <pre className="max-h-48 overflow-auto rounded bg-slate-100 p-2 text-xs whitespace-pre-wrap dark:bg-slate-800">
              {s.body}
            </pre>
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}

function RunCell({ s }: { s: SignalLogItemJson }) {
  if (!s.runId && !s.exitId) return <>—</>;
  return (
    <span className="flex flex-wrap items-center gap-1" onClick={(e) => e.stopPropagation()}>
      {s.runId ? (
        <Link href={`/executions/${s.runId}`} className="text-indigo-700 hover:underline dark:text-indigo-300">
          run
        </Link>
      ) : null}
      {s.runStatus ? (
        <Badge tone={RUN_STATUS_TONE[s.runStatus as keyof typeof RUN_STATUS_TONE] ?? "slate"}>
          {s.runStatus.toLowerCase()}
        </Badge>
      ) : s.runId ? (
        <span className="text-slate-500">planning…</span>
      ) : null}
      {s.fills ? (
        <span className="tabular-nums" title={`${s.fills.slicesFilled}/${s.fills.slices} slices filled`}>
          {s.fills.filled}/{s.fills.quantity} filled
        </span>
      ) : null}
      {s.exitId ? (
        <Badge tone={s.exitStatus === "DONE" ? "green" : s.exitStatus === "FAILED" ? "red" : "amber"}>
          exit {(s.exitStatus ?? "pending").toLowerCase()}
        </Badge>
      ) : null}
    </span>
  );
}
