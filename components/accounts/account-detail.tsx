"use client";

import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { api } from "@/components/ui/api";
import { Alert, Card, cx, PageHeader } from "@/components/ui/primitives";
import { FundsPanel, HoldingsTable, OrdersTable, PositionsTable, TradesTable } from "@/components/accounts/book-tables";
import { OrderActions } from "@/components/accounts/order-actions";
import { DailyLossLimit } from "@/components/accounts/daily-loss-limit";
import { ago, HealthBadge, Since } from "@/components/accounts/status";
import type {
  AccountJson,
  Book,
  FundsJson,
  HoldingJson,
  OrderJson,
  PositionJson,
  TradeJson,
} from "@/lib/services/accounts";

const TABS: Book[] = ["funds", "orders", "trades", "positions", "holdings"];

/**
 * One account: health, its daily loss limit, and its funds / orders / trades / positions / holdings, refreshed every
 * 5 s.
 */
export function AccountDetail({ initial, canWrite }: { initial: AccountJson; canWrite: boolean }) {
  const [tab, setTab] = useState<Book>("funds");
  const account = useQuery({
    queryKey: ["account", initial.id],
    queryFn: () => api<{ account: AccountJson }>(`/api/accounts/${initial.id}`).then((r) => r.account),
    initialData: initial,
    refetchInterval: 10_000,
  });
  const a = account.data;
  const book = useQuery({
    queryKey: ["book", tab, a.id],
    queryFn: () => api<{ data: unknown; fetchedAt: string }>(`/api/accounts/${a.id}/books/${tab}`),
    refetchInterval: 5_000,
  });
  const tag = (rows: object[]) => rows.map((r) => ({ ...r, accountId: a.id, accountName: a.name }));

  return (
    <>
      <PageHeader
        title={a.name}
        description={`${a.hostUrl} · key ••••${a.apiKeyLast4}${a.isPrimary ? " · ★ primary (market-data source)" : ""}`}
        actions={
          <span className="flex items-center gap-2 text-xs">
            <HealthBadge account={a} /> last OK <Since iso={a.lastOkAt} />
            {a.brokerName ? ` · ${a.brokerName} (${a.brokerMode})` : ""}
          </span>
        }
      />
      {a.lastError && a.status !== "CONNECTED" ? (
        <div className="mb-3">
          <Alert>{a.lastError}</Alert>
        </div>
      ) : null}
      <div className="mb-3">
        <DailyLossLimit accountId={a.id} canWrite={canWrite} />
      </div>
      <div role="tablist" className="mb-3 flex gap-1 overflow-x-auto border-b border-slate-200 dark:border-slate-800">
        {TABS.map((t) => (
          <button
            key={t}
            role="tab"
            aria-selected={tab === t}
            onClick={() => setTab(t)}
            className={cx(
              "-mb-px border-b-2 px-3 py-1.5 capitalize",
              tab === t
                ? "border-indigo-600 font-medium"
                : "border-transparent text-slate-500 hover:text-slate-800 dark:hover:text-slate-200",
            )}
          >
            {t}
          </button>
        ))}
        {book.data ? (
          <span className="ml-auto self-center text-xs whitespace-nowrap text-slate-400">
            fetched {ago(book.data.fetchedAt)}
          </span>
        ) : null}
      </div>
      <Card>
        {book.error ? <Alert>{(book.error as Error).message}</Alert> : null}
        {!book.data ? (
          book.isLoading ? (
            <p className="text-slate-500">Loading…</p>
          ) : null
        ) : tab === "funds" ? (
          <FundsPanel funds={book.data.data as FundsJson} />
        ) : tab === "orders" ? (
          <OrdersTable
            rows={tag(book.data.data as OrderJson[]) as never}
            showAccount={false}
            actions={canWrite ? (o) => <OrderActions accountId={a.id} order={o} /> : undefined}
          />
        ) : tab === "trades" ? (
          <TradesTable rows={tag(book.data.data as TradeJson[]) as never} showAccount={false} />
        ) : tab === "positions" ? (
          <PositionsTable rows={tag(book.data.data as PositionJson[]) as never} showAccount={false} />
        ) : (
          <HoldingsTable rows={tag(book.data.data as HoldingJson[]) as never} showAccount={false} />
        )}
      </Card>
    </>
  );
}
