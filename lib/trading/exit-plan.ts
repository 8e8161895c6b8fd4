/**
 * Exit planning (docs/architecture.md "Exits"): the orders that take one account's position in a scope back to flat.
 * Pure.
 *
 * - Exit orders are the exact inverse of what is held: per (symbol, exchange, product), a SELL for a long and a BUY
 *   for a short, in the same product and exchange, sliced below the freeze quantity in whole lots.
 * - Never more than the broker's net in that direction: the broker's net position caps every exit, so an exit can
 *   neither over-exit nor flip the sign. Ledger holdings on the other side of the broker's net (crossed with another
 *   strategy or a manual trade) are not exited, with a warning.
 * - Shorts are bought back first (phase 1), then longs sold (phase 2).
 * - `scoped` exits what the ledger says the scope holds (a run, a strategy, a leg's excess); `flatten` (kill switch,
 *   one account) exits everything the broker shows, attributing what it can to ledger holdings.
 */
import Decimal from "decimal.js";
import { sliceQuantities } from "./instruments";
import type { ExitAllocation, Side } from "./ledger";
import { runTotals, type RunPreview } from "./plan";
import type { AccountPlan, PlannedLeg } from "./plan-account";
import { legOfSymbol, type ResolvedLeg } from "./resolve-legs";

/** The broker's net position of one (symbol, exchange, product): signed units. */
export interface BrokerNet {
  symbol: string;
  exchange: string;
  product: string;
  quantity: number;
}

/** What the ledger says one entry run (or one leg's excess) holds in the account. */
export interface Holding {
  runId: string;
  strategyId: string | null;
  /** Set for an excess exit: the leg whose over-fill this is. */
  legIndex: number | null;
  symbol: string;
  exchange: string;
  product: string;
  /** Signed units held. */
  netQty: number;
}

/** Lot size and freeze quantity of a contract (freeze null = unknown: one slice). */
export interface ExitInstrument {
  lotSize: number;
  freezeQty: number | null;
}

export type ExitMode = "scoped" | "flatten";

export interface AccountExitInput {
  mode: ExitMode;
  /** In exit order: the first holding of a key gets the broker's capacity first. */
  holdings: readonly Holding[];
  broker: readonly BrokerNet[];
  /** Keyed by `instrumentKey(exchange, symbol)`; a missing contract trades in lots of 1, unsliced. */
  instruments: ReadonlyMap<string, ExitInstrument>;
}

export interface ExitLeg {
  symbol: string;
  exchange: string;
  product: string;
  action: Side;
  /** 1 = buy back shorts, 2 = sell longs. */
  phase: 1 | 2;
  /** Units, a whole number of lots. */
  quantity: number;
  lotSize: number;
  freezeQty: number | null;
  slices: number[];
  /** Whose position each unit closes, in order; they sum to `quantity`. */
  allocations: ExitAllocation[];
}

export interface AccountExitPlan {
  legs: ExitLeg[];
  warnings: string[];
}

export const instrumentKey = (exchange: string, symbol: string) => `${exchange}:${symbol}`;
const positionKey = (p: { exchange: string; symbol: string; product: string }) =>
  `${p.exchange}:${p.symbol}:${p.product}`;

function checkUnits(what: string, n: number): void {
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} must be a whole number of units, got ${n}`);
}

/** Trims allocations from the end so they sum to `total`. */
function trimTo(allocations: ExitAllocation[], total: number): ExitAllocation[] {
  let excess = allocations.reduce((s, a) => s + a.quantity, 0) - total;
  const out = allocations.map((a) => ({ ...a }));
  for (let i = out.length - 1; i >= 0 && excess > 0; i--) {
    const cut = Math.min(out[i].quantity, excess);
    out[i].quantity -= cut;
    excess -= cut;
  }
  return out.filter((a) => a.quantity > 0);
}

/** The exit orders of one account (see the file comment for the rules). */
export function planAccountExit(input: AccountExitInput): AccountExitPlan {
  const warnings: string[] = [];
  const broker = new Map<string, BrokerNet>();
  for (const b of input.broker) {
    checkUnits(`broker position ${b.symbol}`, b.quantity);
    const k = positionKey(b);
    const prev = broker.get(k);
    broker.set(k, { ...b, quantity: (prev?.quantity ?? 0) + b.quantity });
  }
  const holdings = new Map<string, Holding[]>();
  for (const h of input.holdings) {
    checkUnits(`holding ${h.symbol}`, h.netQty);
    if (h.netQty === 0) continue;
    const k = positionKey(h);
    holdings.set(k, [...(holdings.get(k) ?? []), h]);
  }
  const keys = input.mode === "flatten" ? [...broker.keys()] : [...holdings.keys()];
  const legs: ExitLeg[] = [];
  for (const k of keys) {
    const hs = holdings.get(k) ?? [];
    const ref = broker.get(k) ?? hs[0];
    const net = broker.get(k)?.quantity ?? 0;
    const label = `${ref.symbol} ${ref.product}`;
    if (net === 0) {
      if (hs.length > 0)
        warnings.push(
          `${label}: the ledger holds ${hs.reduce((s, h) => s + h.netQty, 0)} but the broker shows no position; nothing exited`,
        );
      continue;
    }
    const dir = Math.sign(net);
    const capacity = Math.abs(net);
    const crossed = hs.filter((h) => Math.sign(h.netQty) !== dir);
    if (crossed.length > 0) {
      warnings.push(
        `${label}: ${crossed.map((h) => h.netQty).join(", ")} held against a broker net of ${net} (crossed with another position); not exited`,
      );
    }
    const allocations: ExitAllocation[] = [];
    let used = 0;
    for (const h of hs.filter((x) => Math.sign(x.netQty) === dir)) {
      const take = Math.min(Math.abs(h.netQty), capacity - used);
      if (take < Math.abs(h.netQty))
        warnings.push(`${label}: the ledger holds ${h.netQty} but the broker's net is ${net}; exiting ${take}`);
      if (take > 0)
        allocations.push({ runId: h.runId, strategyId: h.strategyId, legIndex: h.legIndex, quantity: take });
      used += take;
    }
    // The rest of a flatten closes whatever runs hold when the ledger replays it (or nobody's, if none).
    if (input.mode === "flatten" && used < capacity)
      allocations.push({ runId: null, strategyId: null, legIndex: null, quantity: capacity - used, auto: true });
    const inst = input.instruments.get(instrumentKey(ref.exchange, ref.symbol)) ?? { lotSize: 1, freezeQty: null };
    let freeze = inst.freezeQty;
    if (freeze !== null && (freeze === 1 || freeze < inst.lotSize)) {
      if (freeze !== 1)
        warnings.push(`${label}: freeze quantity ${freeze} is below one lot of ${inst.lotSize}; sent unsliced`);
      freeze = null;
    }
    const total = allocations.reduce((s, a) => s + a.quantity, 0);
    const whole = total - (total % inst.lotSize);
    if (whole < total)
      warnings.push(`${label}: ${total - whole} unit(s) are not a whole lot of ${inst.lotSize}; left for a person`);
    if (whole === 0) continue;
    const action: Side = dir > 0 ? "SELL" : "BUY";
    legs.push({
      symbol: ref.symbol,
      exchange: ref.exchange,
      product: ref.product,
      action,
      phase: action === "BUY" ? 1 : 2,
      quantity: whole,
      lotSize: inst.lotSize,
      freezeQty: freeze,
      slices: sliceQuantities(whole, inst.lotSize, freeze ?? 1),
      allocations: trimTo(allocations, whole),
    });
  }
  legs.sort((a, b) => a.phase - b.phase || positionKey(a).localeCompare(positionKey(b)));
  return { legs, warnings };
}

/** Units of a leg's over-fill still to exit: filled − target − already exited, never negative. */
export function legExcess(target: number, filled: number, exited: number): number {
  return Math.max(0, filled - target - exited);
}

export interface AccountExit {
  accountId: string;
  accountName: string;
  plan: AccountExitPlan;
}

/** What an EXIT run stores besides its preview: each (account, leg)'s allocations, for the ledger. */
export interface ExitRunAttribution {
  exitId: string;
  legs: { accountId: string; legIndex: number; allocations: ExitAllocation[] }[];
}

const legId = (l: Pick<ExitLeg, "exchange" | "symbol" | "product" | "action">) =>
  `${l.action}:${l.exchange}:${l.symbol}:${l.product}`;

/**
 * The run preview of one exit attempt over several accounts: one run-wide leg per (action, contract, product), BUY
 * legs first, each account placing its own quantity of the legs it holds (market orders), plus the attribution.
 */
export function exitRunPreview(
  exitId: string,
  accounts: readonly AccountExit[],
): { preview: RunPreview; attribution: ExitRunAttribution } {
  const byId = new Map<string, ExitLeg>();
  for (const a of accounts) for (const l of a.plan.legs) if (!byId.has(legId(l))) byId.set(legId(l), l);
  const ordered = [...byId.values()].sort((a, b) => a.phase - b.phase || legId(a).localeCompare(legId(b)));
  const index = new Map(ordered.map((l, i) => [legId(l), i]));
  const legs: ResolvedLeg[] = ordered.map((l, legIndex) =>
    legOfSymbol({
      legIndex,
      symbol: l.symbol,
      exchange: l.exchange,
      action: l.action,
      lotSize: l.lotSize,
      freezeQty: l.freezeQty,
    }),
  );
  const attribution: ExitRunAttribution = { exitId, legs: [] };
  const plans: AccountPlan[] = accounts.map((a) => {
    const planned: PlannedLeg[] = a.plan.legs.map((l) => {
      const legIndex = index.get(legId(l))!;
      attribution.legs.push({ accountId: a.accountId, legIndex, allocations: l.allocations });
      return {
        legIndex,
        symbol: l.symbol,
        exchange: l.exchange,
        action: l.action,
        product: l.product as PlannedLeg["product"],
        priceType: "MARKET",
        price: null,
        phase: l.phase,
        lots: l.quantity / l.lotSize,
        lotSize: l.lotSize,
        quantity: l.quantity,
        slices: l.slices,
        marginKind: "wing",
        marginNeeded: null,
        marginAvailable: null,
        warnings: [],
      };
    });
    return {
      status: "planned",
      accountId: a.accountId,
      accountName: a.accountName,
      legs: planned,
      marginSource: "available",
      marginAvailable: new Decimal(0),
      marginNeeded: new Decimal(0),
      warnings: a.plan.warnings,
    };
  });
  return { preview: { legs, conditions: {}, accounts: plans, totals: runTotals(plans) }, attribution };
}
