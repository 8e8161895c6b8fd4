/**
 * Parity board (docs/architecture.md "Fills and the ledger"): for each account and leg, the target quantity (what was
 * planned) against what the broker filled, with the rest split by where it stands — working at the broker, still being
 * sent, unconfirmed or held (a retry reconciles and resends it, or sends it once the BUY phase is confirmed), or failed
 * for good (rejected, late-rejected, cancelled, skipped). Pure: the same function serves the API and the live run view
 * in the browser. Prices are decimal strings (₹ per unit).
 */
import Decimal from "decimal.js";

export interface ParityIntent {
  accountId: string;
  legIndex: number;
  symbol: string;
  action: string;
  /** Units of the slice. */
  quantity: number;
  state: string;
  filledQuantity: number;
  averagePrice: string | null;
  reason: string | null;
}

export interface ParityAccountInput {
  accountId: string;
  accountName: string;
  /** Why the account got no orders (zero lots, ...), or null when it was planned. */
  skipped: string | null;
}

/**
 * `ok` filled = target · `working` the rest is at the broker or on its way · `unconfirmed` some of it is unknown or
 * safe to resend (a retry sends what is missing, through reconciliation) · `short` some of it failed for good ·
 * `excess` more filled than the target.
 */
export type DriftKind = "ok" | "working" | "unconfirmed" | "short" | "excess";

export interface ParityCell {
  legIndex: number;
  symbol: string;
  action: string;
  target: number;
  filled: number;
  /** Working at the broker, not yet filled. */
  open: number;
  /** Planned or being sent. */
  pending: number;
  /** Outcome unknown or safe to resend: retryable. */
  unconfirmed: number;
  /** Rejected, late-rejected, cancelled or skipped, minus any part filled before. */
  failed: number;
  /** filled − target (negative: missing, positive: excess). */
  drift: number;
  kind: DriftKind;
  /** Quantity-weighted average of the priced fills, ₹ per unit; null when nothing priced is filled. */
  averagePrice: string | null;
  /** The brokers' reasons for what failed or is unconfirmed (distinct). */
  reasons: string[];
}

export interface ParityAccount extends ParityAccountInput {
  legs: ParityCell[];
  kind: DriftKind;
  /** Intents a retry would take up (unknown / safe to resend / held). */
  retryable: number;
}

export interface Parity {
  accounts: ParityAccount[];
  totals: { target: number; filled: number; open: number; pending: number; unconfirmed: number; failed: number };
  /** Accounts whose kind is neither `ok` nor `working`. */
  drifted: number;
}

const OPEN = new Set(["accepted", "reconciled_accepted", "partially_filled"]);
const PENDING = new Set(["planned", "claimed", "sending"]);
/** A retry takes these up: unconfirmed or never-placed sends, and SELL slices held behind a failed BUY phase. */
const UNCONFIRMED = new Set(["unknown", "safe_to_resend", "held"]);
const FAILED = new Set(["rejected", "rejected_late", "cancelled", "skipped"]);
const SEVERITY: Record<DriftKind, number> = { ok: 0, working: 1, unconfirmed: 2, short: 3, excess: 3 };

function cellOf(intents: readonly ParityIntent[]): ParityCell {
  const first = intents[0];
  let target = 0,
    filled = 0,
    open = 0,
    pending = 0,
    unconfirmed = 0,
    failed = 0,
    priced = 0;
  let value = new Decimal(0);
  const reasons = new Set<string>();
  for (const i of intents) {
    target += i.quantity;
    filled += i.filledQuantity;
    const rest = Math.max(i.quantity - i.filledQuantity, 0);
    if (OPEN.has(i.state)) open += rest;
    else if (PENDING.has(i.state)) pending += rest;
    else if (UNCONFIRMED.has(i.state)) unconfirmed += rest;
    else if (FAILED.has(i.state) && rest > 0) failed += rest;
    if ((UNCONFIRMED.has(i.state) || (FAILED.has(i.state) && rest > 0)) && i.reason) reasons.add(i.reason);
    if (i.filledQuantity > 0 && i.averagePrice !== null) {
      value = value.plus(new Decimal(i.averagePrice).times(i.filledQuantity));
      priced += i.filledQuantity;
    }
  }
  const kind: DriftKind =
    filled > target
      ? "excess"
      : filled === target
        ? "ok"
        : failed > 0
          ? "short"
          : unconfirmed > 0
            ? "unconfirmed"
            : "working";
  return {
    legIndex: first.legIndex,
    symbol: first.symbol,
    action: first.action,
    target,
    filled,
    open,
    pending,
    unconfirmed,
    failed,
    drift: filled - target,
    kind,
    averagePrice: priced > 0 ? value.div(priced).toDecimalPlaces(4).toFixed() : null,
    reasons: [...reasons],
  };
}

/**
 * One row per account (in the given order), one cell per (leg, symbol, side) it has intents for, in leg order.
 * Intents of accounts not listed are ignored.
 */
export function parityOf(accounts: readonly ParityAccountInput[], intents: readonly ParityIntent[]): Parity {
  const byAccount = new Map<string, Map<string, ParityIntent[]>>();
  for (const i of intents) {
    const cells = byAccount.get(i.accountId) ?? new Map<string, ParityIntent[]>();
    const key = `${i.legIndex}|${i.symbol}|${i.action}`;
    cells.set(key, [...(cells.get(key) ?? []), i]);
    byAccount.set(i.accountId, cells);
  }
  const totals = { target: 0, filled: 0, open: 0, pending: 0, unconfirmed: 0, failed: 0 };
  const rows = accounts.map((a): ParityAccount => {
    const cells = [...(byAccount.get(a.accountId)?.values() ?? [])]
      .map(cellOf)
      .sort((x, y) => x.legIndex - y.legIndex || x.symbol.localeCompare(y.symbol));
    for (const c of cells) for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += c[k];
    const kind = cells.reduce<DriftKind>((worst, c) => (SEVERITY[c.kind] > SEVERITY[worst] ? c.kind : worst), "ok");
    const retryable = intents.filter((i) => i.accountId === a.accountId && UNCONFIRMED.has(i.state)).length;
    return { ...a, legs: cells, kind, retryable };
  });
  return { accounts: rows, totals, drifted: rows.filter((r) => SEVERITY[r.kind] >= SEVERITY.unconfirmed).length };
}
