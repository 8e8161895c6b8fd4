/**
 * A run's preview: legs resolved once, market condition per contract, then one plan (or skip reason) per account,
 * with totals. This is what the trader confirms before anything is sent, and what dispatch turns into intents.
 */
import Decimal from "decimal.js";
import { marketCondition } from "./expiry-choice";
import type { MarginModel, MarketCondition } from "./margin-model";
import { contractKey, planAccount, type AccountInput, type AccountPlan } from "./plan-account";
import { resolveLegs, type LegResolutionError, type MarketSnapshot, type ResolvedLeg } from "./resolve-legs";
import type { MarketConditionMode, StrategyDefinition } from "./strategy";

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
  /** Market condition of each placed contract's margin rates, keyed `UNDERLYING YYYY-MM-DD` (`contractKey`). */
  conditions: Record<string, MarketCondition>;
  accounts: AccountPlan[];
  totals: RunTotals;
}

export type RunPlanError =
  LegResolutionError | { legIndex: null; code: "duplicate_account" | "no_accounts" | "unknown_leg"; message: string };

export type RunPlanResult = { ok: true; preview: RunPreview } | { ok: false; errors: RunPlanError[] };

export interface RunPlanInput {
  strategy: StrategyDefinition;
  snapshot: MarketSnapshot;
  /** IST trading date of the run. */
  today: string;
  accounts: readonly AccountInput[];
  marginModel: MarginModel;
  /**
   * The legs this run places (an adjustment's added legs), by index into `strategy.legs`; default every leg. The
   * others are context: resolved with MARKET orders (they need no quote) and sized so a placed wing follows its
   * existing short, but never placed (see planAccount).
   */
  legIndexes?: readonly number[];
}

/**
 * Market condition per contract of the resolved legs. With `auto`, each contract is on expiry day only when it
 * expires today: a next-month NIFTY straddle on a weekly expiry Tuesday is sized at other-day rates, and a SENSEX
 * Thursday is not a NIFTY expiry day. Explicit modes apply to every contract.
 */
export function marketConditionsFor(
  mode: MarketConditionMode,
  legs: readonly ResolvedLeg[],
  today: string,
): Record<string, MarketCondition> {
  const out: Record<string, MarketCondition> = {};
  for (const leg of legs) out[contractKey(leg)] = marketCondition(mode, leg.expiry, today);
  return out;
}

/** The definition a partial run resolves: legs outside `legIndexes` (context) become MARKET orders, needing no quote. */
export function withContextLegs(
  strategy: StrategyDefinition,
  legIndexes: readonly number[] | undefined,
): StrategyDefinition {
  if (!legIndexes) return strategy;
  const placed = new Set(legIndexes);
  return {
    ...strategy,
    legs: strategy.legs.map((leg, i) => (placed.has(i) ? leg : { ...leg, orderType: { kind: "MARKET" } })),
  };
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
  return {
    accounts: accounts.length,
    accountsPlanned: planned,
    accountsSkipped: accounts.length - planned,
    orders,
    quantity,
    marginNeeded,
  };
}

/**
 * Plans a whole run. Leg resolution errors (no expiry, no quote for a protected limit, …) fail the run as a whole,
 * since every account would trade the same contracts; per-account problems only skip that account.
 */
export function planRun(input: RunPlanInput): RunPlanResult {
  const { strategy, snapshot, today, accounts, marginModel } = input;
  if (accounts.length === 0)
    return { ok: false, errors: [{ legIndex: null, code: "no_accounts", message: "no accounts selected" }] };
  const seen = new Set<string>();
  for (const a of accounts) {
    // Intent ids derive from (run, account, leg, slice): a repeated account would collide or double-trade.
    if (seen.has(a.id))
      return {
        ok: false,
        errors: [{ legIndex: null, code: "duplicate_account", message: `account ${a.id} is selected twice` }],
      };
    seen.add(a.id);
  }
  const unknown = input.legIndexes?.find((i) => !Number.isSafeInteger(i) || strategy.legs[i] === undefined);
  if (unknown !== undefined)
    return {
      ok: false,
      errors: [{ legIndex: null, code: "unknown_leg", message: `the strategy has no leg ${unknown + 1}` }],
    };
  const placed = input.legIndexes ? new Set(input.legIndexes) : undefined;
  const resolved = resolveLegs(withContextLegs(strategy, input.legIndexes), snapshot, today);
  if (!resolved.ok) return { ok: false, errors: resolved.errors };
  const conditions = marketConditionsFor(strategy.marketCondition, resolved.legs, today);
  const plans = accounts.map((a) => planAccount(resolved.legs, strategy, a, marginModel, conditions, placed));
  const legs = placed ? resolved.legs.filter((l) => placed.has(l.legIndex)) : resolved.legs;
  const shown = placed ? marketConditionsFor(strategy.marketCondition, legs, today) : conditions;
  return { ok: true, preview: { legs, conditions: shown, accounts: plans, totals: runTotals(plans) } };
}
