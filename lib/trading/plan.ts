/**
 * A run's preview: legs resolved once, market condition per underlying, then one plan (or skip reason) per account,
 * with totals. This is what the trader confirms before anything is sent, and what dispatch turns into intents.
 */
import Decimal from "decimal.js";
import { marketCondition } from "./expiry-choice";
import type { MarginModel, MarketCondition } from "./margin-model";
import { planAccount, type AccountInput, type AccountPlan } from "./plan-account";
import { resolveLegs, type LegResolutionError, type MarketSnapshot, type ResolvedLeg } from "./resolve-legs";
import type { StrategyDefinition } from "./strategy";

export interface RunTotals {
  accounts: number;
  accountsPlanned: number;
  accountsSkipped: number;
  /** Broker orders = slices across every planned account. */
  orders: number;
  /** Units across every slice. */
  quantity: number;
  /** Sum of the planned accounts' margin needs. */
  marginNeeded: Decimal;
}

export interface RunPreview {
  legs: ResolvedLeg[];
  /** Market condition used for each underlying's margin rates. */
  conditions: Record<string, MarketCondition>;
  accounts: AccountPlan[];
  totals: RunTotals;
}

export type RunPlanError = LegResolutionError | { legIndex: null; code: "duplicate_account" | "no_accounts"; message: string };

export type RunPlanResult = { ok: true; preview: RunPreview } | { ok: false; errors: RunPlanError[] };

export interface RunPlanInput {
  strategy: StrategyDefinition;
  snapshot: MarketSnapshot;
  /** IST trading date of the run. */
  today: string;
  accounts: readonly AccountInput[];
  marginModel: MarginModel;
}

/**
 * Market condition per underlying of the legs. With `auto`, each underlying is judged by its own OPTIONS expiry
 * list (a SENSEX Thursday is not a NIFTY expiry day); an underlying with only futures falls back to its futures list.
 */
export function marketConditionsFor(strategy: StrategyDefinition, snapshot: MarketSnapshot, today: string): Record<string, MarketCondition> {
  const out: Record<string, MarketCondition> = {};
  for (const leg of strategy.legs) {
    const u = leg.underlying.toUpperCase();
    if (Object.prototype.hasOwnProperty.call(out, u)) continue;
    const lists = snapshot.expiries[u];
    out[u] = marketCondition(strategy.marketCondition, lists?.options ?? lists?.futures ?? [], today);
  }
  return out;
}

/** Totals over account plans. */
export function runTotals(accounts: readonly AccountPlan[]): RunTotals {
  let orders = 0;
  let quantity = 0;
  let marginNeeded = new Decimal(0);
  let planned = 0;
  for (const a of accounts) {
    if (a.status !== "planned") continue;
    planned += 1;
    marginNeeded = marginNeeded.plus(a.marginNeeded);
    for (const leg of a.legs) {
      orders += leg.slices.length;
      quantity += leg.quantity;
    }
  }
  return { accounts: accounts.length, accountsPlanned: planned, accountsSkipped: accounts.length - planned, orders, quantity, marginNeeded };
}

/**
 * Plans a whole run. Leg resolution errors (no expiry, no quote for a protected limit, …) fail the run as a whole,
 * since every account would trade the same contracts; per-account problems only skip that account.
 */
export function planRun(input: RunPlanInput): RunPlanResult {
  const { strategy, snapshot, today, accounts, marginModel } = input;
  if (accounts.length === 0) return { ok: false, errors: [{ legIndex: null, code: "no_accounts", message: "no accounts selected" }] };
  const seen = new Set<string>();
  for (const a of accounts) {
    // Intent ids derive from (run, account, leg, slice): a repeated account would collide or double-trade.
    if (seen.has(a.id)) return { ok: false, errors: [{ legIndex: null, code: "duplicate_account", message: `account ${a.id} is selected twice` }] };
    seen.add(a.id);
  }
  const resolved = resolveLegs(strategy, snapshot, today);
  if (!resolved.ok) return { ok: false, errors: resolved.errors };
  const conditions = marketConditionsFor(strategy, snapshot, today);
  const plans = accounts.map((a) => planAccount(resolved.legs, strategy, a, marginModel, conditions));
  return { ok: true, preview: { legs: resolved.legs, conditions, accounts: plans, totals: runTotals(plans) } };
}
