import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { istInstant } from "@/lib/trading/calendar";
import { addSample, bucketStart, type CandleBuilderState, EMPTY_CANDLES, type PremiumSample } from "./candles";

const DATE = "2026-12-08";
const at = (time: string) => istInstant(DATE, time);
const sample = (time: string, premium: string): PremiumSample => ({ at: at(time), premium: new Decimal(premium) });
const ohlc = (c: { start: number; open: Decimal; high: Decimal; low: Decimal; close: Decimal }) => [
  new Date(c.start).toISOString(),
  c.open.toString(),
  c.high.toString(),
  c.low.toString(),
  c.close.toString(),
];

describe("bucketStart", () => {
  const cases: [number, string, string][] = [
    [15, "09:15:00", "09:15"],
    [15, "09:29:59", "09:15"],
    [15, "09:30:00", "09:30"],
    [60, "10:14:59", "09:15"],
    [60, "15:20:00", "15:15"],
    [10, "09:24:00", "09:15"],
    [10, "09:25:00", "09:25"],
    [30, "09:44:00", "09:15"],
    [3, "09:17:59", "09:15"],
    [1, "12:00:30", "12:00"],
    // Outside the session the grid carries on (an overnight position is still sampled): 60-min buckets at HH:15.
    [60, "02:00:00", "01:15"],
  ];
  for (const [tf, time, want] of cases)
    it(`${tf} min at ${time} IST starts at ${want}`, () => expect(bucketStart(at(time), tf)).toBe(at(want)));

  it("follows another anchor (a session opening at 18:00 IST)", () => {
    expect(bucketStart(at("18:59:00"), 60, at("18:00"))).toBe(at("18:00"));
    expect(bucketStart(at("19:00:00"), 60, at("18:00"))).toBe(at("19:00"));
  });

  it("refuses a timeframe that is not a positive whole number of minutes", () => {
    expect(() => bucketStart(at("10:00"), 0)).toThrow(RangeError);
    expect(() => bucketStart(at("10:00"), 2.5)).toThrow(RangeError);
  });
});

function feed(samples: PremiumSample[], tf = 5, state: CandleBuilderState = EMPTY_CANDLES) {
  const closed = [];
  for (const s of samples) {
    const r = addSample(state, s, tf);
    state = r.state;
    closed.push(...r.closed);
  }
  return { state, closed };
}

describe("addSample", () => {
  it("folds samples of one bucket into open, high, low and close; a later bucket's sample closes it", () => {
    const { state, closed } = feed([
      sample("09:15:01", "200"),
      sample("09:16:00", "204.5"),
      sample("09:17:00", "198.25"),
      sample("09:19:59", "201"),
      sample("09:20:00", "202"),
    ]);
    expect(closed.map(ohlc)).toEqual([[new Date(at("09:15")).toISOString(), "200", "204.5", "198.25", "201"]]);
    expect(state.forming).toEqual({ start: at("09:20"), open: "202", high: "202", low: "202", close: "202" });
    expect(state.lastClosedStart).toBe(at("09:15"));
  });

  it("closes the forming candle when the clock passes its end, and ignores late samples of it afterwards", () => {
    let r = addSample(EMPTY_CANDLES, sample("09:15:10", "100"), 5);
    r = addSample(r.state, sample("09:16:00", "101"), 5, at("09:19:59"));
    expect(r.closed).toEqual([]);
    r = addSample(r.state, sample("09:16:30", "103"), 5, at("09:20:00"));
    expect(r.closed.map(ohlc)).toEqual([[new Date(at("09:15")).toISOString(), "100", "103", "100", "103"]]);
    expect(r.state.forming).toBeNull();
    // A sample of the closed bucket arriving late changes nothing.
    const late = addSample(r.state, sample("09:19:00", "90"), 5, at("09:20:01"));
    expect(late).toEqual({ state: r.state, closed: [] });
  });

  it("ignores a sample older than the forming candle (out of order)", () => {
    const { state } = feed([sample("09:15:00", "100"), sample("09:21:00", "110")]);
    const r = addSample(state, sample("09:18:00", "50"), 5, at("09:21:30"));
    expect(r).toEqual({ state, closed: [] });
  });

  it("makes no candle for a bucket without samples (a gap stays a gap)", () => {
    const { closed, state } = feed([sample("09:15:00", "100"), sample("09:31:00", "90")]);
    expect(closed.map((c) => c.start)).toEqual([at("09:15")]);
    expect(state.forming?.start).toBe(at("09:30"));
  });

  it("a sample from a bucket the clock has already passed closes the forming candle and its own", () => {
    const { state } = feed([sample("09:15:00", "100")]);
    const r = addSample(state, sample("09:21:00", "104"), 5, at("09:30:00"));
    expect(r.closed.map((c) => c.start)).toEqual([at("09:15"), at("09:20")]);
    expect(r.state).toEqual({ forming: null, lastClosedStart: at("09:20") });
  });

  it("refuses a premium that is not a finite number", () => {
    expect(() => addSample(EMPTY_CANDLES, { at: at("09:15"), premium: new Decimal(NaN) }, 5)).toThrow(RangeError);
  });
});
