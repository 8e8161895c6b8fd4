/**
 * What one evaluation of one armed run takes and gives (./evaluate-run.ts): the run's positions, the checked prices of
 * its open contracts, the kept trail, the time-exit verdict and the Supertrend signal in; the snapshot, the breaches
 * seen, the trail's next state and the prices used out. Pure types.
 */
import type Decimal from "decimal.js";
import type { PriceCheck } from "./price-check";
import type { RiskRules } from "./rules";
import type { RiskPosition } from "./run-book";
import type { RiskRule, RiskSnapshot } from "./snapshot";
import type { TimeExitVerdict } from "./time-exit";
import type { TrailState } from "./trailing";

/** A contract's price check, and whether an unusable price means a broken feed (`stale`) or a closed market. */
export interface PriceInput {
  check: PriceCheck;
  kind: "stale" | "waiting";
}

/** The Supertrend of the open legs' combined premium on closed candles, from the candles module. */
export interface SupertrendSignal {
  direction: "up" | "down" | null;
  value: Decimal | null;
  candles: number;
  /** The last closed candle turned the trend against the position. */
  against: boolean;
}

export interface RunRiskInput {
  now: number;
  rules: RiskRules;
  paused: boolean;
  firedLegs: readonly number[];
  positions: readonly RiskPosition[];
  /** By contract key (`EXCHANGE:SYMBOL`), for every open contract of the run. */
  prices: ReadonlyMap<string, PriceInput>;
  /** The trail's kept peak and stop (null before the first step). */
  trail: { peak: Decimal | null; stop: Decimal | null };
  /** Null when the rules have no time exit. */
  timeExit: TimeExitVerdict | null;
  /** Null while no Supertrend signal is available. */
  supertrend: SupertrendSignal | null;
}

export interface Breach {
  rule: RiskRule;
  legIndex: number | null;
  /** The level (₹ of P&L, or premium per unit for a leg); null for the time exit. */
  threshold: Decimal | null;
  observed: Decimal | null;
  message: string;
  /** Price rules wait for a second sighting (hysteresis); time and closed-candle rules do not. */
  confirm: boolean;
}

/** A price the evaluation looked at, as a risk event records it. */
export interface PriceUse {
  exchange: string;
  symbol: string;
  ltp: string | null;
  at: string | null;
  source: "feed" | "rest" | null;
  /** Why it was not used; absent when it was. */
  problem?: string;
}

export interface RunRiskResult {
  snapshot: RiskSnapshot;
  breaches: Breach[];
  /** The trail after this evaluation; null when the run has no trail or its P&L is unknown (keep the old one). */
  trail: TrailState | null;
  prices: PriceUse[];
  /** Contracts whose price was unusable while their market is open (a stale episode), with the reason. */
  stale: string[];
}
