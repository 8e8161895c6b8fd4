import type { RiskRules } from "@/lib/trading/risk/rules";
import type { RiskRule, RiskSnapshot } from "@/lib/trading/risk/snapshot";
import type { Jsonified } from "@/lib/util/jsonify";

/*
 * The risk API's JSON shapes as the Risk page reads them (docs/risk.md). Every component imports them from here only,
 * so when the risk service exports its own `RiskRunJson` / `RiskEventJson` this file becomes one type import.
 */

/** A run's leg as the Risk page names it. */
export interface RiskLegJson {
  legIndex: number;
  symbol: string;
  exchange: string;
  action: "BUY" | "SELL";
  quantity: number;
}

/** `GET /api/risk/runs` (one per run), and the head of `GET /api/runs/:id/risk`. */
export interface RiskRunJson {
  runId: string;
  strategyId: string | null;
  strategyName: string | null;
  /** A run kind (`STRATEGY`, `TICKET`, ...). */
  runKind: string;
  triggeredAt: string;
  /** A run status (`RUNNING`, `COMPLETED`, ...). */
  runStatus: string;
  /** The levels in force for this run (decimals as strings). */
  rules: Jsonified<RiskRules>;
  legStopMode: "WATCH" | "BROKER";
  paused: boolean;
  firedRule: RiskRule | null;
  firedAt: string | null;
  exitId: string | null;
  firedLegs: number[];
  snapshot: RiskSnapshot | null;
  evaluatedAt: string | null;
  legs: RiskLegJson[];
  /** Accounts the run traded in. */
  accounts: number;
}

export type RiskEventAction = "EXIT" | "SKIPPED_STALE" | "BLOCK_ENTRIES" | "CHANGED" | "PAUSED" | "RESUMED";

export interface RiskEventJson {
  id: string;
  rule: RiskRule;
  action: RiskEventAction;
  legIndex: number | null;
  accountId: string | null;
  accountName: string | null;
  threshold: string | null;
  observed: string | null;
  /** `[{ exchange, symbol, ltp, at, source }]`: the prices the decision used (read with `pricesOf`). */
  prices: unknown[];
  exitId: string | null;
  message: string;
  actorName: string | null;
  createdAt: string;
}

/** `GET /api/runs/:id/risk`. */
export type RiskRunDetailJson = RiskRunJson & { events: RiskEventJson[] };

/** `GET` / `PUT /api/accounts/:id/risk`: an account's daily loss limit and today's block once it was hit. */
export interface AccountRiskJson {
  accountId: string;
  /** ₹, or null for none. */
  dailyLossLimit: string | null;
  /** Today's (IST) block: the account was exited and its entries are refused until tomorrow. */
  blockedToday: { tradingDate: string; reason: string; observed: string; exitId: string | null; at: string } | null;
}
