/**
 * Candles of a run's combined premium (docs/risk.md "Supertrend"): price samples folded into OHLC candles of a fixed
 * timeframe, aligned to IST session minutes (a 15-minute candle starts at 09:15, 09:30, … IST). Pure: the caller
 * passes every sample and, when it has one, its clock. Only CLOSED candles are handed out: a candle closes when a
 * sample of a later bucket arrives or when the clock passes the bucket's end. A bucket without samples makes no
 * candle (a stalled feed leaves a gap, never an invented flat candle).
 */
import Decimal from "decimal.js";
import { istInstant } from "@/lib/trading/calendar";

/** One observation of the combined premium, ₹ per unit. `at`: epoch ms of the prices used. */
export interface PremiumSample {
  at: number;
  premium: Decimal;
}

export interface Candle {
  /** Epoch ms of the bucket's start. */
  start: number;
  open: Decimal;
  high: Decimal;
  low: Decimal;
  close: Decimal;
}

/** The candle being formed, as stored (JSON: decimals as strings). */
export interface FormingCandle {
  start: number;
  open: string;
  high: string;
  low: string;
  close: string;
}

/** What the builder keeps between samples: the forming candle and the start of the last candle it closed. */
export interface CandleBuilderState {
  forming: FormingCandle | null;
  lastClosedStart: number | null;
}

export const EMPTY_CANDLES: CandleBuilderState = { forming: null, lastClosedStart: null };

const MINUTE_MS = 60_000;
/**
 * A bucket boundary: the regular session's open, 09:15 IST. Every supported timeframe divides a day, so boundaries
 * fall at 09:15 + k × timeframe on every date (a session that opens at another time, Muhurat trading, passes its
 * own open as the anchor).
 */
export const SESSION_ANCHOR_MS = istInstant("2026-01-01", "09:15");

/** Start (epoch ms) of the bucket of `timeframeMinutes` that contains `at`. */
export function bucketStart(at: number, timeframeMinutes: number, anchorMs = SESSION_ANCHOR_MS): number {
  if (!Number.isSafeInteger(timeframeMinutes) || timeframeMinutes <= 0)
    throw new RangeError(`timeframe must be a positive whole number of minutes, got ${timeframeMinutes}`);
  const width = timeframeMinutes * MINUTE_MS;
  const offset = (((at - anchorMs) % width) + width) % width;
  return at - offset;
}

const toCandle = (f: FormingCandle): Candle => ({
  start: f.start,
  open: new Decimal(f.open),
  high: new Decimal(f.high),
  low: new Decimal(f.low),
  close: new Decimal(f.close),
});

/**
 * Folds one sample into the builder and closes what is due. `now` (default: the sample's time) is the caller's clock:
 * a forming candle whose bucket ended by then is closed even without a later sample. A sample of a bucket already
 * closed (late, or out of order) is ignored. Returns the candles closed by this call, oldest first (at most two: the
 * forming one by a later sample, and the new one by the clock when the sample itself is from a past bucket).
 */
export function addSample(
  state: CandleBuilderState,
  sample: PremiumSample,
  timeframeMinutes: number,
  now: number = sample.at,
  anchorMs = SESSION_ANCHOR_MS,
): { state: CandleBuilderState; closed: Candle[] } {
  if (!sample.premium.isFinite()) throw new RangeError(`premium must be finite, got ${sample.premium.toString()}`);
  const width = timeframeMinutes * MINUTE_MS;
  const start = bucketStart(sample.at, timeframeMinutes, anchorMs);
  const closed: Candle[] = [];
  let { forming, lastClosedStart } = state;
  const late = (lastClosedStart !== null && start <= lastClosedStart) || (forming !== null && start < forming.start);
  if (!late) {
    if (forming !== null && start > forming.start) {
      closed.push(toCandle(forming));
      lastClosedStart = forming.start;
      forming = null;
    }
    const p = sample.premium;
    forming =
      forming === null
        ? { start, open: p.toString(), high: p.toString(), low: p.toString(), close: p.toString() }
        : {
            ...forming,
            high: Decimal.max(forming.high, p).toString(),
            low: Decimal.min(forming.low, p).toString(),
            close: p.toString(),
          };
  }
  if (forming !== null && now >= forming.start + width) {
    closed.push(toCandle(forming));
    lastClosedStart = forming.start;
    forming = null;
  }
  return { state: { forming, lastClosedStart }, closed };
}
