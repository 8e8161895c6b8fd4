/**
 * Positions ledger (docs/architecture.md "Fills and the ledger"): what a strategy (or a run) holds in each account,
 * from broker-confirmed fills only. Pure: the caller passes the filled intents in time order and the LTPs.
 *
 * Method: AVERAGE COST per (scope, account, symbol, exchange, product).
 * - A fill that opens or adds to a position moves the average open price to the quantity-weighted mean.
 * - A fill that reduces it realises (fill price − average) × closed units (× −1 for a short) and leaves the average
 *   unchanged; a fill larger than the position closes it and opens the rest on the other side at the fill's price.
 * - Unrealised = (LTP − average) × signed net quantity.
 * Prices are the broker's average fill prices (never an LTP); a fill without one makes the row's prices unknown
 * (null) while its quantities stay exact.
 *
 * Attribution: an entry intent belongs to its run (and the run's strategy); a broker-side stop (a STOP_ORDERS run's
 * intent) to the run it protects. An exit intent belongs to what its exit leg's allocations name, in order: the first
 * allocation takes the leg's first filled units. Units no allocation covers (a kill switch flattening a position
 * MirrorDesk did not open) belong to no scope and are left out.
 */
import Decimal from "decimal.js";

export type Side = "BUY" | "SELL";

/** Who a position belongs to: a strategy, or (for runs without one, such as tickets) a run. */
export interface LedgerScope {
  strategyId: string | null;
  runId: string | null;
  /** COPY runs book per copy group (never merged with manual tickets); absent for every other run. */
  copyGroupId?: string | null;
}

export interface LedgerFill {
  scope: LedgerScope;
  accountId: string;
  symbol: string;
  exchange: string;
  product: string;
  action: Side;
  /** Units filled (positive integer). */
  quantity: number;
  /** The broker's average fill price, ₹ per unit; null when the broker did not report it. */
  price: Decimal | null;
}

export interface LedgerPosition {
  scope: LedgerScope;
  accountId: string;
  symbol: string;
  exchange: string;
  product: string;
  /** Signed units: negative = short. */
  netQty: number;
  /** Average open price of `netQty`; null when flat or when a fill had no price. */
  avgPrice: Decimal | null;
  /** Realised P&L, ₹; null when a fill had no price. */
  realisedPnl: Decimal | null;
  boughtQty: number;
  soldQty: number;
}

const ZERO = new Decimal(0);

export const scopeKey = (s: LedgerScope) =>
  `${s.strategyId ?? ""}|${s.runId ?? ""}${s.copyGroupId ? `|copy:${s.copyGroupId}` : ""}`;
export const positionKey = (p: Pick<LedgerFill, "scope" | "accountId" | "symbol" | "exchange" | "product">) =>
  `${scopeKey(p.scope)}|${p.accountId}|${p.exchange}|${p.symbol}|${p.product}`;

interface Book {
  position: LedgerPosition;
  priced: boolean;
  avg: Decimal;
  realised: Decimal;
}

/** Applies one fill to a position under the average-cost method. */
function apply(book: Book, fill: LedgerFill): void {
  if (!Number.isSafeInteger(fill.quantity) || fill.quantity <= 0)
    throw new RangeError(`fill quantity must be a positive integer, got ${fill.quantity}`);
  const p = book.position;
  const signed = fill.action === "BUY" ? fill.quantity : -fill.quantity;
  if (fill.action === "BUY") p.boughtQty += fill.quantity;
  else p.soldQty += fill.quantity;
  if (fill.price === null) book.priced = false;
  const px = fill.price ?? ZERO;
  const before = p.netQty;
  const after = before + signed;
  if (before === 0 || Math.sign(before) === Math.sign(signed)) {
    // Opening or adding: weighted mean of the open units.
    book.avg = book.avg.mul(Math.abs(before)).plus(px.mul(fill.quantity)).div(Math.abs(after));
  } else {
    const closed = Math.min(Math.abs(before), fill.quantity);
    // Long closed by a sell: (px − avg) per unit; short closed by a buy: (avg − px).
    book.realised = book.realised.plus(px.minus(book.avg).mul(closed).mul(Math.sign(before)));
    if (after === 0) book.avg = ZERO;
    else if (Math.sign(after) !== Math.sign(before)) book.avg = px;
  }
  p.netQty = after;
}

/** Net positions per (scope, account, symbol, exchange, product) from fills given in time order. */
export function buildLedger(fills: readonly LedgerFill[]): LedgerPosition[] {
  const books = new Map<string, Book>();
  for (const f of fills) {
    const key = positionKey(f);
    let book = books.get(key);
    if (!book) {
      book = {
        position: {
          scope: f.scope,
          accountId: f.accountId,
          symbol: f.symbol,
          exchange: f.exchange,
          product: f.product,
          netQty: 0,
          avgPrice: null,
          realisedPnl: null,
          boughtQty: 0,
          soldQty: 0,
        },
        priced: true,
        avg: ZERO,
        realised: ZERO,
      };
      books.set(key, book);
    }
    apply(book, f);
  }
  return [...books.values()].map((b) => ({
    ...b.position,
    avgPrice: b.priced && b.position.netQty !== 0 ? b.avg : null,
    realisedPnl: b.priced ? b.realised : null,
  }));
}

/** Unrealised P&L of a position at `ltp`, ₹: zero when flat; null without a price or a known average. */
export function unrealisedPnl(p: Pick<LedgerPosition, "netQty" | "avgPrice">, ltp: Decimal | null): Decimal | null {
  if (p.netQty === 0) return ZERO;
  if (ltp === null || p.avgPrice === null || !ltp.gt(0)) return null;
  return ltp.minus(p.avgPrice).mul(p.netQty);
}

/** Where an exit leg's filled units go, in order; `runId: null` = not MirrorDesk's (kill switch flatten). */
export interface ExitAllocation {
  runId: string | null;
  strategyId: string | null;
  /** Set when the exit closes the over-filled excess of this leg of `runId`. */
  legIndex: number | null;
  /** Units of the exit leg meant for this scope. */
  quantity: number;
  /** With `runId` null: close whatever runs hold at that point of the replay (kill switch, account flatten). */
  auto?: boolean;
}

/** One slice of an exit leg: units filled and their average price. */
export interface SliceFill {
  filled: number;
  price: Decimal | null;
}

/**
 * Splits an exit leg's filled units (slices in slice order) over its allocations in order. Returns one part per
 * (slice, allocation) pair that received units; `allocation` null for units beyond every allocation.
 */
export function splitExitFills(
  slices: readonly SliceFill[],
  allocations: readonly ExitAllocation[],
): { allocation: ExitAllocation | null; quantity: number; price: Decimal | null }[] {
  const out: { allocation: ExitAllocation | null; quantity: number; price: Decimal | null }[] = [];
  let a = 0;
  let room = allocations[0]?.quantity ?? 0;
  for (const s of slices) {
    let left = s.filled;
    while (left > 0) {
      while (a < allocations.length && room <= 0) {
        a += 1;
        room = allocations[a]?.quantity ?? 0;
      }
      const allocation = a < allocations.length ? allocations[a] : null;
      const take = allocation ? Math.min(left, room) : left;
      out.push({ allocation, quantity: take, price: s.price });
      left -= take;
      if (allocation) room -= take;
    }
  }
  return out;
}

/** One filled (or partly filled) intent, with its run's kind and strategy. */
export interface IntentFill {
  runId: string;
  runKind: "STRATEGY" | "ADJUSTMENT" | "TICKET" | "EXIT" | "COPY" | "STOP_ORDERS";
  strategyId: string | null;
  /** A STOP_ORDERS run's protected run: its stops' fills close that run's position (docs/risk.md). */
  protectsRunId?: string | null;
  accountId: string;
  legIndex: number;
  sliceIndex: number;
  symbol: string;
  exchange: string;
  product: string;
  action: Side;
  filledQuantity: number;
  averagePrice: Decimal | null;
  /** The copy group of a COPY run. */
  copyGroupId?: string | null;
}

export type Granularity = "strategy" | "run";

/**
 * The scope a fill of `runId`/`strategyId` is booked under: per run, or per strategy — where every run without a
 * strategy (manual tickets) shares one scope, so offsetting tickets in one contract net to one position.
 */
export function scopeFor(
  strategyId: string | null,
  runId: string | null,
  granularity: Granularity,
  copyGroupId: string | null = null,
): LedgerScope {
  const group = copyGroupId ? { copyGroupId } : {};
  if (granularity === "run") return { strategyId, runId, ...group };
  return { strategyId, runId: null, ...group };
}

/**
 * Ledger fills from intents in time order. `allocations` gives each exit leg's allocations, keyed
 * `runId|accountId|legIndex`; an exit leg without any is not attributed. An `auto` allocation (a kill switch or an
 * account flatten) closes, first in first out, whatever entry runs hold on the other side of that position at that
 * point of the replay; what is left belongs to nobody.
 */
export function ledgerFills(
  rows: readonly IntentFill[],
  allocations: ReadonlyMap<string, readonly ExitAllocation[]>,
  granularity: Granularity,
): LedgerFill[] {
  const out: LedgerFill[] = [];
  // Exit fills booked to a COPY run stay in its copy group's scope.
  const groupOf = new Map(rows.filter((r) => r.copyGroupId).map((r) => [r.runId, r.copyGroupId!]));
  const exitLegs = new Map<string, IntentFill[]>();
  const order: (IntentFill | string)[] = [];
  for (const r of rows) {
    if (r.filledQuantity <= 0) continue;
    if (r.runKind !== "EXIT") {
      order.push(r);
      continue;
    }
    const key = `${r.runId}|${r.accountId}|${r.legIndex}`;
    if (!exitLegs.has(key)) {
      exitLegs.set(key, []);
      order.push(key);
    }
    exitLegs.get(key)!.push(r);
  }
  // Run-level positions as the replay goes, per (account, contract, product), in the order runs opened them.
  const open = new Map<string, Map<string, { strategyId: string | null; net: number }>>();
  const book = (r: IntentFill, runId: string, strategyId: string | null, signed: number) => {
    const k = `${r.accountId}|${r.exchange}|${r.symbol}|${r.product}`;
    const runs = open.get(k) ?? new Map<string, { strategyId: string | null; net: number }>();
    open.set(k, runs);
    const p = runs.get(runId) ?? { strategyId, net: 0 };
    p.net += signed;
    runs.set(runId, p);
  };
  const base = (r: IntentFill) => ({
    accountId: r.accountId,
    symbol: r.symbol,
    exchange: r.exchange,
    product: r.product,
    action: r.action,
  });
  const emit = (r: IntentFill, runId: string, strategyId: string | null, quantity: number, price: Decimal | null) => {
    out.push({ ...base(r), scope: scopeFor(strategyId, runId, granularity, groupOf.get(runId)), quantity, price });
    book(r, runId, strategyId, r.action === "BUY" ? quantity : -quantity);
  };
  for (const item of order) {
    if (typeof item !== "string") {
      emit(item, item.protectsRunId ?? item.runId, item.strategyId, item.filledQuantity, item.averagePrice);
      continue;
    }
    const slices = [...exitLegs.get(item)!].sort((x, y) => x.sliceIndex - y.sliceIndex);
    const first = slices[0];
    const parts = splitExitFills(
      slices.map((s) => ({ filled: s.filledQuantity, price: s.averagePrice })),
      allocations.get(item) ?? [],
    );
    for (const part of parts) {
      const a = part.allocation;
      if (!a) continue;
      if (a.runId !== null) {
        emit(first, a.runId, a.strategyId, part.quantity, part.price);
        continue;
      }
      if (!a.auto) continue;
      // A SELL closes longs, a BUY closes shorts: never more than a run holds on that side.
      const dir = first.action === "SELL" ? 1 : -1;
      let left = part.quantity;
      for (const [runId, p] of open.get(`${first.accountId}|${first.exchange}|${first.symbol}|${first.product}`) ??
        []) {
        if (left === 0) break;
        const take = Math.sign(p.net) === dir ? Math.min(left, Math.abs(p.net)) : 0;
        if (take > 0) emit(first, runId, p.strategyId, take, part.price);
        left -= take;
      }
    }
  }
  return out;
}

/** Units of exit fills booked against the excess of leg `legIndex` of `runId` in `accountId`. */
export function excessExited(
  rows: readonly IntentFill[],
  allocations: ReadonlyMap<string, readonly ExitAllocation[]>,
  target: { runId: string; accountId: string; legIndex: number },
): number {
  const legs = new Map<string, IntentFill[]>();
  for (const r of rows) {
    if (r.runKind !== "EXIT" || r.accountId !== target.accountId || r.filledQuantity <= 0) continue;
    const key = `${r.runId}|${r.accountId}|${r.legIndex}`;
    legs.set(key, [...(legs.get(key) ?? []), r]);
  }
  let units = 0;
  for (const [key, slices] of legs) {
    const sorted = slices.sort((x, y) => x.sliceIndex - y.sliceIndex);
    for (const part of splitExitFills(
      sorted.map((s) => ({ filled: s.filledQuantity, price: s.averagePrice })),
      allocations.get(key) ?? [],
    )) {
      const a = part.allocation;
      if (a && a.runId === target.runId && a.legIndex === target.legIndex) units += part.quantity;
    }
  }
  return units;
}
