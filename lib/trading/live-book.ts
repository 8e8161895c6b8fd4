/**
 * The live positions book: re-pricing ledger rows at a new LTP and the subtotals per account, per strategy and
 * overall. One definition of unrealised P&L for every screen, stream and P&L snapshot (docs/market-data.md
 * "Unrealised P&L: one definition"): a row's is the ledger's `(LTP − average) × net quantity` (./ledger.ts
 * `unrealisedPnl`), a row closed outside MirrorDesk counts 0, and a total with any part unknown is unknown
 * (`sumPnl`), never a silently smaller sum; the rows it could not price are counted so a screen can say how many.
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
  /** A copy group's row (its COPY runs book apart from manual tickets); absent or null otherwise. */
  copyGroupId?: string | null;
  exchange: string;
  symbol: string;
  product: string;
  netQty: number;
  avgPrice: string | null;
  ltp: string | null;
  realisedPnl: string | null;
  unrealisedPnl: string | null;
  closedOutside: boolean;
  /** Where the LTP came from (the live feed or a REST quote); absent = the feed. */
  priceSource?: "feed" | "rest" | null;
  /** The live feed flags the contract stale. */
  stale?: boolean;
}

/**
 * The one P&L sum: the total of ₹ amounts, or null when any of them is unknown (a missing price makes the total
 * unknown; the caller counts and shows how many rows were unpriced).
 */
export function sumPnl(values: Iterable<Decimal.Value | null>): Decimal | null {
  let total = new Decimal(0);
  for (const v of values) {
    if (v === null) return null;
    total = total.plus(v);
  }
  return total;
}

/**
 * A row's identity in the book (the ledger's position key: scope, account, contract, product). A copy group's row
 * carries its group, so it never shares a key with a manual ticket's row in the same contract.
 */
export const bookRowKey = (
  r: Pick<BookRow, "strategyId" | "runId" | "copyGroupId" | "accountId" | "exchange" | "symbol" | "product">,
) =>
  `${r.strategyId ?? ""}|${r.runId ?? ""}${r.copyGroupId ? `|copy:${r.copyGroupId}` : ""}|${r.accountId}|${r.exchange}|${r.symbol}|${r.product}`;

/** The subtotal a row counts under when grouped per strategy: its strategy, its copy group, or null (tickets). */
export const strategyGroupOf = (r: Pick<BookRow, "strategyId" | "copyGroupId">): string | null =>
  r.copyGroupId ? `copy:${r.copyGroupId}` : r.strategyId;

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
  /** Account or strategy id (`copy:<group id>` for a copy group); null for manual tickets and the grand total. */
  id: string | null;
  name: string;
  /** ₹, decimal strings (`sumPnl`): null when any row's amount is unknown. */
  realised: string | null;
  unrealised: string | null;
  /** realised + unrealised; null when either is unknown. */
  total: string | null;
  /** Open rows (net quantity not zero). */
  open: number;
  /** Rows whose realised or (open) unrealised P&L is unknown: each makes the matching sum unknown. */
  unpriced: number;
  /** Open rows priced, but not from a fresh live-feed quote (a REST quote, or a quote the feed flags stale). */
  notLive: number;
}

export interface BookTotals {
  accounts: Subtotal[];
  strategies: Subtotal[];
  total: Subtotal;
}

interface Acc {
  id: string | null;
  name: string;
  rows: BookRow[];
}

/** A flat row's unrealised P&L is 0 whatever its stored value says. */
const openUnrealised = (r: BookRow) => (r.netQty === 0 ? "0" : r.unrealisedPnl);

/** The subtotal of `rows` under one name: the one place rows are summed. */
export function subtotal(id: string | null, name: string, rows: readonly BookRow[]): Subtotal {
  const realised = sumPnl(rows.map((r) => r.realisedPnl));
  const unrealised = sumPnl(rows.map(openUnrealised));
  const open = rows.filter((r) => r.netQty !== 0);
  return {
    id,
    name,
    realised: realised?.toString() ?? null,
    unrealised: unrealised?.toString() ?? null,
    total: sumPnl([realised, unrealised])?.toString() ?? null,
    open: open.length,
    unpriced: rows.filter((r) => r.realisedPnl === null || openUnrealised(r) === null).length,
    notLive: open.filter((r) => r.ltp !== null && (r.stale === true || r.priceSource === "rest")).length,
  };
}

const out = (a: Acc): Subtotal => subtotal(a.id, a.name, a.rows);
const fresh = (id: string | null, name: string): Acc => ({ id, name, rows: [] });

/**
 * Subtotals per account and per strategy (a copy group's rows under the group, other strategy-less rows under
 * "Manual tickets"), and the grand total.
 */
export function bookTotals(rows: readonly BookRow[]): BookTotals {
  const accounts = new Map<string, Acc>();
  const strategies = new Map<string, Acc>();
  const total = fresh(null, "Total");
  for (const r of rows) {
    let a = accounts.get(r.accountId);
    if (!a) accounts.set(r.accountId, (a = fresh(r.accountId, r.accountName)));
    const sId = strategyGroupOf(r);
    let s = strategies.get(sId ?? "");
    if (!s) strategies.set(sId ?? "", (s = fresh(sId, r.strategyName ?? "Manual tickets")));
    a.rows.push(r);
    s.rows.push(r);
    total.rows.push(r);
  }
  const byName = (x: Subtotal, y: Subtotal) => x.name.localeCompare(y.name);
  return {
    accounts: [...accounts.values()].map(out).sort(byName),
    strategies: [...strategies.values()].map(out).sort(byName),
    total: out(total),
  };
}
