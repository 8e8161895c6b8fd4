"use client";

import { Fragment, useState } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Badge, Button, cx } from "@/components/ui/primitives";
import { formatInr, formatQty } from "@/lib/format";
import { type DriftKind, type Parity, type ParityAccount, type ParityCell, parityOf } from "@/lib/trading/parity";
import type { RunJson } from "@/lib/services/runs";

const KIND: Record<DriftKind, { label: string; tone: "green" | "amber" | "red" | "slate"; row: string }> = {
  ok: { label: "at parity", tone: "green", row: "" },
  working: { label: "filling", tone: "amber", row: "bg-amber-50/60 dark:bg-amber-500/5" },
  unconfirmed: { label: "unconfirmed", tone: "amber", row: "bg-amber-50 dark:bg-amber-500/10" },
  short: { label: "missing", tone: "red", row: "bg-rose-50 dark:bg-rose-500/10" },
  excess: { label: "excess", tone: "red", row: "bg-rose-50 dark:bg-rose-500/10" },
};
const th = "py-1.5 pr-3 font-medium";

/** The run's parity from what the page holds (kept live by the run's event stream). */
export function runParity(run: RunJson): Parity {
  const names = new Map(run.accounts.map((a) => [a.accountId, a.accountName]));
  return parityOf(
    run.plan.accounts.map((a) => ({
      accountId: a.accountId,
      accountName: names.get(a.accountId) ?? a.accountName,
      skipped: a.status === "skipped" ? a.reason : null,
    })),
    run.intents,
  );
}
const num = "num py-1 pr-3 text-right";

/**
 * Target vs filled quantity per account × leg; drift amber (still filling, or unconfirmed) or red (missing for good,
 * or more filled than the target). With `runId` and write access it offers the two actions: "Send missing" (the
 * run's retry, limited to the account: unconfirmed slices are reconciled with the broker before any resend) and
 * "Flatten excess" (the exit service, for that account and leg).
 */
export function ParityTable({ parity, runId, canWrite }: { parity: Parity; runId?: string; canWrite?: boolean }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ tone: "red" | "green"; text: string } | null>(null);
  const actions = !!runId && !!canWrite;

  async function act(key: string, path: string, body: unknown, done: (r: Record<string, unknown>) => string) {
    setBusy(key);
    setNotice(null);
    try {
      setNotice({ tone: "green", text: done(await api<Record<string, unknown>>(path, { body })) });
    } catch (e) {
      setNotice({ tone: "red", text: e instanceof ApiError ? e.message : "Cannot reach the server." });
    } finally {
      setBusy(null);
    }
  }
  const sendMissing = (a: ParityAccount) =>
    act(
      `send:${a.accountId}`,
      `/api/runs/${runId}/retry?accountId=${a.accountId}`,
      {},
      (r) =>
        `${a.accountName}: resending ${String(r.intents)} unconfirmed order(s), each reconciled with the broker's order book first.`,
    );
  const flatten = (a: ParityAccount, c: ParityCell) =>
    act(
      `flat:${a.accountId}:${c.legIndex}`,
      "/api/exits",
      { scope: "excess", runId, accountId: a.accountId, legIndex: c.legIndex },
      () => `${a.accountName}: exit of the excess ${formatQty(c.drift)} ${c.symbol} requested.`,
    );

  const rows = parity.accounts.filter((a) => a.legs.length > 0 || a.skipped);
  return (
    <div className="space-y-2">
      {notice ? (
        <Alert tone={notice.tone} role={notice.tone === "green" ? "status" : "alert"}>
          {notice.text}
        </Alert>
      ) : null}
      <div className="flex flex-wrap gap-x-6 gap-y-1 text-sm" data-testid="parity-totals">
        <span>
          <span className="text-xs text-slate-500">Filled </span>
          <span className="num font-medium">
            {formatQty(parity.totals.filled)} / {formatQty(parity.totals.target)}
          </span>
        </span>
        <span>
          <span className="text-xs text-slate-500">Open </span>
          <span className="num">{formatQty(parity.totals.open)}</span>
        </span>
        {parity.totals.pending + parity.totals.unconfirmed > 0 ? (
          <span>
            <span className="text-xs text-slate-500">Sending / unconfirmed </span>
            <span className="num">
              {formatQty(parity.totals.pending)} / {formatQty(parity.totals.unconfirmed)}
            </span>
          </span>
        ) : null}
        <span>
          <span className="text-xs text-slate-500">Failed </span>
          <span className={cx("num", parity.totals.failed > 0 && "text-rose-600")}>
            {formatQty(parity.totals.failed)}
          </span>
        </span>
        <span data-testid="parity-drifted">
          <Badge tone={parity.drifted ? "red" : "green"}>
            {parity.drifted
              ? `${parity.drifted} account${parity.drifted === 1 ? "" : "s"} drifted`
              : "every account at parity or filling"}
          </Badge>
        </span>
      </div>
      <div className="overflow-x-auto">
        <table className="min-w-full text-left text-sm" data-testid="parity-board">
          <thead className="border-b border-slate-200 text-xs text-slate-500 dark:border-slate-800 dark:text-slate-400">
            <tr>
              <th className={th}>ACCOUNT</th>
              <th className={th}>LEG</th>
              <th className={`${th} text-right`}>TARGET</th>
              <th className={`${th} text-right`}>FILLED</th>
              <th className={`${th} text-right`}>OPEN</th>
              <th className={`${th} text-right`} title="Being sent / outcome unknown">
                SENDING
              </th>
              <th className={`${th} text-right`}>FAILED</th>
              <th className={`${th} text-right`}>DRIFT</th>
              <th className={`${th} text-right`}>AVG PRICE</th>
              <th className={th}>STATUS</th>
              {actions ? <th className={th} /> : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {rows.map((a) => {
              if (a.legs.length === 0) {
                return (
                  <tr key={a.accountId} className="text-slate-500" data-testid="parity-row" data-kind="skipped">
                    <td className="py-1 pr-3 font-medium">{a.accountName}</td>
                    <td colSpan={actions ? 10 : 9} className="pr-3 text-xs">
                      <Badge tone="slate">skipped</Badge> {a.skipped}
                    </td>
                  </tr>
                );
              }
              const missing = a.kind === "short" || a.kind === "unconfirmed";
              return (
                <Fragment key={a.accountId}>
                  {a.legs.map((c, k) => (
                    <tr
                      key={`${c.legIndex}|${c.symbol}|${c.action}`}
                      className={cx("align-top", KIND[c.kind].row)}
                      data-testid="parity-row"
                      data-account={a.accountName}
                      data-kind={c.kind}
                    >
                      {k === 0 ? (
                        <td rowSpan={a.legs.length} className="bg-white py-1 pr-3 font-medium dark:bg-slate-900">
                          {a.accountName}
                          {actions && missing ? (
                            <div className="mt-1">
                              <Button
                                variant="secondary"
                                className="px-2 py-0.5 text-xs"
                                disabled={busy !== null || a.retryable === 0}
                                title={
                                  a.retryable
                                    ? "Reconcile this account's unconfirmed orders with the broker, then send only those proven missing"
                                    : "The missing slices were rejected or cancelled by the broker: rejections are final, place a new order for them"
                                }
                                onClick={() => sendMissing(a)}
                              >
                                {busy === `send:${a.accountId}` ? "Sending…" : "Send missing"}
                              </Button>
                            </div>
                          ) : null}
                        </td>
                      ) : null}
                      <td className="py-1 pr-3 whitespace-nowrap">
                        <span className="text-xs text-slate-500">{c.legIndex + 1} · </span>
                        <span
                          className={
                            c.action === "BUY"
                              ? "text-emerald-700 dark:text-emerald-400"
                              : "text-rose-700 dark:text-rose-400"
                          }
                        >
                          {c.action}
                        </span>{" "}
                        <span className="font-mono text-xs">{c.symbol}</span>
                      </td>
                      <td className={num}>{formatQty(c.target)}</td>
                      <td className={cx(num, "font-medium")} data-testid="parity-filled">
                        {formatQty(c.filled)}
                      </td>
                      <td className={num}>{c.open ? formatQty(c.open) : "—"}</td>
                      <td className={num}>{c.pending + c.unconfirmed ? formatQty(c.pending + c.unconfirmed) : "—"}</td>
                      <td className={cx(num, c.failed > 0 && "text-rose-600")}>
                        {c.failed ? formatQty(c.failed) : "—"}
                      </td>
                      <td
                        className={cx(
                          num,
                          "font-medium",
                          c.drift !== 0 &&
                            (c.kind === "short" || c.kind === "excess"
                              ? "text-rose-700 dark:text-rose-400"
                              : "text-amber-700 dark:text-amber-300"),
                        )}
                        data-testid="parity-drift"
                      >
                        {c.drift > 0 ? `+${formatQty(c.drift)}` : c.drift < 0 ? `−${formatQty(-c.drift)}` : "0"}
                      </td>
                      <td className={num}>{c.averagePrice ? formatInr(c.averagePrice) : "—"}</td>
                      <td className="py-1 pr-3">
                        <Badge tone={KIND[c.kind].tone}>{KIND[c.kind].label}</Badge>
                        {c.reasons.length ? (
                          <div
                            className="max-w-64 truncate text-xs text-rose-700 dark:text-rose-300"
                            title={c.reasons.join("\n")}
                          >
                            {c.reasons[0]}
                          </div>
                        ) : null}
                      </td>
                      {actions ? (
                        <td className="py-1 pr-3">
                          {c.kind === "excess" ? (
                            <Button
                              variant="danger"
                              className="px-2 py-0.5 text-xs"
                              disabled={busy !== null}
                              onClick={() => flatten(a, c)}
                              title="Exit only the quantity filled beyond the target"
                            >
                              {busy === `flat:${a.accountId}:${c.legIndex}` ? "Flattening…" : "Flatten excess"}
                            </Button>
                          ) : null}
                        </td>
                      ) : null}
                    </tr>
                  ))}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
