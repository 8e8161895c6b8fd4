"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { Card, EmptyState, cx } from "@/components/ui/primitives";
import { Money, Pnl } from "@/components/accounts/status";
import { useAccountFunds } from "@/components/accounts/use-account-funds";
import { LedgerTable, ledgerQuery } from "@/components/exits/ledger-table";
import { BookTotal } from "@/components/pnl/book-total";
import { bookTotals } from "@/lib/trading/live-book";
import { useKillSwitch } from "@/components/exits/use-kill-switch";
import { RunsTable } from "@/components/runs/runs-table";
import { PnlCard } from "@/components/pnl/pnl-card";

const LEDGER_URL = "/api/positions/ledger";
const link = "text-indigo-600 hover:underline dark:text-indigo-400";

function Stat({
  label,
  children,
  tone,
  href,
  testId,
}: {
  label: string;
  children: ReactNode;
  tone?: "red" | "green";
  href?: string;
  testId: string;
}) {
  const body = (
    <div
      className={cx(
        "rounded-lg bg-white px-4 py-3 ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800",
        tone === "red" && "ring-2 ring-rose-500",
      )}
    >
      <div className="text-xs text-slate-500 uppercase dark:text-slate-400">{label}</div>
      <div className="num mt-0.5 text-base font-semibold" data-testid={testId}>
        {children}
      </div>
    </div>
  );
  return href ? <Link href={href}>{body}</Link> : body;
}

/**
 * The trader's morning view, live: account health and funds totals (available margin and cash as docs/trading-facts.md defines them), today's
 * P&L, the kill switch, strategy positions with P&L, and the latest runs.
 */
export function Dashboard({ canWrite }: { canWrite: boolean }) {
  const { accounts, funds, totals } = useAccountFunds();
  // Unrealised P&L has one definition: the open positions below at live LTP (never the broker's m2m snapshot).
  const ledger = useQuery(ledgerQuery(LEDGER_URL));
  const killSwitch = useKillSwitch();
  const list = accounts.data?.accounts ?? [];
  if (accounts.isSuccess && list.length === 0) {
    return (
      <EmptyState title="No trading accounts linked yet">
        P&amp;L, open positions and recent runs appear here once accounts are linked.{" "}
        <Link className={link} href="/accounts">
          Accounts
        </Link>
      </EmptyState>
    );
  }
  const active = list.filter((a) => a.active);
  const connected = active.filter((a) => a.status === "CONNECTED").length;
  const failed = active.filter((a) => a.status === "FAILED").length;
  const fundsKnown = funds.isSuccess;
  // The positions page's total, from the same rows (one cache, kept live by the user stream) and the same sum.
  const unrealisedStat = ledger.data ? <BookTotal s={bookTotals(ledger.data).total} field="unrealised" /> : "…";
  const unreadable =
    totals.unreadable > 0 ? (
      <span
        className="ml-1 text-xs font-normal text-amber-600"
        title="Accounts whose funds could not be read are not in the total"
      >
        ({totals.unreadable} unreadable)
      </span>
    ) : null;
  return (
    <div className="space-y-4">
      <div className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6">
        <Stat label="Accounts" href="/accounts" tone={failed > 0 ? "red" : undefined} testId="stat-accounts">
          {connected} / {active.length} connected
          {failed > 0 ? <span className="ml-1 text-rose-600">· {failed} failed</span> : null}
        </Stat>
        <Stat label="Available margin" testId="stat-margin">
          {fundsKnown ? <Money compact value={totals.margin.toString()} /> : "…"}
          {unreadable}
        </Stat>
        <Stat label="Cash" testId="stat-cash">
          {fundsKnown ? <Money compact value={totals.cash.toString()} /> : "…"}
        </Stat>
        <Stat label="Realised P&L today" testId="stat-realised">
          {fundsKnown ? <Pnl compact value={totals.realised.toString()} /> : "…"}
        </Stat>
        <Stat label="Unrealised P&L" testId="stat-unrealised">
          {unrealisedStat}
        </Stat>
        <Stat
          label="Kill switch"
          href="/risk"
          tone={killSwitch.data?.engaged ? "red" : undefined}
          testId="stat-kill-switch"
        >
          {killSwitch.data === undefined ? (
            "…"
          ) : killSwitch.data.engaged ? (
            <span className="text-rose-600">Engaged</span>
          ) : (
            <span className="text-emerald-600">Armed</span>
          )}
        </Stat>
      </div>
      <PnlCard url="/api/mtm" title="Today's P&L · all accounts" testId="dashboard-pnl" />
      <Card
        title="Strategy positions"
        actions={
          <Link className={cx("text-sm", link)} href="/risk">
            Risk
          </Link>
        }
      >
        <LedgerTable url={LEDGER_URL} canWrite={canWrite} />
      </Card>
      <Card
        title="Latest runs"
        actions={
          <Link className={cx("text-sm", link)} href="/executions">
            All runs
          </Link>
        }
      >
        <RunsTable limit={10} />
      </Card>
    </div>
  );
}
