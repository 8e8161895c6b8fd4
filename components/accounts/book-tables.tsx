"use client";

import type { ReactNode } from "react";
import { Badge, Table } from "@/components/ui/primitives";
import { Money, Pnl } from "@/components/accounts/status";
import type { FundsJson, HoldingJson, OrderJson, PositionJson, TradeJson } from "@/lib/services/accounts";
import { formatDateTime, formatQty } from "@/lib/format";

/** A row plus the account it came from (aggregated pages show the account column). */
export type WithAccount<T> = T & { accountId: string; accountName: string };

const statusTone = {
  open: "blue",
  trigger_pending: "amber",
  complete: "green",
  rejected: "red",
  cancelled: "slate",
} as const;
const th = "pr-3 py-1.5";
const AccountHead = ({ show }: { show: boolean }) => (show ? <th className={th}>Account</th> : null);
const AccountCell = ({ show, name }: { show: boolean; name: string }) =>
  show ? <td className="pr-3 py-1 text-xs">{name}</td> : null;
const Side = ({ action }: { action: string }) => (
  <span className={action === "BUY" ? "text-emerald-600 dark:text-emerald-400" : "text-rose-600 dark:text-rose-400"}>
    {action}
  </span>
);
/** MARKET and SL-M orders have no price of their own (brokers report 0): they fill at the market. */
const isMarketPrice = (priceType: string) => priceType === "MARKET" || priceType === "SL-M";
const Qty = ({ n }: { n: number }) => <span className="num">{formatQty(n)}</span>;

export function OrdersTable({
  rows,
  showAccount,
  actions,
}: {
  rows: WithAccount<OrderJson>[];
  showAccount: boolean;
  actions?: (row: WithAccount<OrderJson>) => ReactNode;
}) {
  return (
    <Table
      head={
        <tr>
          <AccountHead show={showAccount} />
          <th className={th}>Time</th>
          <th className={th}>Symbol</th>
          <th className={th}>Side</th>
          <th className={`${th} text-right`}>Qty</th>
          <th className={`${th} text-right`}>Filled</th>
          <th className={th}>Type</th>
          <th className={`${th} text-right`}>Price</th>
          <th className={`${th} text-right`}>Avg</th>
          <th className={th}>Status</th>
          <th className={th}>Order id</th>
          <th />
        </tr>
      }
    >
      {rows.map((o) => (
        <tr key={`${o.accountId}:${o.orderId}`} data-testid="order-row">
          <AccountCell show={showAccount} name={o.accountName} />
          <td className="num py-1 pr-3 text-xs whitespace-nowrap" title={o.brokerTimestamp}>
            {o.placedAt ? formatDateTime(o.placedAt) : o.brokerTimestamp}
          </td>
          <td className="pr-3">
            {o.symbol}
            <span className="ml-1 text-xs text-slate-400">
              {o.exchange} · {o.product}
            </span>
          </td>
          <td className="pr-3">
            <Side action={o.action} />
          </td>
          <td className="pr-3 text-right">
            <Qty n={o.quantity} />
          </td>
          <td className="pr-3 text-right">
            <Qty n={o.filledQuantity} />
          </td>
          <td className="pr-3 text-xs">{o.priceType}</td>
          <td className="pr-3 text-right">
            {isMarketPrice(o.priceType) ? (
              <span className="text-xs text-slate-500" title="Market order: fills at the market; see Avg">
                MKT
              </span>
            ) : (
              <Money value={o.price} />
            )}
          </td>
          <td className="pr-3 text-right">
            <Money value={o.averagePrice} />
          </td>
          <td className="pr-3" title={o.rejectionReason ?? undefined}>
            <Badge tone={statusTone[o.status]}>{o.brokerStatus || o.status}</Badge>
            {o.rejectionReason ? (
              <div className="max-w-56 truncate text-xs text-rose-600">{o.rejectionReason}</div>
            ) : null}
          </td>
          <td className="pr-3 font-mono text-xs">{o.orderId}</td>
          <td className="text-right">{actions?.(o)}</td>
        </tr>
      ))}
    </Table>
  );
}

export function TradesTable({ rows, showAccount }: { rows: WithAccount<TradeJson>[]; showAccount: boolean }) {
  return (
    <Table
      head={
        <tr>
          <AccountHead show={showAccount} />
          <th className={th}>Time</th>
          <th className={th}>Symbol</th>
          <th className={th}>Side</th>
          <th className={`${th} text-right`}>Qty</th>
          <th className={`${th} text-right`}>Avg price</th>
          <th className={`${th} text-right`}>Value</th>
          <th className={th}>Order id</th>
        </tr>
      }
    >
      {rows.map((t, i) => (
        <tr key={`${t.accountId}:${t.orderId}:${t.tradeId ?? i}`}>
          <AccountCell show={showAccount} name={t.accountName} />
          <td className="num py-1 pr-3 text-xs whitespace-nowrap" title={t.brokerTimestamp}>
            {t.tradedAt ? formatDateTime(t.tradedAt) : t.brokerTimestamp}
          </td>
          <td className="pr-3">
            {t.symbol}
            <span className="ml-1 text-xs text-slate-400">
              {t.exchange} · {t.product}
            </span>
          </td>
          <td className="pr-3">
            <Side action={t.action} />
          </td>
          <td className="pr-3 text-right">
            <Qty n={t.quantity} />
          </td>
          <td className="pr-3 text-right">
            <Money value={t.averagePrice} />
          </td>
          <td className="pr-3 text-right">
            <Money value={t.tradeValue} />
          </td>
          <td className="pr-3 font-mono text-xs">{t.orderId}</td>
        </tr>
      ))}
    </Table>
  );
}

export function PositionsTable({ rows, showAccount }: { rows: WithAccount<PositionJson>[]; showAccount: boolean }) {
  return (
    <Table
      head={
        <tr>
          <AccountHead show={showAccount} />
          <th className={th}>Symbol</th>
          <th className={th}>Product</th>
          <th className={`${th} text-right`}>Net qty</th>
          <th className={`${th} text-right`}>Avg price</th>
          <th className={`${th} text-right`}>LTP</th>
          <th className={`${th} text-right`}>P&amp;L</th>
        </tr>
      }
    >
      {rows.map((p) => (
        <tr
          key={`${p.accountId}:${p.symbol}:${p.exchange}:${p.product}`}
          data-testid="position-row"
          className={p.quantity === 0 ? "text-slate-400" : ""}
        >
          <AccountCell show={showAccount} name={p.accountName} />
          <td className="py-1 pr-3">
            {p.symbol}
            <span className="ml-1 text-xs text-slate-400">{p.exchange}</span>
          </td>
          <td className="pr-3 text-xs">{p.product}</td>
          <td
            className={`pr-3 text-right ${p.quantity < 0 ? "text-rose-600" : p.quantity > 0 ? "text-emerald-600" : ""}`}
          >
            <Qty n={p.quantity} />
          </td>
          <td className="pr-3 text-right">
            <Money value={p.averagePrice} />
          </td>
          <td className="pr-3 text-right">
            <Money value={p.ltp} />
          </td>
          <td className="pr-3 text-right">
            <Pnl value={p.pnl} />
          </td>
        </tr>
      ))}
    </Table>
  );
}

export function HoldingsTable({ rows, showAccount }: { rows: WithAccount<HoldingJson>[]; showAccount: boolean }) {
  return (
    <Table
      head={
        <tr>
          <AccountHead show={showAccount} />
          <th className={th}>Symbol</th>
          <th className={`${th} text-right`}>Qty</th>
          <th className={`${th} text-right`}>Avg price</th>
          <th className={`${th} text-right`}>LTP</th>
          <th className={`${th} text-right`}>P&amp;L</th>
          <th className={`${th} text-right`}>%</th>
        </tr>
      }
    >
      {rows.map((h) => (
        <tr key={`${h.accountId}:${h.symbol}:${h.exchange}`}>
          <AccountCell show={showAccount} name={h.accountName} />
          <td className="py-1 pr-3">
            {h.symbol}
            <span className="ml-1 text-xs text-slate-400">{h.exchange}</span>
          </td>
          <td className="pr-3 text-right">
            <Qty n={h.quantity} />
          </td>
          <td className="pr-3 text-right">
            <Money value={h.averagePrice} />
          </td>
          <td className="pr-3 text-right">
            <Money value={h.ltp} />
          </td>
          <td className="pr-3 text-right">
            <Pnl value={h.pnl} />
          </td>
          <td className="num pr-3 text-right text-xs">{h.pnlPercent}%</td>
        </tr>
      ))}
    </Table>
  );
}

export function FundsPanel({ funds }: { funds: FundsJson }) {
  const cells: [string, ReactNode, string?][] = [
    [
      "Available margin",
      <Money key="m" value={funds.availableMargin} />,
      "available cash + collateral: what sellers' lot sizing uses",
    ],
    ["Cash", <Money key="c" value={funds.cash} />, "available cash: what option buyers' sizing uses"],
    ["Collateral", <Money key="co" value={funds.collateral} />],
    ["Margin used", <Money key="u" value={funds.utilised} />],
    ["Realised P&L", <Pnl key="r" value={funds.realisedPnl} />],
    ["Unrealised P&L", <Pnl key="ur" value={funds.unrealisedPnl} />],
  ];
  return (
    <dl className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6" data-testid="funds-panel">
      {cells.map(([label, value, hint]) => (
        <div key={label} className="rounded-md bg-slate-50 px-3 py-2 dark:bg-slate-800/50" title={hint}>
          <dt className="text-xs text-slate-500">{label}</dt>
          <dd className="text-base">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
