/**
 * The risk engine (docs/risk.md): armed runs' rules and accounts' daily loss limits, evaluated in the worker on ticks
 * (./ticks.ts, every worker process) and in a sweep every second (./sweep.ts), on fresh live prices only; a trigger
 * exits through the one exit service exactly once (./fire.ts). Also the Risk page's reads and a person's changes.
 */
import { tradingClock } from "@/lib/services/market-data";
import { forgetRiskInterest } from "./interest";
import { forgetRiskMemory } from "./memory";
import { sweepRisk, type RiskSweepSummary } from "./sweep";
import { startTickEngine, TICK_ENGINE_DEFAULTS, type TickEngineOptions } from "./ticks";

export { sweepRisk, type RiskSweepSummary } from "./sweep";
export type { TickEngineOptions } from "./ticks";
export { riskHolder } from "./interest";
export { RISK_STALE_ALERT } from "./stale";
export type { RiskClock } from "./prices";
export {
  getRunRisk,
  listRiskEvents,
  listRiskRunViews,
  riskEventsQuerySchema,
  type RiskEventJson,
  type RiskLegJson,
  type RiskRunJson,
} from "./views";
export {
  changeRunRisk,
  dailyLossLimitSchema,
  getAccountRisk,
  riskChangeSchema,
  setAccountRisk,
  type AccountRiskJson,
  type RiskChange,
} from "./changes";

/** The worker's sweep job at the wall clock (MARKET_ALWAYS_OPEN from the environment). */
export function sweepRiskNow(): Promise<RiskSweepSummary> {
  return sweepRisk(tradingClock());
}

/** Starts this worker process's tick evaluation; resolves with its stop function. */
export function startRiskEngine(opts: Partial<TickEngineOptions> = {}): Promise<() => Promise<void>> {
  return startTickEngine({ ...TICK_ENGINE_DEFAULTS, clock: tradingClock, ...opts });
}

/** Forgets what this process remembers between evaluations (tests reset the database and Redis between cases). */
export function resetRiskEngineState(): void {
  forgetRiskMemory();
  forgetRiskInterest();
}
