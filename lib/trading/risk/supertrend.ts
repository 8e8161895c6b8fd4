/**
 * Supertrend exit on a run's combined premium (docs/risk.md "Supertrend"). Pure, decimal arithmetic, O(1) state.
 *
 * The indicator, on CLOSED candles only (./candles.ts), as charting tools define it:
 * - true range TR = max(high − low, |high − previous close|, |low − previous close|); the first candle's is high − low;
 * - ATR with Wilder's smoothing: the mean of the first `period` TRs, then ATR = (ATR₋₁ × (period − 1) + TR) / period;
 * - basic bands hl2 ± multiplier × ATR, hl2 = (high + low) / 2;
 * - final upper band = basic upper when that is lower than the previous final upper or the previous close was above
 *   it, else the previous final upper; the final lower band mirrors it;
 * - direction: down on the first candle with an ATR; a down trend turns up when the close is above the final upper
 *   band, an up trend turns down when the close is below the final lower band. Supertrend = the final lower band in
 *   an up trend, the final upper band in a down trend.
 *
 * The exit fires when the trend turns against the position: a credit position (premium sold) exits when the
 * premium's trend turns up, a debit position when it turns down. It fires once per state (per run), and never before
 * `period + 1` candles have closed (the first direction is only a default, not a turn).
 */
import Decimal from "decimal.js";
import type { RiskRules } from "./rules";
import type { RiskSnapshot } from "./snapshot";
import { addSample, type Candle, type CandleBuilderState, EMPTY_CANDLES, type PremiumSample } from "./candles";

export type SupertrendConfig = NonNullable<RiskRules["supertrend"]> & {
  /** A bucket boundary, epoch ms (default 09:15 IST, ./candles.ts SESSION_ANCHOR_MS). */
  anchorMs?: number;
};

export type Direction = "up" | "down";
/** Which way the position makes money: `credit` = premium sold (falls in its favour), `debit` = premium bought. */
export type PositionSide = "credit" | "debit";

/** The indicator's state after its last closed candle (decimals as strings, JSON-safe). */
export interface SupertrendCore {
  /** Closed candles seen. */
  candles: number;
  /** Sum of the TRs while fewer than `period` candles are in (the ATR's seed), then null. */
  trSum: string | null;
  atr: string | null;
  close: string | null;
  upper: string | null;
  lower: string | null;
  direction: Direction | null;
}

/** What a run keeps between evaluations (`run_risks.state.supertrend`): bounded, whatever the run's length. */
export interface SupertrendState {
  v: 1;
  builder: CandleBuilderState;
  core: SupertrendCore;
  /** Set once the exit fired: it never fires again for this state. */
  fired: boolean;
}

export const EMPTY_CORE: SupertrendCore = {
  candles: 0,
  trSum: "0",
  atr: null,
  close: null,
  upper: null,
  lower: null,
  direction: null,
};

const dec = (v: string | null) => (v === null ? null : new Decimal(v));

/** The indicator after one more closed candle. */
export function supertrendUpdate(
  core: SupertrendCore,
  candle: Candle,
  period: number,
  multiplier: Decimal.Value,
): SupertrendCore {
  if (!Number.isSafeInteger(period) || period < 1) throw new RangeError(`period must be a positive integer`);
  const prevClose = dec(core.close);
  const range = candle.high.minus(candle.low);
  const tr =
    prevClose === null
      ? range
      : Decimal.max(range, candle.high.minus(prevClose).abs(), candle.low.minus(prevClose).abs());
  const n = core.candles + 1;
  const base = { candles: n, close: candle.close.toString() };
  if (core.atr === null && n < period)
    return { ...EMPTY_CORE, ...base, trSum: new Decimal(core.trSum ?? 0).plus(tr).toString() };
  const atr =
    core.atr === null
      ? new Decimal(core.trSum ?? 0).plus(tr).div(period)
      : new Decimal(core.atr)
          .mul(period - 1)
          .plus(tr)
          .div(period);
  const hl2 = candle.high.plus(candle.low).div(2);
  const width = atr.mul(multiplier);
  const basicUpper = hl2.plus(width);
  const basicLower = hl2.minus(width);
  const prevUpper = dec(core.upper);
  const prevLower = dec(core.lower);
  const upper =
    prevUpper === null || basicUpper.lt(prevUpper) || (prevClose !== null && prevClose.gt(prevUpper))
      ? basicUpper
      : prevUpper;
  const lower =
    prevLower === null || basicLower.gt(prevLower) || (prevClose !== null && prevClose.lt(prevLower))
      ? basicLower
      : prevLower;
  let direction: Direction;
  if (core.direction === null) direction = "down";
  else if (core.direction === "down") direction = candle.close.gt(upper) ? "up" : "down";
  else direction = candle.close.lt(lower) ? "down" : "up";
  return {
    ...base,
    trSum: null,
    atr: atr.toString(),
    upper: upper.toString(),
    lower: lower.toString(),
    direction,
  };
}

/** The Supertrend line of a core: the final lower band in an up trend, the final upper band in a down trend. */
export function supertrendValue(core: SupertrendCore): Decimal | null {
  if (core.direction === null) return null;
  return dec(core.direction === "up" ? core.lower : core.upper);
}

/** The direction that goes against a position of `side`. */
export const againstDirection = (side: PositionSide): Direction => (side === "credit" ? "up" : "down");

export interface SupertrendStepResult {
  state: SupertrendState;
  /** True on the one evaluation where the trend turned against the position (after the warm-up). */
  fire: boolean;
  view: NonNullable<RiskSnapshot["supertrend"]>;
}

/**
 * One evaluation: folds the fresh sample into the candles, feeds every candle that closed to the indicator, and
 * says whether the exit fires now. `now` is the evaluator's clock (default: the sample's time); it closes a candle
 * whose bucket has ended even before a later sample arrives.
 */
export function supertrendStep(
  cfg: SupertrendConfig,
  state: SupertrendState | undefined,
  sample: PremiumSample,
  side: PositionSide,
  now: number = sample.at,
): SupertrendStepResult {
  const prev = state ?? { v: 1, builder: EMPTY_CANDLES, core: EMPTY_CORE, fired: false };
  const built = addSample(prev.builder, sample, cfg.timeframeMinutes, now, cfg.anchorMs);
  let core = prev.core;
  let fire = false;
  const against = againstDirection(side);
  for (const candle of built.closed) {
    const before = core.direction;
    core = supertrendUpdate(core, candle, cfg.period, cfg.multiplier);
    const turned = before !== null && before !== against && core.direction === against;
    if (turned && !prev.fired) fire = true;
  }
  const next: SupertrendState = { v: 1, builder: built.state, core, fired: prev.fired || fire };
  const value = supertrendValue(core);
  return {
    state: next,
    fire,
    view: {
      direction: core.direction,
      value: value === null ? null : value.toFixed(2),
      candles: core.candles,
      timeframeMinutes: cfg.timeframeMinutes,
    },
  };
}
