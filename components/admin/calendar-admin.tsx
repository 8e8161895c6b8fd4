"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Badge, Button, Card, PageHeader, Table, cx } from "@/components/ui/primitives";
import { CalendarOverrideForm, type OverrideDraft } from "@/components/admin/calendar-override-form";
import { formatDateTime } from "@/lib/format";
import type { CalendarView, RefreshOutcome } from "@/lib/services/calendar";
import type { Jsonified } from "@/lib/util/jsonify";

type View = Jsonified<CalendarView>;
type Day = View["days"][number];
type Cell = Day["sessions"][string];

const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const SOURCE: Record<Cell["source"], { label: string; tone: "blue" | "amber" | "slate" }> = {
  OPENALGO: { label: "OpenAlgo", tone: "blue" },
  ADMIN: { label: "Admin", tone: "amber" },
  DEFAULT: { label: "Default", tone: "slate" },
};

/** `YYYY-MM` plus `delta` months. */
function shiftMonth(month: string, delta: number): string {
  const d = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)) - 1 + delta, 1));
  return d.toISOString().slice(0, 7);
}
function monthRange(month: string): { from: string; to: string } {
  const last = new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0));
  return { from: `${month}-01`, to: last.toISOString().slice(0, 10) };
}
/** Row actions stay small: the table is for reading, the form beside it for changing. */
const ROW_BUTTON = "px-2 py-0.5 text-xs";
const monthLabel = (month: string) => `${MONTHS[Number(month.slice(5, 7)) - 1]} ${month.slice(0, 4)}`;
const dayLabel = (d: Day) => `${WEEKDAYS[d.weekday]} ${d.date.slice(8, 10)} ${MONTHS[Number(d.date.slice(5, 7)) - 1]}`;

/** What kind of day a session is, in a word, with its colour. */
function kindOf(day: Day, cell: Cell): { label: string; tone: "green" | "red" | "amber" | "slate" } {
  if (cell.special) return { label: "Special session", tone: "amber" };
  if (!cell.closed) return { label: "Trading", tone: "green" };
  if (day.weekday === 0 || day.weekday === 6) return { label: "Weekend", tone: "slate" };
  return { label: "Holiday", tone: "red" };
}

/** Admin: the trading calendar per exchange (sessions, holidays, special sessions, expiries) and its overrides. */
export function CalendarAdmin() {
  const qc = useQueryClient();
  const [month, setMonth] = useState<string | null>(null);
  const [exchange, setExchange] = useState("NFO");
  const [draft, setDraft] = useState<OverrideDraft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const range = month ? monthRange(month) : null;
  const q = useQuery({
    queryKey: ["calendar", range?.from ?? "current"],
    queryFn: () => api<View>(range ? `/api/calendar?from=${range.from}&to=${range.to}` : "/api/calendar"),
    refetchInterval: 30_000,
  });
  const shown = month ?? q.data?.from.slice(0, 7) ?? null;
  const changed = () => qc.invalidateQueries({ queryKey: ["calendar"] });
  const onError = (e: unknown) => setError(e instanceof ApiError ? e.message : "Cannot reach the server.");
  const refresh = useMutation({
    mutationFn: () => api<Jsonified<RefreshOutcome>>("/api/calendar/refresh", { method: "POST" }),
    onSuccess: (r) => {
      setError(r.ok ? null : `Refresh failed: ${r.error}`);
      return changed();
    },
    onError,
  });
  const remove = useMutation({
    mutationFn: (o: { date: string; exchange: string }) =>
      api(`/api/calendar/overrides?date=${o.date}&exchange=${o.exchange}`, { method: "DELETE" }),
    onSuccess: () => {
      setError(null);
      return changed();
    },
    onError,
  });
  const data = q.data;
  const overridden = new Set(data?.overrides.map((o) => `${o.date}|${o.exchange}`));

  return (
    <>
      <PageHeader
        title="Trading calendar"
        description="Sessions per exchange (IST): OpenAlgo's market calendar, your overrides on top, the built-in defaults where neither says anything. Square-off, the MIS cut-off, stale-price checks and expiries all read it."
        actions={
          <Button variant="secondary" disabled={refresh.isPending} onClick={() => refresh.mutate()}>
            {refresh.isPending ? "Refreshing…" : "Refresh from OpenAlgo"}
          </Button>
        }
      />
      {error ? (
        <div className="mb-3">
          <Alert>{error}</Alert>
        </div>
      ) : null}
      {q.isError ? <Alert>The calendar could not be loaded: {q.error.message}</Alert> : null}
      <div className="grid gap-4 xl:grid-cols-[1fr_340px]">
        <Card
          title={
            <span className="flex items-center gap-2">
              <Button
                variant="ghost"
                aria-label="Previous month"
                onClick={() => shown && setMonth(shiftMonth(shown, -1))}
              >
                ‹
              </Button>
              <span data-testid="calendar-month">{shown ? monthLabel(shown) : "…"}</span>
              <Button variant="ghost" aria-label="Next month" onClick={() => shown && setMonth(shiftMonth(shown, 1))}>
                ›
              </Button>
            </span>
          }
          className="min-w-0"
        >
          <RefreshStatus outcome={data?.lastRefresh ?? null} />
          <div role="tablist" aria-label="Exchange" className="mb-3 flex flex-wrap gap-1">
            {(data?.exchanges ?? []).map((e) => (
              <button
                key={e}
                role="tab"
                aria-selected={e === exchange}
                onClick={() => setExchange(e)}
                className={cx(
                  "rounded px-2.5 py-1 text-xs font-medium ring-1 ring-inset",
                  e === exchange
                    ? "bg-indigo-600 text-white ring-indigo-600"
                    : "text-slate-600 ring-slate-300 hover:bg-slate-50 dark:text-slate-300 dark:ring-slate-700 dark:hover:bg-slate-800",
                )}
              >
                {e}
              </button>
            ))}
          </div>
          {data?.expiries.error ? (
            <p className="mb-2 text-xs text-amber-700 dark:text-amber-300">
              Expiry days unavailable: {data.expiries.error}
            </p>
          ) : null}
          {data ? (
            <Table
              head={
                <tr>
                  <th className="py-1.5 pr-3">Date</th>
                  <th className="pr-3">Session (IST)</th>
                  <th className="pr-3">Day</th>
                  <th className="hidden pr-3 sm:table-cell">Source</th>
                  <th className="hidden pr-3 sm:table-cell">Expiries</th>
                  <th className="hidden sm:table-cell" />
                </tr>
              }
            >
              {data.days.map((day) => {
                const cell = day.sessions[exchange];
                const kind = kindOf(day, cell);
                const isOverride = overridden.has(`${day.date}|${exchange}`);
                return (
                  <tr
                    key={day.date}
                    data-testid={`day-${day.date}`}
                    className={cx(day.date === data.today && "bg-indigo-50/60 dark:bg-indigo-500/10")}
                  >
                    <td className="py-1.5 pr-3 whitespace-nowrap">
                      <span className={cx(day.date === data.today && "font-semibold")}>{dayLabel(day)}</span>
                    </td>
                    <td className="num pr-3 whitespace-nowrap">
                      {cell.window ?? <span className="text-slate-400">closed</span>}
                    </td>
                    <td className="pr-3">
                      <Badge tone={kind.tone}>{kind.label}</Badge>
                      {cell.description ? (
                        <span className="ml-1.5 text-xs text-slate-600 dark:text-slate-400">{cell.description}</span>
                      ) : null}
                      {/* Phones: source and expiries under the day instead of columns of their own. */}
                      <span className="ml-1.5 text-xs text-slate-500 sm:hidden">
                        · {SOURCE[cell.source].label}
                        {day.expiries.length ? ` · expiry: ${day.expiries.join(", ")}` : ""}
                      </span>
                    </td>
                    <td className="hidden pr-3 sm:table-cell">
                      <Badge tone={SOURCE[cell.source].tone}>{SOURCE[cell.source].label}</Badge>
                    </td>
                    <td className="hidden pr-3 text-xs sm:table-cell">{day.expiries.join(", ")}</td>
                    <td className="hidden text-right whitespace-nowrap sm:table-cell">
                      {isOverride ? (
                        <Button
                          variant="ghost"
                          className={ROW_BUTTON}
                          onClick={() => remove.mutate({ date: day.date, exchange })}
                        >
                          Remove override
                        </Button>
                      ) : (
                        <Button
                          variant="ghost"
                          className={ROW_BUTTON}
                          onClick={() => setDraft({ date: day.date, exchanges: [exchange], cell })}
                        >
                          Override
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </Table>
          ) : q.isPending ? (
            <p className="text-sm text-slate-500">Loading…</p>
          ) : null}
        </Card>
        <CalendarOverrideForm
          exchanges={data?.exchanges ?? []}
          overrides={data?.overrides ?? []}
          draft={draft}
          onSaved={() => {
            setError(null);
            return changed();
          }}
          onRemove={(o) => remove.mutate(o)}
        />
      </div>
    </>
  );
}

function RefreshStatus({ outcome }: { outcome: Jsonified<RefreshOutcome> | null }) {
  return (
    <p className="mb-2 text-xs text-slate-500" data-testid="refresh-status">
      {!outcome ? (
        "Not refreshed from OpenAlgo yet: the defaults and overrides apply."
      ) : (
        <>
          {outcome.ok ? <Badge tone="green">refreshed</Badge> : <Badge tone="red">refresh failed</Badge>}{" "}
          {formatDateTime(outcome.at)}
          {outcome.accountName ? ` from ${outcome.accountName}` : ""}
          {outcome.error ? ` — ${outcome.error}` : ""}
        </>
      )}
    </p>
  );
}
