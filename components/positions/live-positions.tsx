"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState } from "react";
import { api } from "@/components/ui/api";
import { Alert, Badge, Button, EmptyState, PageHeader, Table, cx } from "@/components/ui/primitives";
import { Money, Pnl } from "@/components/accounts/status";
import { AggregateBook } from "@/components/accounts/aggregate-book";
import { LIVE_LEDGER_KEY, LIVE_LEDGER_URL, lastSnapshotAt } from "@/components/live/live-bridge";
import { useLiveState } from "@/components/live/use-live";
import { formatQty } from "@/lib/format";
import type { LedgerRowJson } from "@/lib/services/positions";
import { bookTotals, strategyGroupOf, type Subtotal } from "@/lib/trading/live-book";
import { BookTotal } from "@/components/pnl/book-total";

type Grouping = "account" | "strategy";

/**
 * The ledger of every account, live: first read over REST, then kept current by the tab's stream (components/live):
 * a fill brings its row, a quote re-prices the LTP and unrealised P&L. Subtotals per account or per strategy come
 * from the same definition as the server's (lib/trading/live-book.ts).
 */
function useLiveLedger() {
  const qc = useQueryClient();
  const live = useLiveState() === "live";
  return useQuery({
    queryKey: LIVE_LEDGER_KEY,
    queryFn: async () => {
      const started = performance.now();
      const rows = await api<{ positions: LedgerRowJson[] }>(LIVE_LEDGER_URL).then((r) => r.positions);
      // A stream snapshot that arrived while this read was out is newer: keep it.
      const current = qc.getQueryData<LedgerRowJson[]>(LIVE_LEDGER_KEY);
      return current && lastSnapshotAt() > started ? current : rows;
    },
    // While the stream is live it carries every change; the slow re-read only refreshes "closed outside" marks.
    refetchInterval: live ? 30_000 : 3_000,
  });
}

function LiveMarker() {
  const state = useLiveState();
  const [tone, label] =
    state === "live"
      ? (["green", "Live"] as const)
      : state === "ended"
        ? (["red", "Stream ended: sign in again"] as const)
        : (["amber", state === "connecting" ? "Connecting…" : "Reconnecting…"] as const);
  return (
    <span data-testid="live-state" data-state={state}>
      <Badge tone={tone}>{label}</Badge>
    </span>
  );
}

function PriceCell({ r }: { r: LedgerRowJson }) {
  if (r.netQty === 0) return <span className="text-slate-400">—</span>;
  return (
    <span className="inline-flex items-center justify-end gap-1">
      {r.stale ? (
        <span title="No tick for a while although the market is open: this price may be old">
          <Badge tone="amber">stale</Badge>
        </span>
      ) : null}
      {r.ltp && r.priceSource === "rest" ? (
        <span title="Price from a REST quote, not the live feed">
          <Badge tone="slate">REST</Badge>
        </span>
      ) : null}
      <span data-testid="position-ltp">
        <Money value={r.ltp} />
      </span>
    </span>
  );
}

function SubtotalRow({ s, label }: { s: Subtotal; label: string }) {
  return (
    <tr className="bg-slate-50 font-semibold dark:bg-slate-800/60" data-testid="position-subtotal">
      <td className="px-2 py-1.5" colSpan={3}>
        {label}
        <span className="ml-2 text-xs font-normal text-slate-500">{s.open} open</span>
      </td>
      <td className="hidden px-2 py-1.5 sm:table-cell" colSpan={3} />
      <td className="hidden px-2 py-1.5 text-right whitespace-nowrap sm:table-cell">
        <BookTotal s={s} field="realised" />
      </td>
      <td className="px-2 py-1.5 text-right whitespace-nowrap" data-testid="subtotal-unrealised">
        <BookTotal s={s} field="unrealised" />
      </td>
    </tr>
  );
}

function Row({ r, grouping }: { r: LedgerRowJson; grouping: Grouping }) {
  const qtyTone = r.netQty > 0 ? "text-emerald-700 dark:text-emerald-400" : r.netQty < 0 ? "text-rose-700" : "";
  return (
    <tr
      data-testid="position-row"
      data-key={r.key}
      data-account={r.accountId}
      data-symbol={r.symbol}
      data-net-qty={r.netQty}
      className={cx(r.netQty === 0 && "text-slate-400")}
    >
      <td className="px-2 py-1">{grouping === "account" ? (r.strategyName ?? "Manual tickets") : r.accountName}</td>
      <td className="px-2 py-1 font-mono text-xs">
        {r.symbol}
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
      <td className={cx("px-2 py-1 text-right tabular-nums font-medium", qtyTone)}>{formatQty(r.netQty)}</td>
      <td className="hidden px-2 py-1 sm:table-cell">{r.product}</td>
      <td className="hidden px-2 py-1 text-right sm:table-cell">
        <Money value={r.avgPrice} />
      </td>
      <td className="hidden px-2 py-1 text-right sm:table-cell">
        <PriceCell r={r} />
      </td>
      <td className="hidden px-2 py-1 text-right whitespace-nowrap sm:table-cell">
        <Pnl value={r.realisedPnl} />
      </td>
      <td className="px-2 py-1 text-right whitespace-nowrap" data-testid="position-unrealised">
        <Pnl value={r.unrealisedPnl} />
        <span className="block text-xs sm:hidden">
          <PriceCell r={r} />
        </span>
      </td>
    </tr>
  );
}

function LedgerBook() {
  const q = useLiveLedger();
  const [grouping, setGrouping] = useState<Grouping>("account");
  const [openOnly, setOpenOnly] = useState(false);
  const all = useMemo(() => q.data ?? [], [q.data]);
  const rows = useMemo(() => (openOnly ? all.filter((r) => r.netQty !== 0) : all), [all, openOnly]);
  const totals = useMemo(() => bookTotals(all), [all]);
  if (q.error && !q.data) return <Alert>{q.error.message}</Alert>;
  if (!q.data) return <p className="text-sm text-slate-500">Loading positions…</p>;
  if (all.length === 0)
    return <EmptyState title="No positions yet">Positions appear here live as orders fill.</EmptyState>;
  const groups = grouping === "account" ? totals.accounts : totals.strategies;
  const inGroup = (s: Subtotal) => (r: LedgerRowJson) =>
    grouping === "account" ? r.accountId === s.id : strategyGroupOf(r) === s.id;
  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="text-slate-500">Subtotals per</span>
        {(["account", "strategy"] as const).map((g) => (
          <Button
            key={g}
            variant={grouping === g ? "primary" : "secondary"}
            className="px-2 py-0.5 text-xs"
            aria-pressed={grouping === g}
            onClick={() => setGrouping(g)}
          >
            {g}
          </Button>
        ))}
        <label className="ml-auto inline-flex items-center gap-1.5 text-slate-600 dark:text-slate-300">
          <input type="checkbox" checked={openOnly} onChange={(e) => setOpenOnly(e.target.checked)} />
          Open only
        </label>
      </div>
      <Table
        head={
          <tr>
            <th className="px-2 py-1.5">{grouping === "account" ? "Strategy" : "Account"}</th>
            <th className="px-2 py-1.5">Symbol</th>
            <th className="px-2 py-1.5 text-right">Net qty</th>
            <th className="hidden px-2 py-1.5 sm:table-cell">Product</th>
            <th className="hidden px-2 py-1.5 text-right sm:table-cell">Avg price</th>
            <th className="hidden px-2 py-1.5 text-right sm:table-cell">LTP</th>
            <th className="hidden px-2 py-1.5 text-right sm:table-cell">Realised</th>
            <th className="px-2 py-1.5 text-right">Unrealised</th>
          </tr>
        }
      >
        {groups.map((s) => (
          <GroupRows key={s.id ?? "none"} s={s} rows={rows.filter(inGroup(s))} grouping={grouping} />
        ))}
        <tr className="font-semibold" data-testid="position-total">
          <td className="px-2 py-1.5" colSpan={3}>
            Total
          </td>
          <td className="hidden sm:table-cell" colSpan={3} />
          <td className="hidden px-2 py-1.5 text-right whitespace-nowrap sm:table-cell" data-testid="total-realised">
            <BookTotal s={totals.total} field="realised" />
          </td>
          <td className="px-2 py-1.5 text-right whitespace-nowrap" data-testid="total-unrealised">
            <BookTotal s={totals.total} field="unrealised" />
            <span className="block text-xs font-normal text-slate-500 sm:hidden">
              realised <Pnl value={totals.total.realised} />
            </span>
          </td>
        </tr>
      </Table>
    </div>
  );
}

function GroupRows({ s, rows, grouping }: { s: Subtotal; rows: LedgerRowJson[]; grouping: Grouping }) {
  return (
    <>
      <SubtotalRow s={s} label={s.name} />
      {rows.map((r) => (
        <Row key={r.key} r={r} grouping={grouping} />
      ))}
    </>
  );
}

/** The positions page: MirrorDesk's live ledger, and the brokers' own position books one tab away. */
export function LivePositions({ canWrite }: { canWrite: boolean }) {
  const [tab, setTab] = useState<"ledger" | "broker">("ledger");
  if (tab === "broker")
    return (
      <div className="space-y-3">
        <Tabs tab={tab} setTab={setTab} />
        <AggregateBook book="positions" canWrite={canWrite} />
      </div>
    );
  return (
    <div className="space-y-3">
      <PageHeader
        title="Positions"
        description="Every account's positions from MirrorDesk's fills, valued at live prices."
        actions={<LiveMarker />}
      />
      <Tabs tab={tab} setTab={setTab} />
      <LedgerBook />
    </div>
  );
}

function Tabs({ tab, setTab }: { tab: "ledger" | "broker"; setTab: (t: "ledger" | "broker") => void }) {
  const item = (t: "ledger" | "broker", label: string) => (
    <button
      type="button"
      role="tab"
      aria-selected={tab === t}
      onClick={() => setTab(t)}
      className={cx(
        "border-b-2 px-3 py-1.5 text-sm",
        tab === t ? "border-indigo-600 font-semibold" : "border-transparent text-slate-500 hover:text-slate-700",
      )}
    >
      {label}
    </button>
  );
  return (
    <div role="tablist" className="flex gap-1 border-b border-slate-200 dark:border-slate-800">
      {item("ledger", "Live ledger")}
      {item("broker", "Broker positions")}
    </div>
  );
}
