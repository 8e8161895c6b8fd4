/**
 * Historical candles. Days before the simulation began are generated from the seed: a daily walk anchored on
 * the first simulated day's previous close, each day filled with a minute-level Brownian bridge from its open to
 * its close. Days the simulation has lived through use the minute bars recorded from its own ticks, so history
 * and quotes agree. Coarser intervals aggregate minute bars; daily bars are stamped at IST midnight.
 */
import type { Candle } from "@/lib/simulator/types";
import { DAY_MS, IST_OFFSET_MS, dayNumber, dateOfDayNumber, sessionWindow } from "@/lib/trading/calendar";
import { hashUnit } from "./prng";
import { roundTick } from "./quote-shape";

export const INTERVALS = {
  seconds: [] as string[],
  minutes: ["1m", "3m", "5m", "10m", "15m", "30m"],
  hours: ["1h"],
  days: ["D"],
  weeks: [] as string[],
  months: [] as string[],
};

const INTERVAL_MINUTES: Readonly<Record<string, number>> = {
  "1m": 1,
  "3m": 3,
  "5m": 5,
  "10m": 10,
  "15m": 15,
  "30m": 30,
  "1h": 60,
};
const SESSION_MINUTES = 375;
/** Longest ranges served, counted back from the end date (brokers cap intraday history similarly). */
const MAX_INTRADAY_DAYS = 100;
const MAX_DAILY_DAYS = 2_000;

/** A minute bar (prices unrounded until they leave). Keyed by its open instant in epoch ms. */
export interface Bar {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface SeriesSource {
  seedHash: number;
  symbolHash: number;
  /** Annualised vol used for the synthetic past. */
  vol: number;
  /** Units per synthetic minute on average (0 for indices). */
  volumePerMinute: number;
  /** First simulated session date; earlier trading days are synthetic. */
  anchorDate: string;
  /** Close of the trading day before `anchorDate`. */
  anchorClose: number;
  isTradingDate(date: string): boolean;
  /** Minute bars recorded from live ticks (epoch ms of the minute → bar). */
  recorded: ReadonlyMap<number, Bar>;
}

function gauss(seedHash: number, symbolHash: number, a: number, b: number): number {
  const u = Math.max(hashUnit(seedHash, symbolHash, a, b, 1), 1e-12);
  const v = hashUnit(seedHash, symbolHash, a, b, 2);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Synthetic daily opens/closes, walked backwards from the anchor. Cached per source. */
function pastDays(src: SeriesSource, cache: Map<number, { open: number; close: number }>, fromDay: number): void {
  const dailySd = src.vol / Math.sqrt(252);
  let day = dayNumber(src.anchorDate) - 1;
  let close = src.anchorClose;
  for (let guard = 0; guard < MAX_DAILY_DAYS * 2 && day >= fromDay; day--, guard++) {
    if (!src.isTradingDate(dateOfDayNumber(day))) continue;
    const known = cache.get(day);
    if (known) {
      close = known.open / Math.exp(0.3 * dailySd * gauss(src.seedHash, src.symbolHash, day, 2));
      continue;
    }
    const open = close / Math.exp(dailySd * gauss(src.seedHash, src.symbolHash, day, 1));
    cache.set(day, { open, close });
    close = open / Math.exp(0.3 * dailySd * gauss(src.seedHash, src.symbolHash, day, 2));
  }
}

/**
 * Minute bars of a synthetic session stretch: a Brownian bridge over the first `minutes` minutes of the day,
 * from `open` to `close`. A whole past day uses all 375 minutes.
 */
export function syntheticMinutes(
  src: SeriesSource,
  day: number,
  open: number,
  close: number,
  minutes = SESSION_MINUTES,
): Map<number, Bar> {
  const minuteSd = src.vol / Math.sqrt(252 * SESSION_MINUTES);
  const steps: number[] = [0];
  for (let i = 1; i <= minutes; i++)
    steps.push(steps[i - 1] + minuteSd * gauss(src.seedHash, src.symbolHash, day, 100 + i));
  const drift = Math.log(close / open);
  const level = (i: number) => open * Math.exp(steps[i] - (i / minutes) * (steps[minutes] - drift));
  const start = sessionWindow(dateOfDayNumber(day)).open;
  const bars = new Map<number, Bar>();
  for (let i = 0; i < minutes; i++) {
    const o = level(i);
    const c = level(i + 1);
    const wick = minuteSd * 0.5 * Math.abs(gauss(src.seedHash, src.symbolHash, day, 1000 + i));
    // U-shaped intraday volume: busier at the open and the close.
    const u = i / SESSION_MINUTES;
    const shape = 0.6 + 8 * (u - 0.5) ** 2;
    bars.set(start + i * 60_000, {
      open: o,
      high: Math.max(o, c) * (1 + wick),
      low: Math.min(o, c) * (1 - wick),
      close: c,
      volume: Math.round(src.volumePerMinute * shape * (0.5 + hashUnit(src.seedHash, src.symbolHash, day, i, 3))),
    });
  }
  return bars;
}

function merge(into: Bar | undefined, b: Bar): Bar {
  if (!into) return { ...b };
  into.high = Math.max(into.high, b.high);
  into.low = Math.min(into.low, b.low);
  into.close = b.close;
  into.volume += b.volume;
  return into;
}

/** Minute bars of one session date (synthetic before the anchor, recorded from it on). */
export function minuteBarsOf(
  src: SeriesSource,
  dailyCache: Map<number, { open: number; close: number }>,
  date: string,
): Map<number, Bar> {
  const day = dayNumber(date);
  if (!src.isTradingDate(date)) return new Map();
  if (day >= dayNumber(src.anchorDate)) {
    const { open, close } = sessionWindow(date);
    const out = new Map<number, Bar>();
    for (let t = open; t < close; t += 60_000) {
      const b = src.recorded.get(t);
      if (b) out.set(t, b);
    }
    return out;
  }
  if (!dailyCache.has(day)) pastDays(src, dailyCache, day);
  const d = dailyCache.get(day)!;
  return syntheticMinutes(src, day, d.open, d.close);
}

export type PriceMap = (bar: Bar, atMs: number) => Bar | undefined;

/**
 * Candles of `interval` between two IST dates inclusive. `mapBar` turns an underlying bar into the
 * instrument's (identity for spots, option pricing for derivatives); returning undefined drops the bar.
 * Undefined when the interval is not offered.
 */
export function candles(
  src: SeriesSource,
  dailyCache: Map<number, { open: number; close: number }>,
  interval: string,
  startDate: string,
  endDate: string,
  tick: number,
  mapBar: PriceMap = (b) => b,
): Candle[] | undefined {
  const minutes = INTERVAL_MINUTES[interval];
  if (minutes === undefined && interval !== "D") return undefined;
  const endDay = dayNumber(endDate);
  const startDay = Math.max(dayNumber(startDate), endDay - (interval === "D" ? MAX_DAILY_DAYS : MAX_INTRADAY_DAYS));
  const out: Candle[] = [];
  for (let day = startDay; day <= endDay; day++) {
    const date = dateOfDayNumber(day);
    const bars = minuteBarsOf(src, dailyCache, date);
    if (bars.size === 0) continue;
    const sessionOpen = sessionWindow(date).open;
    const buckets = new Map<number, Bar>();
    for (const [t, raw] of bars) {
      const b = mapBar(raw, t);
      if (!b) continue;
      const key =
        interval === "D"
          ? day * DAY_MS - IST_OFFSET_MS
          : sessionOpen + Math.floor((t - sessionOpen) / (minutes * 60_000)) * minutes * 60_000;
      buckets.set(key, merge(buckets.get(key), b));
    }
    for (const [t, b] of buckets) {
      out.push({
        timestamp: Math.floor(t / 1000),
        open: roundTick(b.open, tick),
        high: roundTick(b.high, tick),
        low: roundTick(b.low, tick),
        close: roundTick(b.close, tick),
        volume: b.volume,
        oi: 0,
      });
    }
  }
  return out;
}

/** Folds one live tick into the minute bar it falls in. */
export function recordTick(recorded: Map<number, Bar>, atMs: number, price: number, volume: number): void {
  const minute = Math.floor(atMs / 60_000) * 60_000;
  const b = recorded.get(minute);
  if (!b) recorded.set(minute, { open: price, high: price, low: price, close: price, volume });
  else {
    if (price > b.high) b.high = price;
    if (price < b.low) b.low = price;
    b.close = price;
    b.volume += volume;
  }
}
