/**
 * The engine's latest evaluation of one run, as stored on `run_risks.snapshot` and shown on the Risk page. Decimals
 * travel as strings; null = unknown (an unpriced position makes P&L unknown, never a smaller number).
 */
/** The rules the engine knows (the database enum `RiskRule` has the same names). */
export type RiskRule =
  | "MAX_LOSS"
  | "TARGET"
  | "TRAILING_STOP"
  | "LEG_STOP_LOSS"
  | "LEG_TAKE_PROFIT"
  | "SUPERTREND"
  | "TIME_EXIT"
  | "DAILY_LOSS_LIMIT";

export type RuleState = "armed" | "fired" | "paused" | "waiting" | "skipped_stale";

export interface RuleStatus {
  rule: RiskRule;
  /** Leg rules only. */
  legIndex?: number;
  /** The level that fires it (₹ of run P&L, or premium per unit for a leg). */
  level: string | null;
  /** The value compared with it now. */
  observed: string | null;
  /** How far the observed value is from the level, in the level's unit (positive = not yet breached). */
  distance: string | null;
  state: RuleState;
  note?: string;
}

export interface RiskSnapshot {
  /** ISO instant of the evaluation. */
  at: string;
  pnl: string | null;
  /** Every price used came from the live feed and was fresh. */
  live: boolean;
  /** Contracts the evaluation could not price (or priced only stale / from REST). */
  unpriced: string[];
  rules: RuleStatus[];
  trail: { peak: string; stop: string; active: boolean } | null;
  supertrend: {
    direction: "up" | "down" | null;
    value: string | null;
    candles: number;
    timeframeMinutes: number;
  } | null;
}
