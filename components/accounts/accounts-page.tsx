"use client";

import Link from "next/link";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, ApiError } from "@/components/ui/api";
import { Alert, Button, Card, EmptyState, PageHeader, Table } from "@/components/ui/primitives";
import { AccountForm } from "@/components/accounts/account-form";
import { ago, HealthBadge, Money, Pnl, Since } from "@/components/accounts/status";
import type { AccountJson } from "@/lib/services/accounts";
import { useAccountFunds } from "@/components/accounts/use-account-funds";
import { BrokerLoginOutcome, BrokerSession, logsInDaily } from "@/components/accounts/broker-login";
import { formatInr } from "@/lib/format";

/** Accounts list: health, funds (available margin and cash as docs/trading-facts.md defines them), today's P&L, live. */
export function AccountsPage({ canWrite }: { canWrite: boolean }) {
  const qc = useQueryClient();
  const [editing, setEditing] = useState<AccountJson | "new" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const { accounts, funds, byId, totals } = useAccountFunds();
  const remove = useMutation({
    mutationFn: (a: AccountJson) => api(`/api/accounts/${a.id}`, { method: "DELETE" }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["accounts"] }),
    onError: (e) => setError(e instanceof ApiError ? e.message : "Cannot reach the server."),
  });

  const list = accounts.data?.accounts ?? [];

  function done() {
    setEditing(null);
    void qc.invalidateQueries({ queryKey: ["accounts"] });
    void qc.invalidateQueries({ queryKey: ["book"] });
  }

  return (
    <>
      <PageHeader
        title="Accounts"
        description="Linked OpenAlgo instances and direct broker logins. Available margin = available cash + collateral (sellers' sizing); cash = available cash (buyers' sizing)."
        actions={canWrite && editing === null ? <Button onClick={() => setEditing("new")}>Add account</Button> : null}
      />
      <div className="space-y-4">
        {editing ? (
          <AccountForm
            account={editing === "new" ? undefined : editing}
            onDone={done}
            onCancel={() => setEditing(null)}
          />
        ) : null}
        {error ? <Alert>{error}</Alert> : null}
        <BrokerLoginOutcome accounts={list} />
        {accounts.isSuccess && list.length === 0 ? (
          <EmptyState title="No trading accounts linked yet">
            Add an OpenAlgo instance with its host URL and API key, or a direct broker with its app's key and secret;
            the connection is tested before it is saved.
          </EmptyState>
        ) : (
          <Card
            title={`${list.length} account${list.length === 1 ? "" : "s"}`}
            actions={
              funds.dataUpdatedAt ? (
                <span className="text-xs text-slate-400">funds {ago(new Date(funds.dataUpdatedAt).toISOString())}</span>
              ) : null
            }
          >
            <Table
              head={
                <tr>
                  <th className="py-1.5 pr-3">Account</th>
                  <th className="pr-3">Health</th>
                  <th className="pr-3">Broker</th>
                  <th className="pr-3">Last OK</th>
                  <th className="pr-3 text-right">Available margin</th>
                  <th className="pr-3 text-right">Cash</th>
                  <th className="pr-3 text-right">Realised</th>
                  <th className="pr-3 text-right">Unrealised</th>
                  <th className="pr-3">Key</th>
                  <th />
                </tr>
              }
            >
              {list.map((a) => {
                const f = byId.get(a.id);
                return (
                  <tr key={a.id} data-testid={`account-row-${a.name}`}>
                    <td className="py-1.5 pr-3">
                      <Link
                        href={`/accounts/${a.id}`}
                        className="font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                      >
                        {a.name}
                      </Link>
                      {a.isPrimary ? (
                        <span className="ml-1.5 text-xs text-amber-600" title="Primary: the market-data source">
                          ★ primary
                        </span>
                      ) : null}
                      {a.tags.length ? <div className="text-xs text-slate-500">{a.tags.join(" · ")}</div> : null}
                      {a.dailyLossLimit ? (
                        <div className="text-xs text-slate-500" data-testid="account-loss-limit">
                          daily loss limit {formatInr(a.dailyLossLimit)}
                        </div>
                      ) : null}
                    </td>
                    <td className="pr-3">
                      <HealthBadge account={a} />
                    </td>
                    <td className="pr-3 text-xs">
                      {a.brokerName ?? "—"}
                      {a.brokerMode ? ` · ${a.brokerMode}` : ""}
                      {logsInDaily(a) ? <BrokerSession account={a} canWrite={canWrite} /> : null}
                    </td>
                    <td className="pr-3 text-xs text-slate-500">
                      <Since iso={a.lastOkAt} />
                    </td>
                    {f && !f.ok ? (
                      <td colSpan={4} className="pr-3 text-right text-xs text-rose-600" title={f.error.message}>
                        {f.error.message.slice(0, 60)}
                      </td>
                    ) : (
                      <>
                        <td className="pr-3 text-right">
                          <Money value={f?.ok ? f.data.availableMargin : null} />
                        </td>
                        <td className="pr-3 text-right">
                          <Money value={f?.ok ? f.data.cash : null} />
                        </td>
                        <td className="pr-3 text-right">
                          <Pnl value={f?.ok ? f.data.realisedPnl : null} />
                        </td>
                        <td className="pr-3 text-right">
                          <Pnl value={f?.ok ? f.data.unrealisedPnl : null} />
                        </td>
                      </>
                    )}
                    <td className="pr-3 font-mono text-xs text-slate-500">••••{a.apiKeyLast4}</td>
                    <td className="text-right whitespace-nowrap">
                      {canWrite ? (
                        <>
                          <Button variant="ghost" onClick={() => setEditing(a)}>
                            Edit
                          </Button>
                          <Button
                            variant="ghost"
                            onClick={() =>
                              confirm(`Unlink ${a.name}? Refused while it has open positions.`) && remove.mutate(a)
                            }
                          >
                            Unlink
                          </Button>
                        </>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
              {list.length > 1 ? (
                <tr className="font-medium">
                  <td className="py-1.5 pr-3" colSpan={4}>
                    Total
                  </td>
                  <td className="pr-3 text-right" data-testid="total-margin">
                    <Money compact value={totals.margin.toString()} />
                  </td>
                  <td className="pr-3 text-right" data-testid="total-cash">
                    <Money compact value={totals.cash.toString()} />
                  </td>
                  <td className="pr-3 text-right">
                    <Pnl compact value={totals.realised.toString()} />
                  </td>
                  <td className="pr-3 text-right">
                    <Pnl compact value={totals.unrealised.toString()} />
                  </td>
                  <td colSpan={2} />
                </tr>
              ) : null}
            </Table>
          </Card>
        )}
      </div>
    </>
  );
}
