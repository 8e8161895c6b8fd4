/**
 * The live positions book: re-pricing ledger rows at a new LTP and the subtotals per account, per strategy and
 * overall. One definition for every screen and stream (docs/live-streams.md "The user stream"): unrealised P&L is
 * the ledger's `(LTP − average) × net quantity` (./ledger.ts `unrealisedPnl`), a row closed outside MirrorDesk
 * counts 0, and a subtotal only adds known amounts while counting the rows it could not price.
 */
import Decimal from "decimal.js";
import { unrealisedPnl } from "./ledger";

/** What the book needs of a ledger row (decimal strings, as the ledger's JSON rows carry them). */
export interface BookRow {
  accountId: string;
  accountName: string;
  strategyId: string | null;
  strategyName: string | null;
  runId: string | null;
  exchange: string;
  symbol: string;
  product: string;
  netQty: number;
  avgPrice: string | null;
  ltp: string | null;
  realisedPnl: string | null;
  unrealisedPnl: string | null;
  closedOutside: boolean;
}

/** A row's identity in the book (the ledger's position key: scope, account, contract, product). */
export const bookRowKey = (
  r: Pick<BookRow, "strategyId" | "runId" | "accountId" | "exchange" | "symbol" | "product">,
) => `${r.strategyId ?? ""}|${r.runId ?? ""}|${r.accountId}|${r.exchange}|${r.symbol}|${r.product}`;

/** Unrealised P&L of a row at `ltp` (decimal string or null), as the ledger values it. */
export function rowUnrealised(row: Pick<BookRow, "netQty" | "avgPrice" | "closedOutside">, ltp: string | null) {
  if (row.closedOutside && row.netQty !== 0) return "0";
  const value = unrealisedPnl(
    { netQty: row.netQty, avgPrice: row.avgPrice === null ? null : new Decimal(row.avgPrice) },
    ltp === null ? null : new Decimal(ltp),
  );
  return value?.toString() ?? null;
}

/** The row re-priced at `ltp`; a flat row keeps its (zero) unrealised P&L and shows no live price. */
export function repriceRow<T extends BookRow>(row: T, ltp: string): T {
  if (row.netQty === 0) return row;
  return { ...row, ltp, unrealisedPnl: rowUnrealised(row, ltp) };
}

export interface Subtotal {
  /** Account or strategy id; null for strategy-less runs (tickets) and for the grand total. */
  id: string | null;
  name: string;
  /** ₹, decimal strings: sums of the known amounts. */
  realised: string;
  unrealised: string;
  /** Open rows (net quantity not zero). */
  open: number;
  /** Rows whose realised or (open) unrealised P&L is unknown: the sums leave them out. */
  unpriced: number;
}

export interface BookTotals {
  accounts: Subtotal[];
  strategies: Subtotal[];
  total: Subtotal;
}

interface Acc {
  id: string | null;
  name: string;
  realised: Decimal;
  unrealised: Decimal;
  open: number;
  unpriced: number;
}

function add(acc: Acc, r: BookRow): void {
  if (r.realisedPnl !== null) acc.realised = acc.realised.plus(r.realisedPnl);
  if (r.unrealisedPnl !== null) acc.unrealised = acc.unrealised.plus(r.unrealisedPnl);
  if (r.netQty !== 0) acc.open += 1;
  if (r.realisedPnl === null || (r.netQty !== 0 && r.unrealisedPnl === null)) acc.unpriced += 1;
}

const out = (a: Acc): Subtotal => ({
  id: a.id,
  name: a.name,
  realised: a.realised.toString(),
  unrealised: a.unrealised.toString(),
  open: a.open,
  unpriced: a.unpriced,
});

const fresh = (id: string | null, name: string): Acc => ({
  id,
  name,
  realised: new Decimal(0),
  unrealised: new Decimal(0),
  open: 0,
  unpriced: 0,
});

/** Subtotals per account and per strategy (strategy-less rows under "Manual tickets"), and the grand total. */
export function bookTotals(rows: readonly BookRow[]): BookTotals {
  const accounts = new Map<string, Acc>();
  const strategies = new Map<string, Acc>();
  const total = fresh(null, "Total");
  for (const r of rows) {
    let a = accounts.get(r.accountId);
    if (!a) accounts.set(r.accountId, (a = fresh(r.accountId, r.accountName)));
    const sKey = r.strategyId ?? "";
    let s = strategies.get(sKey);
    if (!s) strategies.set(sKey, (s = fresh(r.strategyId, r.strategyName ?? "Manual tickets")));
    add(a, r);
    add(s, r);
    add(total, r);
  }
  const byName = (x: Subtotal, y: Subtotal) => x.name.localeCompare(y.name);
  return {
    accounts: [...accounts.values()].map(out).sort(byName),
    strategies: [...strategies.values()].map(out).sort(byName),
    total: out(total),
  };
}
