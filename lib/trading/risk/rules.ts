/**
 * Risk rules of a run (docs/risk.md): what a strategy arms on each of its runs, and what a person may change on a live
 * run. Amounts are ₹ for the whole run (all its accounts together); leg levels are per unit of premium.
 */
import Decimal from "decimal.js";
import { z } from "zod";

const decimal = z.union([z.string().trim().max(30), z.number(), z.instanceof(Decimal)], {
  error: (issue) => (issue.input === undefined ? "Required" : "a decimal"),
});
const positive = (what: string) =>
  decimal
    .transform((v, ctx) => {
      try {
        return new Decimal(v);
      } catch {
        ctx.addIssue({ code: "custom", message: `${what}: a decimal` });
        return z.NEVER;
      }
    })
    .refine((v) => v.isFinite() && v.gt(0), `${what} must be greater than zero`);

/** How far a level sits from the entry (or from the peak, for a trail). */
export const levelSpecSchema = z.discriminatedUnion("kind", [
  /** % of the entry premium (leg) or of the run's net premium (trail). */
  z.object({ kind: z.literal("percent"), value: positive("percent").refine((v) => v.lte(1000), "at most 1000 %") }),
  /** Points of premium per unit (× the quantity for a run-level trail). */
  z.object({ kind: z.literal("points"), value: positive("points") }),
  /** ₹ for the whole run (trail only). */
  z.object({ kind: z.literal("amount"), value: positive("amount") }),
  /** An absolute premium level per unit (leg only). */
  z.object({ kind: z.literal("premium"), value: positive("premium") }),
]);
export type LevelSpec = z.infer<typeof levelSpecSchema>;

/** A leg's level: % or points from its entry, or an absolute premium (a ₹ amount has no meaning per unit). */
const legLevelSchema = levelSpecSchema.refine((l) => l.kind !== "amount", "percent, points or premium");

export const legRiskSchema = z.object({
  legIndex: z.int().min(0).max(19),
  stopLoss: legLevelSchema.nullish(),
  takeProfit: legLevelSchema.nullish(),
});
export type LegRisk = z.infer<typeof legRiskSchema>;

export const SUPERTREND_TIMEFRAMES = [1, 3, 5, 10, 15, 30, 60] as const;

export const riskRulesSchema = z.object({
  /** Exit the run when its P&L is at or below −maxLoss (₹). */
  maxLoss: positive("maxLoss").nullish(),
  /** Exit the run when its P&L is at or above the target (₹). */
  target: positive("target").nullish(),
  /**
   * Trailing stop: starts at −distance, then follows peak P&L − distance and never moves back. `percent` is of the
   * run's net premium at entry, `points` × the run's open quantity, `amount` ₹.
   */
  trailing: z
    .object({
      distance: levelSpecSchema.refine((l) => l.kind !== "premium", "percent, points or amount"),
      /** Trail only once P&L has reached this (₹); before that the initial stop holds. */
      activateAt: positive("activateAt").nullish(),
    })
    .nullish(),
  /** Per-leg stop-loss / take-profit, by leg index of the strategy. */
  legs: z.array(legRiskSchema).max(20).default([]),
  /** Where leg stops live: watched by the engine, or resting at the broker as SL orders. */
  legStopMode: z.enum(["WATCH", "BROKER"]).default("WATCH"),
  /** Exit when the Supertrend of the open legs' combined premium turns against the position (closed candles only). */
  supertrend: z
    .object({
      timeframeMinutes: z.union(SUPERTREND_TIMEFRAMES.map((m) => z.literal(m))),
      period: z.int().min(2).max(100),
      multiplier: positive("multiplier").refine((v) => v.lte(20), "at most 20"),
    })
    .nullish(),
  /** Exit at this IST time (HH:MM) on a trading day, read against the trading calendar's session. */
  timeExit: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a time as HH:MM (IST)")
    .nullish(),
});
export type RiskRules = z.infer<typeof riskRulesSchema>;
export type RiskRulesInput = z.input<typeof riskRulesSchema>;

/** True when the rules arm nothing (a run then gets no RunRisk row). */
export function rulesEmpty(r: RiskRules): boolean {
  return (
    !r.maxLoss &&
    !r.target &&
    !r.trailing &&
    !r.supertrend &&
    !r.timeExit &&
    r.legs.every((l) => !l.stopLoss && !l.takeProfit)
  );
}
