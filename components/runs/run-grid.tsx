"use client";

import { Fragment, useState } from "react";
import { Badge, cx } from "@/components/ui/primitives";
import { formatDateTime, formatInr, formatQty } from "@/lib/format";
import { IntentChip, STATE_LABEL } from "@/components/runs/intent-chip";
import { formatMs, IN_FLIGHT } from "@/components/runs/run-format";
import type { IntentJson, RunJson } from "@/lib/services/runs";

const th = "py-1.5 pr-3 font-medium";

/** Per-account latency from the trigger: first send, last acknowledgement (ms). */
function latency(intents: IntentJson[], trig: number): { first: number | null; last: number | null } {
  const sent = intents
    .map((i) => i.sentAt)
    .filter((x): x is string => !!x)
    .map(Date.parse);
  const acks = intents
    .map((i) => i.acknowledgedAt)
    .filter((x): x is string => !!x)
    .map(Date.parse);
  return { first: sent.length ? Math.min(...sent) - trig : null, last: acks.length ? Math.max(...acks) - trig : null };
}

/**
 * One row per account, one column per leg (BUY phase first), one chip per slice. Skipped accounts show their
 * reason. Clicking an account expands every slice with its broker order id, fill and error text.
 */
export function RunGrid({ run }: { run: RunJson }) {
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const trig = Date.parse(run.triggeredAt);
  const legs = [...run.plan.legs].sort((a, b) =>
    a.action === b.action ? a.legIndex - b.legIndex : a.action === "BUY" ? -1 : 1,
  );
  const byAccount = new Map<string, IntentJson[]>();
  for (const i of run.intents) byAccount.set(i.accountId, [...(byAccount.get(i.accountId) ?? []), i]);
  const names = new Map(run.accounts.map((a) => [a.accountId, a.accountName]));
  const serverLatency = new Map(run.accounts.map((a) => [a.accountId, a]));
  const toggle = (id: string) =>
    setExpanded((s) => {
      const n = new Set(s);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  return (
    <div className="overflow-x-auto">
      <table className="min-w-full text-left text-sm">
        <thead className="border-b border-slate-200 text-xs text-slate-500 dark:border-slate-800 dark:text-slate-400">
          <tr>
            <th className={th}>ACCOUNT</th>
            {legs.map((l) => (
              <th key={l.legIndex} className={th}>
                <div
                  className={
                    l.action === "BUY" ? "text-emerald-700 dark:text-emerald-400" : "text-rose-700 dark:text-rose-400"
                  }
                >
                  {l.legIndex + 1} · {l.action} {l.optionType ?? (l.instrument === "futures" ? "FUT" : "")}
                  {l.strike ? ` ${l.strike}` : ""}
                </div>
                <div className="font-mono font-normal normal-case">{l.symbol}</div>
              </th>
            ))}
            <th className={`${th} text-right`} title="Trigger → first order sent">
              FIRST SEND
            </th>
            <th className={`${th} text-right`} title="Trigger → last order acknowledged by the broker">
              LAST ACK
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {run.plan.accounts.map((a) => {
            const name = names.get(a.accountId) ?? a.accountName;
            if (a.status === "skipped") {
              return (
                <tr key={a.accountId} data-testid={`grid-row-${name}`} className="text-slate-500">
                  <td className="py-1.5 pr-3 font-medium">{name}</td>
                  <td colSpan={legs.length + 2} className="pr-3 text-xs">
                    <Badge tone="slate">skipped</Badge> {a.reason}
                  </td>
                </tr>
              );
            }
            const intents = byAccount.get(a.accountId) ?? [];
            const lat = latency(intents, trig);
            const srv = serverLatency.get(a.accountId);
            const open = expanded.has(a.accountId);
            const bad = intents.filter(
              (i) =>
                i.state === "rejected" || i.state === "rejected_late" || i.state === "skipped" || i.state === "held",
            );
            return (
              <Fragment key={a.accountId}>
                <tr data-testid={`grid-row-${name}`} className="align-top">
                  <td className="py-1.5 pr-3">
                    <button
                      type="button"
                      onClick={() => toggle(a.accountId)}
                      className="flex items-center gap-1 font-medium hover:underline"
                      aria-expanded={open}
                    >
                      <span className="text-xs text-slate-400">{open ? "▾" : "▸"}</span>
                      {name}
                    </button>
                    {bad.length && !open ? (
                      <div className="max-w-56 truncate text-xs text-rose-600" title={bad[0].reason ?? undefined}>
                        {bad[0].reason}
                      </div>
                    ) : null}
                  </td>
                  {legs.map((l) => {
                    const slices = intents
                      .filter((i) => i.legIndex === l.legIndex)
                      .sort((x, y) => x.sliceIndex - y.sliceIndex);
                    return (
                      <td key={l.legIndex} className="py-1.5 pr-3" data-testid={`cell-${l.legIndex + 1}`}>
                        <div className="flex max-w-72 flex-wrap gap-1">
                          {slices.map((i) => (
                            <IntentChip key={i.id} intent={i} />
                          ))}
                        </div>
                      </td>
                    );
                  })}
                  <td className="num py-1.5 pr-3 text-right text-xs" data-testid="latency-first">
                    {formatMs(lat.first ?? srv?.firstSendMs ?? null)}
                  </td>
                  <td
                    className={cx(
                      "num py-1.5 pr-3 text-right text-xs",
                      intents.some((i) => IN_FLIGHT.has(i.state)) && "text-slate-400",
                    )}
                    data-testid="latency-last"
                  >
                    {formatMs(lat.last ?? srv?.lastAckMs ?? null)}
                  </td>
                </tr>
                {open ? (
                  <tr>
                    <td colSpan={legs.length + 3} className="bg-slate-50 px-3 py-2 dark:bg-slate-800/40">
                      <IntentDetails intents={intents} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function IntentDetails({ intents }: { intents: IntentJson[] }) {
  const rows = [...intents].sort((a, b) => a.phase - b.phase || a.legIndex - b.legIndex || a.sliceIndex - b.sliceIndex);
  return (
    <table className="w-full text-left text-xs" data-testid="intent-details">
      <thead className="text-slate-500">
        <tr>
          <th className="pr-3">Leg · slice</th>
          <th className="pr-3">Phase</th>
          <th className="pr-3">Symbol</th>
          <th className="pr-3">Side</th>
          <th className="pr-3 text-right">Qty</th>
          <th className="pr-3">State</th>
          <th className="pr-3">Broker order id</th>
          <th className="pr-3 text-right">Filled</th>
          <th className="pr-3 text-right">Avg</th>
          <th className="pr-3">Sent</th>
          <th className="pr-3">Error / reason</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((i) => (
          <tr key={i.id}>
            <td className="pr-3">
              {i.legIndex + 1} · {i.sliceIndex + 1}
            </td>
            <td className="pr-3">{i.phase}</td>
            <td className="pr-3 font-mono">{i.symbol}</td>
            <td className={cx("pr-3", i.action === "BUY" ? "text-emerald-600" : "text-rose-600")}>{i.action}</td>
            <td className="num pr-3 text-right">{formatQty(i.quantity)}</td>
            <td className="pr-3">{STATE_LABEL[i.state]}</td>
            <td className="pr-3 font-mono">{i.brokerOrderId ?? "—"}</td>
            <td className="num pr-3 text-right">{formatQty(i.filledQuantity)}</td>
            <td className="num pr-3 text-right">{i.averagePrice ? formatInr(i.averagePrice) : "—"}</td>
            <td className="pr-3 whitespace-nowrap">{i.sentAt ? formatDateTime(i.sentAt) : "—"}</td>
            <td className="pr-3 text-rose-700 dark:text-rose-300">{i.reason ?? ""}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
