/**
 * Golden tests of the Supertrend core. Where the expected values come from:
 * - GOLDEN: 48 five-minute candles of a made-up combined premium (falls, rallies, falls again), period 7, multiplier
 *   2.5. The Supertrend column was computed outside this repository with trading-signals 8.3.0 (`SuperTrend`, an
 *   independent, maintained implementation that uses the same ATR and band rules), rounded to 4 decimals; the naive
 *   reference below (the definition written out over whole arrays, nothing shared with the code under test) gives
 *   the same values, so three implementations agree.
 * - HAND: five candles, period 2, multiplier 1, worked out by hand in the comments.
 */
import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { istInstant } from "@/lib/trading/calendar";
import type { Candle } from "./candles";
import {
  EMPTY_CORE,
  supertrendStep,
  supertrendUpdate,
  supertrendValue,
  type SupertrendCore,
  type SupertrendState,
} from "./supertrend";

type Row = [string, string, string, string, string | null, "up" | "down" | null];
// open, high, low, close, supertrend (trading-signals 8.3.0, 4 dp), direction.
const GOLDEN: Row[] = [
  ["240.00", "240.75", "237.45", "238.80", null, null],
  ["238.80", "240.85", "237.50", "239.15", null, null],
  ["239.15", "241.45", "238.85", "239.05", null, null],
  ["239.05", "239.95", "238.55", "239.45", null, null],
  ["239.45", "239.95", "238.50", "239.80", null, null],
  ["239.80", "240.00", "234.60", "236.30", null, null],
  ["236.30", "238.40", "234.45", "236.40", "244.0857", "down"],
  ["236.40", "237.95", "231.80", "233.05", "243.6378", "down"],
  ["233.05", "235.30", "230.10", "230.25", "242.0681", "down"],
  ["230.25", "230.60", "229.80", "229.85", "238.5155", "down"],
  ["229.85", "231.70", "226.95", "229.10", "238.1490", "down"],
  ["229.10", "231.20", "226.90", "228.75", "238.1490", "down"],
  ["228.75", "229.60", "224.90", "225.30", "236.7278", "down"],
  ["225.30", "226.25", "223.60", "224.35", "233.9953", "down"],
  ["224.35", "225.15", "221.70", "223.90", "232.4317", "down"],
  ["223.90", "224.40", "221.40", "222.55", "231.6914", "down"],
  ["222.55", "223.60", "220.50", "221.25", "230.6927", "down"],
  ["221.25", "222.75", "220.10", "221.00", "229.7794", "down"],
  ["221.00", "222.45", "219.25", "220.25", "229.1538", "down"],
  ["220.25", "220.85", "218.75", "218.95", "227.6675", "down"],
  ["218.95", "220.25", "216.55", "217.70", "226.4650", "down"],
  ["217.70", "218.85", "215.10", "215.30", "225.2272", "down"],
  ["215.30", "220.10", "215.00", "219.60", "225.2272", "down"],
  ["219.60", "225.70", "218.05", "224.20", "225.2272", "down"],
  ["224.20", "229.75", "223.00", "229.15", "215.0876", "up"],
  ["229.15", "233.50", "227.45", "231.90", "218.6393", "up"],
  ["231.90", "234.55", "230.35", "234.05", "220.8051", "up"],
  ["234.05", "235.95", "232.10", "235.25", "222.6687", "up"],
  ["235.25", "240.60", "234.35", "239.50", "225.5089", "up"],
  ["239.50", "243.40", "238.75", "242.75", "229.1576", "up"],
  ["242.75", "248.00", "241.25", "247.30", "231.9994", "up"],
  ["247.30", "250.95", "245.60", "248.75", "235.5423", "up"],
  ["248.75", "252.20", "246.70", "251.75", "236.5720", "up"],
  ["251.75", "254.65", "250.60", "254.10", "240.1403", "up"],
  ["254.10", "259.30", "254.10", "258.40", "244.1417", "up"],
  ["258.40", "261.55", "255.90", "261.30", "245.9429", "up"],
  ["261.30", "262.75", "254.80", "256.30", "245.9429", "up"],
  ["256.30", "258.10", "251.35", "253.80", "245.9429", "up"],
  ["253.80", "254.35", "247.50", "248.75", "245.9429", "up"],
  ["248.75", "250.70", "243.00", "244.25", "262.1556", "down"],
  ["244.25", "246.20", "240.70", "241.95", "258.5333", "down"],
  ["241.95", "242.90", "238.05", "239.50", "255.1357", "down"],
  ["239.50", "240.65", "236.10", "236.95", "252.5663", "down"],
  ["236.95", "239.20", "231.65", "233.85", "250.2854", "down"],
  ["233.85", "234.45", "227.60", "228.45", "246.2089", "down"],
  ["228.45", "228.80", "220.90", "222.55", "240.6862", "down"],
  ["222.55", "223.15", "218.30", "219.70", "236.0311", "down"],
  ["219.70", "220.15", "213.25", "214.75", "232.2838", "down"],
];
const PERIOD = 7;
const MULTIPLIER = new Decimal("2.5");
const TF = 5;
const DAY_OPEN = istInstant("2026-12-08", "09:15");

const candleOf = (r: readonly (string | null)[], i: number, tf = TF): Candle => ({
  start: DAY_OPEN + i * tf * 60_000,
  open: new Decimal(r[0]!),
  high: new Decimal(r[1]!),
  low: new Decimal(r[2]!),
  close: new Decimal(r[3]!),
});
const candles = GOLDEN.map((r, i) => candleOf(r, i));

/** The definition over whole arrays, recomputed from scratch: the second, naive implementation. */
function reference(cs: readonly Candle[], period: number, m: Decimal) {
  const tr = cs.map((c, i) =>
    i === 0
      ? c.high.minus(c.low)
      : Decimal.max(c.high.minus(c.low), c.high.minus(cs[i - 1].close).abs(), c.low.minus(cs[i - 1].close).abs()),
  );
  const atr: (Decimal | null)[] = cs.map(() => null);
  for (let i = period - 1; i < cs.length; i++)
    atr[i] =
      i === period - 1
        ? tr
            .slice(0, period)
            .reduce((s, x) => s.plus(x), new Decimal(0))
            .div(period)
        : atr[i - 1]!.mul(period - 1)
            .plus(tr[i])
            .div(period);
  const out: { value: Decimal; dir: "up" | "down" }[] = [];
  let up = new Decimal(0);
  let lo = new Decimal(0);
  for (let i = period - 1; i < cs.length; i++) {
    const hl2 = cs[i].high.plus(cs[i].low).div(2);
    const bu = hl2.plus(atr[i]!.mul(m));
    const bl = hl2.minus(atr[i]!.mul(m));
    const first = i === period - 1;
    const pc = cs[i - 1]?.close;
    const nu = first || bu.lt(up) || pc.gt(up) ? bu : up;
    const nl = first || bl.gt(lo) || pc.lt(lo) ? bl : lo;
    const prev = out.at(-1);
    const dir = !prev
      ? "down"
      : prev.dir === "down"
        ? cs[i].close.gt(nu)
          ? "up"
          : "down"
        : cs[i].close.lt(nl)
          ? "down"
          : "up";
    out.push({ value: dir === "up" ? nl : nu, dir });
    up = nu;
    lo = nl;
  }
  return [...cs.slice(0, period - 1).map(() => null), ...out];
}

function replay(cs: readonly Candle[], period: number, m: Decimal.Value): SupertrendCore[] {
  const out: SupertrendCore[] = [];
  let core = EMPTY_CORE;
  for (const c of cs) out.push((core = supertrendUpdate(core, c, period, m)));
  return out;
}

describe("supertrendUpdate (golden)", () => {
  it("matches trading-signals' values and the naive reference on every candle", () => {
    const cores = replay(candles, PERIOD, MULTIPLIER);
    const ref = reference(candles, PERIOD, MULTIPLIER);
    cores.forEach((core, i) => {
      const [, , , , value, dir] = GOLDEN[i];
      const v = supertrendValue(core);
      expect(v === null ? null : v.toFixed(4), `candle ${i + 1}`).toBe(value);
      expect(core.direction, `candle ${i + 1}`).toBe(dir);
      expect(v === null ? null : v.toString(), `candle ${i + 1} (reference)`).toBe(ref[i]?.value.toString() ?? null);
    });
  });

  it("turns up on candle 25 and down on candle 40, nowhere else", () => {
    const dirs = replay(candles, PERIOD, MULTIPLIER).map((c) => c.direction);
    const turns = dirs.flatMap((d, i) => (i > 0 && dirs[i - 1] !== null && d !== dirs[i - 1] ? [`${i + 1} ${d}`] : []));
    expect(turns).toEqual(["25 up", "40 down"]);
  });

  it("hand-checked rows (period 2, multiplier 1)", () => {
    const rows = [
      ["9", "10", "8", "9"], // TR 2: warm-up
      ["9", "11", "9", "10.5"], // TR 2, ATR (2+2)/2 = 2, hl2 10: bands 12 / 8, first value: down, 12
      ["10.5", "13", "10", "12.5"], // TR 3, ATR (2+3)/2 = 2.5, basic 14 / 9; upper kept 12; close 12.5 > 12: up, 9
      ["12.5", "12.5", "11", "11.2"], // TR 1.5, ATR 2, basic 13.75 / 9.75; prev close above 12: upper 13.75; up, 9.75
      ["11.2", "11.5", "8", "8.5"], // TR 3.5, ATR 2.75, basic 12.5 / 7; lower kept 9.75; 8.5 < 9.75: down, 12.5
    ];
    const cores = replay(
      rows.map((r, i) => candleOf(r, i)),
      2,
      1,
    );
    expect(cores.map((c) => [c.atr, c.direction, supertrendValue(c)?.toString() ?? null])).toEqual([
      [null, null, null],
      ["2", "down", "12"],
      ["2.5", "up", "9"],
      ["2", "up", "9.75"],
      ["2.75", "down", "12.5"],
    ]);
  });

  it("refuses a period below one", () => {
    expect(() => supertrendUpdate(EMPTY_CORE, candles[0], 0, 1)).toThrow(RangeError);
  });
});

/** Four samples per golden candle inside its bucket: open, high, low, close (the close a minute before the end). */
function samplesOf(rows: readonly Row[], tf = TF) {
  return rows.flatMap((r, i) => {
    const start = DAY_OPEN + i * tf * 60_000;
    return [0, 1, 2, 3].map((k) => ({
      at: start + (k === 3 ? (tf - 1) * 60_000 : k * 30_000),
      premium: new Decimal(r[k] as string),
    }));
  });
}

const cfg = { timeframeMinutes: TF, period: PERIOD, multiplier: MULTIPLIER } as const;

function run(side: "credit" | "debit", roundTrip = false) {
  let state: SupertrendState | undefined;
  const fires: number[] = [];
  const views = [];
  for (const s of samplesOf(GOLDEN)) {
    const r = supertrendStep(cfg, state, s, side);
    state = roundTrip ? (JSON.parse(JSON.stringify(r.state)) as SupertrendState) : r.state;
    if (r.fire) fires.push(r.view.candles);
    views.push(r.view);
  }
  return { fires, views, state: state! };
}

describe("supertrendStep", () => {
  it("a credit position fires exactly once, when candle 25 closes (the trend turns up)", () => {
    const { fires, state, views } = run("credit");
    expect(fires).toEqual([25]);
    expect(state.fired).toBe(true);
    // The last candle is still forming: 47 closed, the view shows the golden value of candle 47.
    expect(views.at(-1)).toEqual({ direction: "down", value: "236.03", candles: 47, timeframeMinutes: TF });
  });

  it("a debit position ignores the turn up and fires once when candle 40 turns down", () => {
    expect(run("debit").fires).toEqual([40]);
  });

  it("keeps a bounded, JSON-safe state: a stored and re-read state gives the same path", () => {
    const plain = run("credit");
    const stored = run("credit", true);
    expect(stored.fires).toEqual(plain.fires);
    expect(stored.views).toEqual(plain.views);
    const size = (n: number) => {
      let st: SupertrendState | undefined;
      for (const s of samplesOf(GOLDEN.slice(0, n))) st = supertrendStep(cfg, st, s, "credit").state;
      return JSON.stringify(st).length;
    };
    // Ten candles or forty-eight: the state does not grow with the run (digits aside).
    expect(size(48)).toBeLessThan(size(10) + 40);
  });

  it("the first value is a default, not a turn: no fire before period + 1 candles", () => {
    // Period 2, multiplier 0.1. Candle 2 (the first with an ATR: TR 3, ATR 2.5, upper 11.25) closes at 12, above the
    // band, yet the first direction is down by definition and nothing fires. Candle 3 (TR 1, ATR 1.75, upper kept at
    // basic 12.675 because the previous close was above 11.25) closes at 12.9 > 12.675: the turn up fires, on candle 3.
    const rows: Row[] = [
      ["9", "10", "8", "9", null, null],
      ["9", "12", "10", "12", null, null],
      ["12", "13", "12", "12.9", null, null],
    ];
    let st: SupertrendState | undefined;
    const seen: [number, boolean, string | null][] = [];
    const step = (s: { at: number; premium: Decimal }, now = s.at) => {
      const r = supertrendStep({ ...cfg, period: 2, multiplier: new Decimal("0.1") }, st, s, "credit", now);
      if (r.view.candles !== (st?.core.candles ?? 0)) seen.push([r.view.candles, r.fire, r.view.direction]);
      st = r.state;
    };
    const samples = samplesOf(rows);
    for (const s of samples) step(s);
    // The last candle closes on the clock.
    step(samples.at(-1)!, DAY_OPEN + rows.length * TF * 60_000);
    expect(seen).toEqual([
      [1, false, null],
      [2, false, "down"],
      [3, true, "up"],
    ]);
  });

  it("closes a candle on the clock, without waiting for a later sample", () => {
    const samples = samplesOf(GOLDEN.slice(0, 25));
    let st: SupertrendState | undefined;
    let fired = false;
    for (const s of samples) {
      const r = supertrendStep(cfg, st, s, "credit");
      st = r.state;
      fired ||= r.fire;
    }
    // Candle 25's close sample is in; its bucket has not ended: nothing yet.
    expect(fired).toBe(false);
    expect(st!.core.candles).toBe(24);
    const end = DAY_OPEN + 25 * TF * 60_000;
    const last = samples.at(-1)!;
    // The same price seen again just before the end: still forming.
    expect(supertrendStep(cfg, st, { ...last, at: end - 1 }, "credit", end - 1).fire).toBe(false);
    // The evaluator's clock passes the bucket's end: candle 25 closes and the exit fires.
    const r = supertrendStep(cfg, st, { ...last, at: end - 1 }, "credit", end);
    expect([r.fire, r.view.candles, r.view.direction]).toEqual([true, 25, "up"]);
  });
});
