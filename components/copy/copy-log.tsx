"use client";

import Link from "next/link";
import { useState } from "react";
import { Badge, Button, Card, Input, Select, cx } from "@/components/ui/primitives";
import { ChildOrder } from "@/components/copy/child-order";
import { EVENT_STATUS_TONE, signedQty } from "@/components/copy/copy-format";
import { useCopyLog, type LogFilters } from "@/components/copy/use-copy";
import { formatDateTime, formatInr, formatQty } from "@/lib/format";
import type { CopyLogItemJson } from "@/lib/services/copy";

const STATUSES = ["PENDING", "SENT", "SKIPPED", "BLOCKED", "FAILED"] as const;
const KINDS = ["FILL", "PLACE", "MODIFY", "CANCEL", "SYNC"] as const;
const th = "py-1.5 pr-3";
const cell = "block py-0.5 pr-3 md:table-cell md:py-1.5";
const lbl = "mr-1 text-xs text-slate-500 md:hidden";

/**
 * The live copy log: master events newest first, each with every child's order (state colour, fill, latency),
 * re-read every second while the page is visible; filters by status, kind and symbol; "Load older" pages back by
 * keyset. On a phone each event stacks into a card.
 */
export function CopyLog({ groupId }: { groupId: string }) {
  const [filters, setFilters] = useState<LogFilters>({ status: "", kind: "", symbol: "" });
  const log = useCopyLog(groupId, filters);
  const seen = new Set<string>();
  const items = (log.data?.pages ?? [])
    .flatMap((p) => p.items)
    .filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)));
  const set = (patch: Partial<LogFilters>) => setFilters((f) => ({ ...f, ...patch }));
  const filtered = filters.status || filters.kind || filters.symbol;

  return (
    <Card title="Copy log" actions={<span className="text-xs text-slate-500">live · every second</span>}>
      <div className="mb-2 flex flex-wrap items-center gap-2">
        <Select aria-label="Filter by status" value={filters.status} onChange={(e) => set({ status: e.target.value })}>
          <option value="">All statuses</option>
          {STATUSES.map((s) => (
            <option key={s} value={s}>
              {s.toLowerCase()}
            </option>
          ))}
        </Select>
        <Select aria-label="Filter by kind" value={filters.kind} onChange={(e) => set({ kind: e.target.value })}>
          <option value="">All kinds</option>
          {KINDS.map((k) => (
            <option key={k} value={k}>
              {k.toLowerCase()}
            </option>
          ))}
        </Select>
        <Input
          type="search"
          aria-label="Filter by symbol"
          placeholder="Exact symbol"
          className="max-w-48"
          value={filters.symbol}
          onChange={(e) => set({ symbol: e.target.value })}
        />
      </div>
      {log.isError ? <p className="text-sm text-rose-600">Copy log could not be loaded: {log.error.message}</p> : null}
      {log.isSuccess && items.length === 0 ? (
        <p className="text-sm text-slate-500">
          {filtered ? "No events match." : "No master events yet: trade in the master and they appear here."}
        </p>
      ) : null}
      {items.length ? (
        <table className="w-full text-left text-sm" data-testid="copy-log">
          <thead className="hidden border-b border-slate-200 text-xs text-slate-500 uppercase md:table-header-group dark:border-slate-800">
            <tr>
              <th className={th}>Time (IST)</th>
              <th className={th}>Master event</th>
              <th className={th}>Master position</th>
              <th className={th}>Status</th>
              <th className={th}>Children</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {items.map((e) => (
              <EventRow key={e.id} e={e} />
            ))}
          </tbody>
        </table>
      ) : null}
      {log.hasNextPage ? (
        <Button
          variant="ghost"
          className="mt-2"
          disabled={log.isFetchingNextPage}
          onClick={() => void log.fetchNextPage()}
        >
          {log.isFetchingNextPage ? "Loading…" : "Load older"}
        </Button>
      ) : null}
    </Card>
  );
}

type Priced = Pick<CopyLogItemJson, "priceType" | "price" | "triggerPrice">;
const money = (v: string | null) => (v && v !== "0" ? formatInr(v) : null);
/** One part of a price as it changed: `₹25,601.55 → ₹25,651.55`, or as it stands when it did not. */
const step = (was: string | null, now: string | null) => (was === now ? now : `${was ?? "none"} → ${now ?? "none"}`);

/**
 * `LIMIT @ ₹25,601.55 trg ₹25,590.00`, null for a MARKET order; with `was` (a MODIFY), each part that changed reads
 * old → new: `SL @ ₹25,488.10 → ₹25,538.10 trg ₹25,498.10 → ₹25,548.10`.
 */
function priceText(p: Priced, was: Priced = p): string | null {
  if ((!p.priceType || p.priceType === "MARKET") && (!was.priceType || was.priceType === "MARKET")) return null;
  const at = step(money(was.price), money(p.price));
  const trigger = step(money(was.triggerPrice), money(p.triggerPrice));
  return [step(was.priceType, p.priceType), at ? `@ ${at}` : null, trigger ? `trg ${trigger}` : null]
    .filter(Boolean)
    .join(" ");
}

/**
 * The master event in words: its units (a MODIFY's old → new quantity, a CANCEL's order quantity, a partial FILL's
 * units of its order: `65 of 260`) and its price (a MODIFY's old → new price, trigger or type).
 */
function describe(e: CopyLogItemJson): { units: string; price: string | null } {
  const was = e.previous;
  if (e.kind === "CANCEL") return { units: was ? formatQty(was.quantity) : "", price: priceText(was ?? e) };
  if (e.kind === "MODIFY" && was)
    return { units: step(formatQty(was.quantity), formatQty(e.quantity))!, price: priceText(e, was) };
  const price = priceText(e) ?? (e.price && e.kind === "FILL" ? `@ ${formatInr(e.price)}` : null);
  const partOf = e.kind === "FILL" && e.orderQuantity !== null && e.orderQuantity !== e.quantity;
  return {
    units: partOf ? `${formatQty(e.quantity)} of ${formatQty(e.orderQuantity!)}` : formatQty(e.quantity),
    price,
  };
}

function EventRow({ e }: { e: CopyLogItemJson }) {
  const { units, price } = describe(e);
  return (
    <tr
      data-testid={`copy-event-${e.id}`}
      data-kind={e.kind}
      data-status={e.status}
      data-symbol={e.symbol}
      className="block py-2 align-top md:table-row md:py-0"
    >
      <td className={`${cell} text-xs whitespace-nowrap tabular-nums`}>
        {formatDateTime(e.detectedAt)}
        <span className="ml-1.5 text-slate-500" title="What detected it">
          {e.source}
        </span>
      </td>
      <td className={`${cell} text-xs`}>
        <span className="font-medium">{e.kind.toLowerCase()}</span>{" "}
        <span
          className={e.action === "BUY" ? "text-emerald-700 dark:text-emerald-400" : "text-rose-700 dark:text-rose-400"}
        >
          {e.action}
          {units ? ` ${units}` : ""}
        </span>{" "}
        <span className="font-medium">{e.symbol}</span>
        <span className="text-slate-500">
          {" "}
          {e.exchange} · {e.product}
          {price ? ` · ${price}` : ""}
        </span>
      </td>
      <td className={cx(e.masterBefore === null ? "hidden py-1.5 pr-3 md:table-cell" : cell, "text-xs tabular-nums")}>
        <span className={lbl}>Master</span>
        {e.masterBefore === null || e.masterAfter === null
          ? "—"
          : e.masterBefore === e.masterAfter
            ? signedQty(e.masterAfter)
            : `${signedQty(e.masterBefore)} → ${signedQty(e.masterAfter)}`}
      </td>
      <td className={`${cell} text-xs`}>
        <span className="inline-flex flex-wrap items-center gap-1">
          <Badge tone={EVENT_STATUS_TONE[e.status]}>{e.status.toLowerCase()}</Badge>
          {e.runId ? (
            <Link href={`/executions/${e.runId}`} className="text-indigo-700 hover:underline dark:text-indigo-300">
              run
            </Link>
          ) : null}
        </span>
        {e.reason ? <span className="block text-slate-500">{e.reason}</span> : null}
      </td>
      <td className={`${cell} space-y-0.5`}>
        {e.children.length === 0 ? <span className="text-xs text-slate-400">—</span> : null}
        {e.children.map((c) => (
          <ChildOrder key={c.accountId} order={c} eventStatus={e.status} />
        ))}
      </td>
    </tr>
  );
}
