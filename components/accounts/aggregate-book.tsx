"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import Decimal from "decimal.js";
import { api } from "@/components/ui/api";
import { Alert, Button, Card, EmptyState, Input, PageHeader, Select } from "@/components/ui/primitives";
import {
  HoldingsTable,
  OrdersTable,
  PositionsTable,
  TradesTable,
  type WithAccount,
} from "@/components/accounts/book-tables";
import { OrderActions } from "@/components/accounts/order-actions";
import { Money, Pnl, ago } from "@/components/accounts/status";
import type { AccountSlice, HoldingJson, OrderJson, PositionJson, TradeJson } from "@/lib/services/accounts";
import { formatQty } from "@/lib/format";

type Book = "orders" | "trades" | "positions" | "holdings";
type Row = OrderJson | TradeJson | PositionJson | HoldingJson;

const TITLES: Record<Book, [string, string]> = {
  orders: ["Orders", "Today's orders in every linked account."],
  trades: ["Trades", "Today's fills in every linked account, at the broker's average prices."],
  positions: ["Positions", "Net positions in every linked account."],
  holdings: ["Holdings", "Delivery holdings in every linked account."],
};

/** One book across all accounts: account column, filters, totals; refreshes every 5 s (brokers are hit at most once per few seconds). */
export function AggregateBook({ book, canWrite }: { book: Book; canWrite: boolean }) {
  const qc = useQueryClient();
  const [account, setAccount] = useState("");
  const [symbol, setSymbol] = useState("");
  const [openOnly, setOpenOnly] = useState(false);
  const q = useQuery({
    queryKey: ["book", book],
    queryFn: () => api<{ accounts: AccountSlice<Book>[] }>(`/api/books/${book}`),
    refetchInterval: 5_000,
  });

  const slices = q.data?.accounts ?? [];
  const rows = useMemo(() => {
    const all = slices.flatMap((s) =>
      s.ok ? s.data.map((r) => ({ ...r, accountId: s.accountId, accountName: s.accountName })) : [],
    );
    return all.filter(
      (r) =>
        (!account || r.accountId === account) &&
        (!symbol || r.symbol.toUpperCase().includes(symbol.toUpperCase())) &&
        (!openOnly ||
          (book === "orders"
            ? ["open", "trigger_pending"].includes((r as OrderJson).status)
            : book === "positions"
              ? (r as PositionJson).quantity !== 0
              : true)),
    );
  }, [slices, account, symbol, openOnly, book]);
  const failed = slices.filter((s) => !s.ok);
  const [title, description] = TITLES[book];

  return (
    <>
      <PageHeader
        title={title}
        description={description}
        actions={
          <>
            {q.dataUpdatedAt ? (
              <span className="text-xs text-slate-400">updated {ago(new Date(q.dataUpdatedAt).toISOString())}</span>
            ) : null}
            <Button
              variant="secondary"
              onClick={() => qc.invalidateQueries({ queryKey: ["book", book] })}
              disabled={q.isFetching}
            >
              {q.isFetching ? "Refreshing…" : "Refresh"}
            </Button>
          </>
        }
      />
      <div className="space-y-3">
        {failed.map((s) =>
          !s.ok ? (
            <Alert key={s.accountId}>
              {s.accountName}: {s.error.message}
            </Alert>
          ) : null,
        )}
        <div className="flex flex-wrap items-center gap-2">
          <Select aria-label="Account filter" value={account} onChange={(e) => setAccount(e.target.value)}>
            <option value="">All accounts ({slices.length})</option>
            {slices.map((s) => (
              <option key={s.accountId} value={s.accountId}>
                {s.accountName}
              </option>
            ))}
          </Select>
          <div className="w-48">
            <Input
              aria-label="Symbol filter"
              placeholder="Symbol"
              value={symbol}
              onChange={(e) => setSymbol(e.target.value)}
            />
          </div>
          {book === "orders" || book === "positions" ? (
            <label className="flex items-center gap-1.5 text-xs">
              <input type="checkbox" checked={openOnly} onChange={(e) => setOpenOnly(e.target.checked)} />{" "}
              {book === "orders" ? "Working only" : "Open only"}
            </label>
          ) : null}
          <Totals book={book} rows={rows} />
        </div>
        {q.isSuccess && slices.length === 0 ? (
          <EmptyState title="No active accounts">Link an account on the Accounts page.</EmptyState>
        ) : (
          <Card>
            {book === "orders" ? (
              <OrdersTable
                rows={rows as WithAccount<OrderJson>[]}
                showAccount
                actions={canWrite ? (o) => <OrderActions accountId={o.accountId} order={o} /> : undefined}
              />
            ) : book === "trades" ? (
              <TradesTable rows={rows as WithAccount<TradeJson>[]} showAccount />
            ) : book === "positions" ? (
              <PositionsTable rows={rows as WithAccount<PositionJson>[]} showAccount />
            ) : (
              <HoldingsTable rows={rows as WithAccount<HoldingJson>[]} showAccount />
            )}
            {q.isSuccess && rows.length === 0 ? (
              <p className="py-6 text-center text-slate-500">Nothing to show.</p>
            ) : null}
          </Card>
        )}
      </div>
    </>
  );
}

function Totals({ book, rows }: { book: Book; rows: Row[] }) {
  if (book === "positions" || book === "holdings") {
    const pnl = (rows as PositionJson[]).reduce((t, r) => t.plus(r.pnl), new Decimal(0));
    return (
      <span className="ml-auto text-sm" data-testid="book-total">
        {rows.length} rows · P&amp;L <Pnl compact value={pnl.toString()} />
      </span>
    );
  }
  if (book === "trades") {
    const value = (rows as TradeJson[]).reduce((t, r) => t.plus(r.tradeValue), new Decimal(0));
    const qty = (rows as TradeJson[]).reduce((t, r) => t + r.quantity, 0);
    return (
      <span className="ml-auto text-sm" data-testid="book-total">
        {rows.length} trades · {formatQty(qty)} units · turnover <Money compact value={value.toString()} />
      </span>
    );
  }
  const working = (rows as OrderJson[]).filter((r) => r.status === "open" || r.status === "trigger_pending").length;
  const rejected = (rows as OrderJson[]).filter((r) => r.status === "rejected").length;
  return (
    <span className="ml-auto text-sm" data-testid="book-total">
      {rows.length} order{rows.length === 1 ? "" : "s"} · {working} working · {rejected} rejected
    </span>
  );
}
