/**
 * A strategy definition as traders build it (docs/architecture.md "The order flow"): header (product, sizing, market
 * condition) and legs. Types plus the zod schema that parses a stored/submitted definition into them (prices →
 * Decimal).
 */
import Decimal from "decimal.js";
import { z } from "zod";
import { riskRulesSchema, type RiskRules } from "./risk/rules";
import type { OptionType } from "./symbols";

export type Product = "NRML" | "MIS";
export type OrderAction = "BUY" | "SELL";
export type InstrumentKind = "options" | "futures";
export type ExpiryChoice = "current_week" | "next_week" | "current_month" | "next_month";
/** `auto` = expiry-day rates for a contract iff it expires today, read from the expiry list (never a weekday guess). */
export type MarketConditionMode = "expiry_day" | "other_days" | "auto";

/** Fixed lots (each leg's `lots` × the account's multiplier) or sizing from a quality grade's margin budget. */
export type SizingMode = { kind: "fixed" } | { kind: "grade"; gradeId: string };

export type StrikeSelection =
  | { kind: "ATM" }
  /** n strikes in the money (1 = first strike past ATM). */
  | { kind: "ITM"; n: number }
  | { kind: "OTM"; n: number }
  | { kind: "exact"; strike: Decimal }
  /** The strike whose premium (LTP, ₹ per unit) is nearest the target, searched around ATM. */
  | { kind: "premium_near"; targetPremium: Decimal };

export type OrderTypeSpec =
  | { kind: "MARKET" }
  /** An explicit limit price (₹ per unit), on the instrument's tick grid. */
  | { kind: "LIMIT"; price: Decimal }
  /** LTP ± `bandPercent` % rounded to the tick: BUY rounds up, SELL rounds down (the safe F&O default). */
  | { kind: "PROTECTED_LIMIT"; bandPercent: Decimal };

interface LegBase {
  /** Upper-case underlying (`NIFTY`). */
  underlying: string;
  expiry: ExpiryChoice;
  action: OrderAction;
  /** Lots in fixed mode (before the account multiplier); ignored by grade sizing except as documentation. */
  lots: number;
  orderType: OrderTypeSpec;
}

export interface OptionLegDefinition extends LegBase {
  instrument: "options";
  optionType: OptionType;
  strike: StrikeSelection;
}

export interface FutureLegDefinition extends LegBase {
  instrument: "futures";
}

export type StrategyLeg = OptionLegDefinition | FutureLegDefinition;

export interface StrategyDefinition {
  product: Product;
  sizing: SizingMode;
  marketCondition: MarketConditionMode;
  legs: readonly StrategyLeg[];
  /**
   * Auto square-off, IST `HH:MM` within the session; unset = 15:15 for MIS, none for NRML (lib/trading/square-off.ts).
   */
  squareOffAt?: string | null;
  /** Risk rules armed on every run of the strategy (docs/risk.md); a run may override them. */
  risk?: RiskRules | null;
  /** Send only to accounts whose readiness check today is green (docs/readiness.md); others are skipped. */
  requireReadyAccounts?: boolean;
}

/** Largest lots per leg a trader may type (AlgoMirror rejects more than 100 in fixed mode; we allow headroom). */
export const MAX_LEG_LOTS = 1000;
/** Deepest ITM/OTM offset accepted. */
export const MAX_STRIKE_OFFSET = 50;
/** Widest protected-limit band: beyond this the "protection" no longer protects. */
export const MAX_PROTECTION_BAND_PERCENT = 20;

const decimalText = z.union(
  [
    z
      .string()
      .trim()
      .max(30)
      .regex(/^\d+(\.\d+)?$/, "a non-negative decimal"),
    z.number(),
    z.instanceof(Decimal),
  ],
  {
    error: (issue) => (issue.input === undefined ? "Required" : "a non-negative decimal"),
  },
);
const positiveDecimal = decimalText
  .transform((v) => new Decimal(v))
  .refine((v) => v.isFinite() && v.gt(0), "must be greater than zero");

const strikeSelectionSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("ATM") }),
  z.object({ kind: z.literal("ITM"), n: z.number().int().min(1).max(MAX_STRIKE_OFFSET) }),
  z.object({ kind: z.literal("OTM"), n: z.number().int().min(1).max(MAX_STRIKE_OFFSET) }),
  z.object({ kind: z.literal("exact"), strike: positiveDecimal }),
  z.object({ kind: z.literal("premium_near"), targetPremium: positiveDecimal }),
]);

const orderTypeSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("MARKET") }),
  z.object({ kind: z.literal("LIMIT"), price: positiveDecimal }),
  z.object({
    kind: z.literal("PROTECTED_LIMIT"),
    bandPercent: positiveDecimal.refine(
      (v) => v.lte(MAX_PROTECTION_BAND_PERCENT),
      `at most ${MAX_PROTECTION_BAND_PERCENT} %`,
    ),
  }),
]);

const legBase = {
  underlying: z
    .string()
    .trim()
    .max(20)
    .toUpperCase()
    .pipe(z.string().regex(/^[A-Z][A-Z0-9&-]*$/, "an OpenAlgo underlying")),
  expiry: z.enum(["current_week", "next_week", "current_month", "next_month"]),
  action: z.enum(["BUY", "SELL"]),
  lots: z.number().int().min(1).max(MAX_LEG_LOTS),
  orderType: orderTypeSchema,
};

/** The most legs one strategy holds, adjustments included. */
export const MAX_STRATEGY_LEGS = 20;

export const strategyLegSchema = z.discriminatedUnion("instrument", [
  z.object({
    ...legBase,
    instrument: z.literal("options"),
    optionType: z.enum(["CE", "PE"]),
    strike: strikeSelectionSchema,
  }),
  z.object({ ...legBase, instrument: z.literal("futures") }),
]);

export const strategyDefinitionSchema = z.object({
  product: z.enum(["NRML", "MIS"]),
  sizing: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("fixed") }),
    z.object({ kind: z.literal("grade"), gradeId: z.string().min(1).max(32) }),
  ]),
  marketCondition: z.enum(["expiry_day", "other_days", "auto"]),
  legs: z.array(strategyLegSchema).min(1).max(MAX_STRATEGY_LEGS),
  squareOffAt: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time as HH:MM (IST)")
    .refine((t) => t >= "09:15" && t <= "15:30", "within the session, 09:15–15:30 IST")
    .nullish(),
  risk: riskRulesSchema.nullish(),
  requireReadyAccounts: z.boolean().optional(),
});

/** Hedge first (docs/trading-facts.md "Hedge first"): every BUY leg is phase 1, every SELL leg phase 2. */
export function phaseOf(action: OrderAction): 1 | 2 {
  return action === "BUY" ? 1 : 2;
}
