"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Badge, Button, Card, EmptyState, PageHeader, cx } from "@/components/ui/primitives";
import { formatDateTime, formatTimeIst } from "@/lib/format";
import type { ReadinessBoardJson, ReadinessRowJson } from "@/lib/services/readiness";

type Level = "GREEN" | "AMBER" | "RED";
type Item = NonNullable<ReadinessRowJson["check"]>["items"][number];

const TONE = { GREEN: "green", AMBER: "amber", RED: "red" } as const;
const WORD = { GREEN: "ready", AMBER: "warnings", RED: "not ready" } as const;
const DOT: Record<Level, string> = { GREEN: "bg-emerald-500", AMBER: "bg-amber-400", RED: "bg-rose-600" };
const MARK: Record<Level, string> = { GREEN: "✓", AMBER: "!", RED: "✕" };
const LABEL: Record<Item["check"], string> = {
  session: "Session",
  funds: "Funds",
  feed: "Feed",
  contracts: "Contracts",
  calendar: "Calendar",
  clock: "Clock",
};

const BOARD_KEY = ["readiness"] as const;

/**
 * The readiness board (docs/readiness.md "The board"): every active account's latest check, green/amber/red, each
 * check's finding and fix. Live: the user stream's `readiness` events refresh it, and while a check runs it is also
 * re-read every 2 s (a lost event delays nothing).
 */
export function ReadinessBoard({ canWrite }: { canWrite: boolean }) {
  const qc = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  const board = useQuery({
    queryKey: BOARD_KEY,
    queryFn: () => api<ReadinessBoardJson>("/api/readiness"),
    refetchInterval: (q) => (q.state.data?.accounts.some((a) => a.running) ? 2_000 : false),
  });
  const check = useMutation({
    mutationFn: (accountIds?: string[]) => api("/api/readiness/check", { body: accountIds ? { accountIds } : {} }),
    onMutate: () => setError(null),
    onSuccess: () => qc.invalidateQueries({ queryKey: BOARD_KEY }),
    onError: (e) => setError(e instanceof ApiError ? e.message : "Cannot reach the server."),
  });
  const rows = board.data?.accounts ?? [];
  const count = (s: Level) => rows.filter((r) => r.check?.isToday && r.check.status === s).length;
  const unchecked = rows.filter((r) => !r.check?.isToday).length;
  const anyRunnable = canWrite && rows.some((r) => r.canRun);

  return (
    <>
      <PageHeader
        title="Readiness"
        description="Each account's morning check: broker session, funds for its strategies, live feed, contract sizes, today's session, clock."
        actions={
          anyRunnable ? (
            <Button onClick={() => check.mutate(undefined)} disabled={check.isPending} data-testid="check-all">
              Check all
            </Button>
          ) : null
        }
      />
      <div className="space-y-3">
        {error ? <Alert>{error}</Alert> : null}
        {board.error ? <Alert>Could not load the board: {(board.error as Error).message}</Alert> : null}
        {board.data ? (
          <p className="flex flex-wrap items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
            <span>{board.data.schedule}.</span>
            <Badge tone="green">{count("GREEN")} ready</Badge>
            <Badge tone="amber">{count("AMBER")} with warnings</Badge>
            <Badge tone="red">{count("RED")} not ready</Badge>
            {unchecked ? <Badge>{unchecked} not checked today</Badge> : null}
          </p>
        ) : null}
        {board.isSuccess && rows.length === 0 ? (
          <EmptyState title="No active accounts">Link an account to check it before the market opens.</EmptyState>
        ) : (
          <Card title={`${rows.length} account${rows.length === 1 ? "" : "s"}`}>
            <ul className="-my-2 divide-y divide-slate-100 dark:divide-slate-800">
              {rows.map((r) => (
                <AccountRow
                  key={r.accountId}
                  row={r}
                  canRun={canWrite && r.canRun}
                  busy={check.isPending}
                  onCheck={() => check.mutate([r.accountId])}
                />
              ))}
            </ul>
          </Card>
        )}
      </div>
    </>
  );
}

function AccountRow({
  row,
  canRun,
  busy,
  onCheck,
}: {
  row: ReadinessRowJson;
  canRun: boolean;
  busy: boolean;
  onCheck: () => void;
}) {
  const [open, setOpen] = useState(false);
  const c = row.check;
  const shown = c ? (open ? c.items : c.items.filter((i) => i.status !== "GREEN")) : [];
  return (
    <li className="py-2" data-testid={`readiness-${row.name}`} data-status={c?.isToday ? c.status : "UNCHECKED"}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <span className="min-w-0 font-medium break-all">
          {row.name}
          {row.isPrimary ? <span className="ml-1 text-xs text-amber-600">★</span> : null}
        </span>
        {row.running ? (
          <Badge tone="blue">checking…</Badge>
        ) : c ? (
          <Badge tone={c.isToday ? TONE[c.status] : "slate"}>{c.isToday ? WORD[c.status] : "not checked today"}</Badge>
        ) : (
          <Badge>never checked</Badge>
        )}
        <span className="text-xs text-slate-500" title={c ? formatDateTime(c.checkedAt) : undefined}>
          {c
            ? `${c.isToday ? formatTimeIst(c.checkedAt) : formatDateTime(c.checkedAt)} · ${c.trigger === "schedule" ? "scheduled" : "on demand"}`
            : ""}
        </span>
        <span className="ml-auto flex items-center gap-2">
          {c ? (
            <button
              type="button"
              className="text-xs text-indigo-700 hover:underline dark:text-indigo-300"
              onClick={() => setOpen((o) => !o)}
              aria-expanded={open}
            >
              {open ? "Hide details" : "All checks"}
            </button>
          ) : null}
          {canRun ? (
            <Button variant="secondary" className="px-2 py-1 text-xs" onClick={onCheck} disabled={busy || row.running}>
              Check now
            </Button>
          ) : null}
        </span>
      </div>
      {c ? (
        <div className="mt-1 flex flex-wrap gap-x-3 gap-y-1 text-xs" aria-label="Checks">
          {c.items.map((i) => (
            <span key={i.check} className="inline-flex items-center gap-1" title={i.detail}>
              <span className={cx("inline-block h-2 w-2 rounded-full", DOT[i.status])} aria-hidden />
              <span>{LABEL[i.check]}</span>
              <span className="sr-only">{i.status}</span>
            </span>
          ))}
        </div>
      ) : null}
      {shown.length ? (
        <ul className="mt-1.5 space-y-1 text-xs">
          {shown.map((i) => (
            <li key={i.check} data-check={i.check} data-level={i.status} className="flex gap-1.5">
              <span
                className={cx(
                  "w-3 shrink-0 text-center font-bold",
                  i.status === "RED" ? "text-rose-600" : i.status === "AMBER" ? "text-amber-600" : "text-emerald-600",
                )}
                aria-label={i.status}
              >
                {MARK[i.status]}
              </span>
              <span className="min-w-0 break-words">
                <span className="font-medium">{LABEL[i.check]}:</span> {i.detail}
                {i.fix ? <span className="block text-slate-600 dark:text-slate-300">Fix: {i.fix}</span> : null}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}
