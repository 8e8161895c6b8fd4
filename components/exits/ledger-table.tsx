"use client";

import Decimal from "decimal.js";
import { useQuery } from "@tanstack/react-query";
import { api } from "@/components/ui/api";
import { Alert, Badge, Button, EmptyState, Table, cx } from "@/components/ui/primitives";
import { formatInr, formatQty } from "@/lib/format";
import type { LedgerRowJson } from "@/lib/services/positions";
import { bookTotals } from "@/lib/trading/live-book";
import { BookTotal } from "@/components/pnl/book-total";
import { useExit } from "./use-kill-switch";

const pnlClass = (v: Decimal.Value | null) =>
  v === null
    ? ""
    : new Decimal(v).isNegative()
      ? "text-rose-600 dark:text-rose-400"
      : new Decimal(v).isZero()
        ? ""
        : "text-emerald-600 dark:text-emerald-400";

function Pnl({ value }: { value: Decimal.Value | null }) {
  return <span className={cx("tabular-nums", pnlClass(value))}>{value === null ? "—" : formatInr(value)}</span>;
}

/** The ledger rows at `url`, refreshed every 3 s (one query shared by the table and the dashboard's totals). */
export const ledgerQuery = (url: string) => ({
  queryKey: ["ledger", url],
  queryFn: () => api<{ positions: LedgerRowJson[] }>(url).then((r) => r.positions),
  refetchInterval: 3_000,
});

/**
 * Strategy positions from fills (per strategy, account and contract), with realised and unrealised P&L, refreshed
 * every 3 s; an Exit button per strategy (and per account when `accountExits`).
 */
export function LedgerTable({
  url,
  canWrite,
  accountExits = false,
}: {
  url: string;
  canWrite: boolean;
  accountExits?: boolean;
}) {
  const { data, error } = useQuery(ledgerQuery(url));
  const exit = useExit();
  if (error) return <Alert>{error.message}</Alert>;
  if (!data) return <p className="text-sm text-slate-500">Loading positions…</p>;
  if (data.length === 0)
    return <EmptyState title="No strategy positions">Positions appear here as orders fill.</EmptyState>;

  const groups = new Map<string, LedgerRowJson[]>();
  for (const r of data) groups.set(r.strategyId ?? "", [...(groups.get(r.strategyId ?? "") ?? []), r]);
  const accounts = new Map(data.filter((r) => r.netQty !== 0).map((r) => [r.accountId, r.accountName]));
  const { total } = bookTotals(data);

  return (
    <div className="space-y-3">
      {exit.error ? <Alert>{exit.error.message}</Alert> : null}
      {exit.data ? (
        <Alert tone="green" role="status">
          {exit.data.joined ? "An exit was already under way; following it." : "Exit sent."}
        </Alert>
      ) : null}
      <Table
        head={
          <tr>
            <th className="hidden px-2 py-1.5 sm:table-cell">Strategy</th>
            <th className="px-2 py-1.5">Account</th>
            <th className="px-2 py-1.5">Symbol</th>
            <th className="hidden px-2 py-1.5 sm:table-cell">Product</th>
            <th className="px-2 py-1.5 text-right">Net qty</th>
            <th className="hidden px-2 py-1.5 text-right sm:table-cell">Avg price</th>
            <th className="hidden px-2 py-1.5 text-right sm:table-cell">LTP</th>
            <th className="hidden px-2 py-1.5 text-right sm:table-cell">Realised</th>
            <th className="px-2 py-1.5 text-right">Unrealised</th>
            <th className="px-2 py-1.5" />
          </tr>
        }
      >
        {[...groups.entries()].map(([strategyId, rows]) =>
          rows.map((r, i) => (
            <tr
              key={`${strategyId}|${r.accountId}|${r.symbol}|${r.product}`}
              data-testid="ledger-row"
              data-net-qty={r.netQty}
              className={cx(r.netQty === 0 && "text-slate-400")}
            >
              <td className="hidden px-2 py-1 sm:table-cell">
                {i === 0 ? (r.strategyName ?? "Outside strategies") : ""}
              </td>
              <td className="px-2 py-1">
                {i === 0 ? (
                  <span className="block text-xs font-medium text-slate-500 sm:hidden">
                    {r.strategyName ?? "Outside strategies"}
                  </span>
                ) : null}
                {r.accountName}
              </td>
              <td className="px-2 py-1 font-mono text-xs">
                {/* Long contract names wrap at phone width so the P&L column stays on screen. */}
                <span className="break-all sm:break-normal">{r.symbol}</span>
                {r.closedOutside ? (
                  <span
                    data-testid="closed-outside"
                    className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 font-sans text-xs text-amber-800 dark:bg-amber-900/40 dark:text-amber-200"
                    title="The broker reports this contract flat: it was closed outside MirrorDesk (at the broker, by its square-off or RMS). Its P&L after that is not in MirrorDesk."
                  >
                    closed outside MirrorDesk
                  </span>
                ) : null}
              </td>
              <td className="hidden px-2 py-1 sm:table-cell">{r.product}</td>
              <td
                className={cx(
                  "px-2 py-1 text-right tabular-nums font-medium",
                  r.netQty > 0
                    ? "text-emerald-700 dark:text-emerald-400"
                    : r.netQty < 0
                      ? "text-rose-700 dark:text-rose-400"
                      : "",
                )}
              >
                {formatQty(r.netQty)}
              </td>
              <td className="hidden px-2 py-1 text-right tabular-nums sm:table-cell">
                {r.avgPrice ? formatInr(r.avgPrice) : "—"}
              </td>
              <td
                className="hidden px-2 py-1 text-right tabular-nums whitespace-nowrap sm:table-cell"
                data-testid="ledger-ltp"
              >
                {r.netQty !== 0 && r.ltp && r.stale ? (
                  <span className="mr-1" title="The live feed flags this contract stale: the price may be old">
                    <Badge tone="amber">stale</Badge>
                  </span>
                ) : null}
                {r.netQty !== 0 && r.ltp && r.priceSource === "rest" ? (
                  <span className="mr-1" title="Price from a REST quote, not the live feed">
                    <Badge tone="slate">REST</Badge>
                  </span>
                ) : null}
                {r.ltp ? formatInr(r.ltp) : "—"}
              </td>
              <td className="hidden px-2 py-1 text-right sm:table-cell">
                <Pnl value={r.realisedPnl} />
              </td>
              <td className="px-2 py-1 text-right">
                <Pnl value={r.unrealisedPnl} />
              </td>
              <td className="px-2 py-1 text-right">
                {canWrite && i === 0 && strategyId && rows.some((x) => x.netQty !== 0) ? (
                  <Button
                    variant="danger"
                    className="px-2 py-0.5 text-xs"
                    disabled={exit.isPending}
                    onClick={() =>
                      window.confirm(`Exit every open position of ${r.strategyName}?`) &&
                      exit.mutate({ scope: "strategy", strategyId })
                    }
                  >
                    Exit strategy
                  </Button>
                ) : null}
              </td>
            </tr>
          )),
        )}
        <tr className="font-semibold">
          <td className="hidden sm:table-cell" />
          <td className="px-2 py-1.5" colSpan={2}>
            Total
          </td>
          <td className="hidden sm:table-cell" />
          <td />
          <td className="hidden sm:table-cell" colSpan={2} />
          <td className="hidden px-2 py-1.5 text-right sm:table-cell" data-testid="ledger-realised">
            <BookTotal s={total} field="realised" />
          </td>
          <td className="px-2 py-1.5 text-right" data-testid="ledger-unrealised">
            <BookTotal s={total} field="unrealised" />
          </td>
          <td />
        </tr>
      </Table>
      {canWrite && accountExits && accounts.size > 0 ? (
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <span className="text-slate-500">Exit one account:</span>
          {[...accounts.entries()].map(([id, name]) => (
            <Button
              key={id}
              variant="secondary"
              className="px-2 py-0.5 text-xs"
              disabled={exit.isPending}
              onClick={() =>
                window.confirm(`Exit every strategy position in ${name}?`) &&
                exit.mutate({ scope: "account", accountId: id })
              }
            >
              {name}
            </Button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
