"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import { Badge, Card, EmptyState, PageHeader, Table } from "@/components/ui/primitives";
import { legSummary, type StrategyJson } from "@/components/strategies/drafts";
import { RUN_STATUS_TONE } from "@/components/runs/run-format";
import type { RunListItemJson } from "@/lib/services/runs";
import type { TradingSettingsJson } from "@/lib/services/settings";
import { TRADING_SETTINGS_KEY } from "@/components/settings/types";
import { useAccounts } from "@/components/accounts/use-account-funds";
import { formatDateTime } from "@/lib/format";
import { VerdictBadge } from "@/components/webhooks/verdict-badge";
import type { LastSignal } from "@/lib/services/webhooks";

const th = "py-1.5 pr-3";
/** Columns shown from md up; on a phone their key facts are folded under the name. */
const wide = "hidden py-1.5 pr-3 md:table-cell";

/** Every strategy with its legs, sizing, accounts and latest run; live (runs refresh every 5 s). */
export function StrategiesList({ canWrite }: { canWrite: boolean }) {
  const strategies = useQuery({
    queryKey: ["strategies"],
    queryFn: () => api<{ strategies: StrategyJson[] }>("/api/strategies"),
  });
  const accounts = useAccounts();
  const settings = useQuery({
    queryKey: TRADING_SETTINGS_KEY,
    queryFn: () => api<TradingSettingsJson>("/api/settings/trading"),
  });
  const runs = useQuery({
    queryKey: ["runs", "all", 200],
    queryFn: () => api<{ runs: RunListItemJson[] }>("/api/runs?limit=200"),
    refetchInterval: 5_000,
  });

  const alerts = useQuery({
    queryKey: ["strategies", "last-signals"],
    queryFn: () => api<{ lastSignals: Record<string, LastSignal> }>("/api/strategies/last-signals"),
    refetchInterval: 5_000,
  });
  const accountName = new Map((accounts.data?.accounts ?? []).map((a) => [a.id, a.name]));
  const gradeLabel = new Map((settings.data?.grades ?? []).map((g) => [g.id, `${g.label} (${g.percent}%)`]));
  const lastRun = new Map<string, RunListItemJson>();
  for (const r of runs.data?.runs ?? []) if (r.strategy && !lastRun.has(r.strategy.id)) lastRun.set(r.strategy.id, r);
  const list = strategies.data?.strategies ?? [];

  return (
    <>
      <PageHeader
        title="Strategies"
        description="Multi-leg strategies sized per account from fixed lots or a quality grade; BUY legs go first."
        actions={
          canWrite ? (
            <Link
              href="/strategies/new"
              className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500"
            >
              New strategy
            </Link>
          ) : null
        }
      />
      {strategies.isError ? (
        <p className="text-sm text-rose-600">Strategies could not be loaded: {strategies.error.message}</p>
      ) : null}
      {strategies.isPending ? <p className="text-sm text-slate-500">Loading…</p> : null}
      {!strategies.isSuccess ? null : list.length === 0 ? (
        <EmptyState title="No strategies yet">
          {canWrite
            ? "Create one with New strategy: pick accounts, add legs, preview, execute."
            : "Your role is read-only: strategies of the traders an admin attached you to appear here."}
        </EmptyState>
      ) : (
        <Card title={`${list.length} strateg${list.length === 1 ? "y" : "ies"}`}>
          <Table
            head={
              <tr>
                <th className={th}>Name</th>
                <th className={th}>Legs</th>
                <th className={wide}>Product</th>
                <th className={wide}>Sizing</th>
                <th className={wide}>Accounts</th>
                <th className={wide}>Last run</th>
                <th className={wide}>Last alert</th>
                <th className="hidden md:table-cell" />
              </tr>
            }
          >
            {list.map((s) => {
              const d = s.definition;
              const run = lastRun.get(s.id);
              return (
                <tr key={s.id} data-testid={`strategy-row-${s.name}`} className="align-top">
                  <td className="py-1.5 pr-3">
                    <Link
                      href={`/strategies/${s.id}`}
                      className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      {s.name}
                    </Link>
                    <div className="mt-1 space-y-1 text-xs md:hidden" data-testid={`strategy-folded-${s.name}`}>
                      <div className="text-slate-500">
                        {d.product} ·{" "}
                        {d.sizing.kind === "fixed"
                          ? "fixed lots"
                          : `grade ${gradeLabel.get(d.sizing.gradeId) ?? d.sizing.gradeId}`}
                      </div>
                      {run ? (
                        <div className="flex items-center gap-1.5">
                          <span className="text-slate-500">run</span>
                          <LastRun run={run} />
                        </div>
                      ) : null}
                      {alerts.data?.lastSignals[s.id] ? (
                        <div className="flex items-center gap-1.5">
                          <span className="text-slate-500">alert</span>
                          <LastAlert signal={alerts.data.lastSignals[s.id]} />
                        </div>
                      ) : null}
                    </div>
                  </td>
                  <td className="py-1.5 pr-3 text-xs">
                    {d.legs.map((l, i) => (
                      <div
                        key={i}
                        className={
                          l.action === "BUY"
                            ? "text-emerald-700 dark:text-emerald-400"
                            : "text-rose-700 dark:text-rose-400"
                        }
                      >
                        {legSummary(l)}
                      </div>
                    ))}
                  </td>
                  <td className={`${wide} text-xs`}>{d.product}</td>
                  <td className={`${wide} text-xs`}>
                    {d.sizing.kind === "fixed"
                      ? "fixed lots"
                      : `grade ${gradeLabel.get(d.sizing.gradeId) ?? d.sizing.gradeId}`}
                  </td>
                  <td className={`${wide} text-xs`}>
                    {s.accountIds.map((id) => accountName.get(id) ?? "unknown account").join(", ")}
                    {s.accountTags.length ? (
                      <div className="text-slate-500">groups: {s.accountTags.join(", ")}</div>
                    ) : null}
                  </td>
                  <td className={`${wide} text-xs`}>
                    {run ? <LastRun run={run} /> : <span className="text-slate-400">never run</span>}
                  </td>
                  <td className={`${wide} text-xs`} data-testid={`strategy-last-alert-${s.name}`}>
                    <LastAlert signal={alerts.data?.lastSignals[s.id]} />
                  </td>
                  <td className="hidden py-1.5 text-right md:table-cell">
                    <Link
                      href={`/strategies/${s.id}`}
                      className="text-sm text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      {canWrite ? "Open · preview · execute" : "View"}
                    </Link>
                  </td>
                </tr>
              );
            })}
          </Table>
        </Card>
      )}
    </>
  );
}

/** The strategy's latest run: status and when it was triggered (IST), linking to the run. */
function LastRun({ run }: { run: RunListItemJson }) {
  return (
    <Link href={`/executions/${run.id}`} className="inline-flex flex-wrap items-center gap-1.5 hover:underline">
      <Badge tone={RUN_STATUS_TONE[run.displayStatus]}>{run.displayStatus.toLowerCase()}</Badge>
      <span className="text-slate-500">{formatDateTime(run.triggeredAt)}</span>
    </Link>
  );
}

/** The strategy's newest webhook alert: verdict, action and time (IST). */
function LastAlert({ signal }: { signal: LastSignal | undefined }) {
  if (!signal) return <span className="text-slate-400">—</span>;
  return (
    <span className="inline-flex flex-wrap items-center gap-1.5">
      <VerdictBadge verdict={signal.verdict} />
      {signal.action ? <span className="font-medium">{signal.action}</span> : null}
      <span className="text-slate-500">{formatDateTime(signal.receivedAt)}</span>
    </span>
  );
}
