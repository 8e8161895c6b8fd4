"use client";

import Decimal from "decimal.js";
import Link from "next/link";
import { useEffect, useRef, type ReactNode } from "react";
import { cx } from "@/components/ui/primitives";
import { formatQty } from "@/lib/format";
import type { ChainContract, ChainSnapshot } from "@/lib/services/option-chain";
import type { ChainAnalytics, LegAnalytics } from "@/lib/trading/option-chain-view";

const priceFmt = new Intl.NumberFormat("en-IN", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A price as `1,234.50` (decimal string in, no float arithmetic); `—` when missing. */
export const px = (v: string | null | undefined) =>
  v === null || v === undefined ? "—" : priceFmt.format(new Decimal(v).toFixed(2) as unknown as number);
const qty = (n: number | null | undefined) => (n === null || n === undefined ? "—" : formatQty(n));
const fixed = (n: number | null | undefined, d: number) => (n === null || n === undefined ? "—" : n.toFixed(d));

function change(c: ChainContract | null): { text: string; tone: string } {
  if (!c?.ltp || !c.prevClose) return { text: "—", tone: "" };
  const d = new Decimal(c.ltp).minus(c.prevClose);
  return {
    text: `${d.isPositive() && !d.isZero() ? "+" : ""}${px(d.toString())}`,
    tone: d.isZero()
      ? ""
      : d.isPositive()
        ? "text-emerald-600 dark:text-emerald-400"
        : "text-rose-600 dark:text-rose-400",
  };
}

function oiChange(c: ChainContract | null): { text: string; tone: string } {
  if (c?.oi === null || c?.oi === undefined || c.oiBase === null) return { text: "—", tone: "" };
  const d = c.oi - c.oiBase;
  return {
    text: `${d > 0 ? "+" : ""}${formatQty(d)}`,
    tone: d === 0 ? "" : d > 0 ? "text-emerald-600 dark:text-emerald-400" : "text-rose-600 dark:text-rose-400",
  };
}

/** A bid (sell there) or ask (buy there) that opens the ticket with that leg filled in. */
function TradeLink({ c, action, children }: { c: ChainContract; action: "BUY" | "SELL"; children: ReactNode }) {
  const href = `/trade?${new URLSearchParams({ symbol: c.symbol, exchange: c.exchange, action })}`;
  return (
    <Link
      href={href}
      title={`${action === "BUY" ? "Buy" : "Sell"} ${c.symbol}`}
      className={cx(
        "rounded px-0.5 hover:underline",
        action === "BUY" ? "text-emerald-700 dark:text-emerald-400" : "text-rose-700 dark:text-rose-400",
      )}
    >
      {children}
    </Link>
  );
}

const COLS = [
  "OI",
  "OI chg",
  "Volume",
  "IV",
  "Delta",
  "Gamma",
  "Theta",
  "Vega",
  "Bid qty",
  "Bid",
  "Ask",
  "Ask qty",
  "Chg",
  "LTP",
];

/** One side's cells, outermost first for calls and innermost first for puts (LTP next to the strike). */
function sideCells(c: ChainContract | null, a: LegAnalytics | null, side: "CE" | "PE", itm: boolean) {
  const ch = change(c);
  const oc = oiChange(c);
  const label = `${side} ${c?.symbol ?? ""}`;
  const cells: [string, ReactNode, string?][] = [
    ["OI", qty(c?.oi)],
    ["OI chg", oc.text, oc.tone],
    ["Volume", qty(c?.volume)],
    ["IV", a?.iv === null || a?.iv === undefined ? "—" : (a.iv * 100).toFixed(1)],
    ["Delta", fixed(a?.delta, 3)],
    ["Gamma", fixed(a?.gamma, 5)],
    ["Theta", fixed(a?.theta, 2)],
    ["Vega", fixed(a?.vega, 2)],
    ["Bid qty", qty(c?.bidQty)],
    [
      "Bid",
      c?.bid ? (
        <TradeLink c={c} action="SELL">
          {px(c.bid)}
        </TradeLink>
      ) : (
        "—"
      ),
    ],
    [
      "Ask",
      c?.ask ? (
        <TradeLink c={c} action="BUY">
          {px(c.ask)}
        </TradeLink>
      ) : (
        "—"
      ),
    ],
    ["Ask qty", qty(c?.askQty)],
    ["Chg", ch.text, ch.tone],
    [
      "LTP",
      c ? (
        <span className="inline-flex items-center gap-1">
          {c.stale ? (
            <span className="rounded bg-amber-100 px-1 text-[10px] font-semibold text-amber-800 dark:bg-amber-500/20 dark:text-amber-300">
              STALE
            </span>
          ) : null}
          {c.source === "rest" ? (
            <span
              title="Filled from a REST quote while the feed was silent"
              className="rounded bg-slate-200 px-1 text-[10px] font-semibold text-slate-700 dark:bg-slate-700 dark:text-slate-200"
            >
              REST
            </span>
          ) : null}
          <span className="font-medium">{px(c.ltp)}</span>
        </span>
      ) : (
        "—"
      ),
      "",
    ],
  ];
  const ordered = side === "CE" ? cells : [...cells].reverse();
  return ordered.map(([col, body, tone]) => (
    <td
      key={`${side}-${col}`}
      data-col={`${side}-${col}`}
      aria-label={col === "LTP" ? `${label} LTP` : undefined}
      className={cx(
        "px-1.5 py-1 text-right whitespace-nowrap tabular-nums",
        itm && "bg-amber-50/70 dark:bg-amber-500/5",
        c?.stale && "text-slate-400 dark:text-slate-500",
        tone,
      )}
    >
      {body}
    </td>
  ));
}

/**
 * The chain: calls left, puts right, strikes in the middle (kept in view while scrolling sideways). The ATM row is
 * highlighted; in-the-money sides are shaded against the live spot.
 */
export function ChainTable({ chain, analytics }: { chain: ChainSnapshot; analytics: ChainAnalytics }) {
  const spot = chain.spot.ltp ? new Decimal(chain.spot.ltp) : null;
  const box = useRef<HTMLDivElement>(null);
  // The ATM row (and on a narrow screen the strike column) is brought to the middle of the view when the chain
  // opens and whenever the ATM moves; otherwise the reader's own scrolling is left alone.
  useEffect(() => {
    const el = box.current;
    const row = el?.querySelector<HTMLTableRowElement>('tr[data-atm="true"]');
    const strike = row?.querySelector<HTMLTableCellElement>("td[data-strike-cell]");
    if (!el || !row || !strike) return;
    el.scrollTop = row.offsetTop - el.clientHeight / 2 + row.clientHeight / 2;
    el.scrollLeft = strike.offsetLeft - el.clientWidth / 2 + strike.clientWidth / 2;
  }, [chain.atm, chain.underlying, chain.expiry]);
  return (
    <div
      ref={box}
      className="max-h-[75vh] overflow-auto rounded-lg ring-1 ring-slate-200 dark:ring-slate-800"
      data-testid="chain-scroll"
    >
      <table className="min-w-full text-xs" aria-label="Option chain">
        <thead className="sticky top-0 z-20 bg-slate-50 text-[11px] text-slate-500 uppercase dark:bg-slate-900 dark:text-slate-400">
          <tr>
            <th
              colSpan={COLS.length}
              className="px-2 py-1 text-center font-semibold text-emerald-700 dark:text-emerald-400"
            >
              Calls (CE)
            </th>
            <th className="sticky right-0 left-0 z-10 bg-slate-50 px-2 py-1 dark:bg-slate-900" />
            <th colSpan={COLS.length} className="px-2 py-1 text-center font-semibold text-rose-700 dark:text-rose-400">
              Puts (PE)
            </th>
          </tr>
          <tr className="border-b border-slate-200 dark:border-slate-800">
            {COLS.map((c) => (
              <th key={`ce-${c}`} className="px-1.5 py-1 text-right font-medium whitespace-nowrap">
                {c}
              </th>
            ))}
            <th className="sticky right-0 left-0 z-10 bg-slate-100 px-2 py-1 text-center font-semibold text-slate-700 dark:bg-slate-800 dark:text-slate-200">
              Strike
            </th>
            {[...COLS].reverse().map((c) => (
              <th key={`pe-${c}`} className="px-1.5 py-1 text-right font-medium whitespace-nowrap">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {chain.rows.map((r, i) => {
            const k = new Decimal(r.strike);
            const atm = k.eq(chain.atm);
            const a = analytics.rows[i];
            return (
              <tr
                key={r.strike}
                data-strike={r.strike}
                data-atm={atm ? "true" : undefined}
                className={cx(atm && "bg-indigo-50 ring-1 ring-indigo-300 ring-inset dark:bg-indigo-500/10")}
              >
                {sideCells(r.ce, a?.ce ?? null, "CE", !!spot && k.lt(spot))}
                <td
                  data-strike-cell
                  className={cx(
                    "sticky right-0 left-0 z-10 px-2 py-1 text-center font-semibold whitespace-nowrap tabular-nums",
                    atm
                      ? "bg-indigo-100 text-indigo-800 dark:bg-indigo-900 dark:text-indigo-200"
                      : "bg-slate-100 dark:bg-slate-800",
                  )}
                >
                  {px(r.strike).replace(/\.00$/, "")}
                  {atm ? <span className="ml-1 text-[10px] font-bold">ATM</span> : null}
                </td>
                {sideCells(r.pe, a?.pe ?? null, "PE", !!spot && k.gt(spot))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
