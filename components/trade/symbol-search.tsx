"use client";

import { useQuery } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api } from "@/components/ui/api";
import { Input, Select, cx } from "@/components/ui/primitives";
import { formatQty } from "@/lib/format";

/** One search result (lib/brokers/market-types.ts SymbolInfo over JSON). */
export interface SymbolJson {
  symbol: string;
  exchange: string;
  name: string;
  instrumentType: string;
  expiry: string | null;
  strike: string | null;
  lotSize: number;
  freezeQty: number | null;
  tickSize: string;
}

export const TICKET_EXCHANGES = ["NSE", "BSE", "NFO", "BFO"] as const;

/** Debounced symbol search through the primary account (the market-data source). */
export function SymbolSearch({
  selected,
  onSelect,
  disabled,
}: {
  selected: SymbolJson | null;
  onSelect: (s: SymbolJson) => void;
  disabled?: boolean;
}) {
  const [text, setText] = useState("");
  const [exchange, setExchange] = useState("");
  const [q, setQ] = useState("");
  useEffect(() => {
    const t = setTimeout(() => setQ(text.trim()), 300);
    return () => clearTimeout(t);
  }, [text]);
  const search = useQuery({
    queryKey: ["symbols", q, exchange],
    queryFn: () =>
      api<{ results: SymbolJson[] }>(
        `/api/symbols/search?${new URLSearchParams({ q, ...(exchange ? { exchange } : {}) })}`,
      ),
    enabled: q.length >= 2,
    staleTime: 60_000,
  });
  const results = search.data?.results ?? [];

  return (
    <div className="space-y-2">
      <div className="flex gap-2">
        <Input
          aria-label="Symbol search"
          placeholder="Search symbol: NIFTY25NOV, SBIN…"
          value={text}
          disabled={disabled}
          onChange={(e) => setText(e.target.value.toUpperCase())}
        />
        <Select
          aria-label="Exchange filter"
          value={exchange}
          disabled={disabled}
          onChange={(e) => setExchange(e.target.value)}
        >
          <option value="">All exchanges</option>
          {TICKET_EXCHANGES.map((x) => (
            <option key={x}>{x}</option>
          ))}
        </Select>
      </div>
      {q.length >= 2 ? (
        <div
          className="max-h-64 overflow-y-auto rounded-md ring-1 ring-slate-200 dark:ring-slate-800"
          role="listbox"
          aria-label="Symbols"
        >
          {search.isFetching && results.length === 0 ? (
            <p className="px-3 py-2 text-sm text-slate-500">Searching…</p>
          ) : null}
          {search.isError ? <p className="px-3 py-2 text-sm text-rose-600">{search.error.message}</p> : null}
          {search.isSuccess && results.length === 0 ? (
            <p className="px-3 py-2 text-sm text-slate-500">No symbols match “{q}”.</p>
          ) : null}
          {results.map((s) => {
            const active = selected?.symbol === s.symbol && selected.exchange === s.exchange;
            return (
              <button
                type="button"
                role="option"
                aria-selected={active}
                key={`${s.exchange}:${s.symbol}`}
                onClick={() => onSelect(s)}
                className={cx(
                  "flex w-full items-center gap-3 px-3 py-1 text-left text-sm hover:bg-slate-50 dark:hover:bg-slate-800",
                  active && "bg-indigo-50 dark:bg-indigo-500/10",
                )}
              >
                <span className="font-mono">{s.symbol}</span>
                <span className="text-xs text-slate-500">
                  {s.exchange} · {s.instrumentType}
                  {s.expiry ? ` · ${s.expiry}` : ""}
                </span>
                <span className="num ml-auto text-xs text-slate-500">lot {formatQty(s.lotSize)}</span>
              </button>
            );
          })}
        </div>
      ) : null}
    </div>
  );
}
