import { describe, expect, it } from "vitest";
import { createMarket } from "./market";

const WED_10AM = Date.parse("2026-11-25T04:30:00Z");
const IST = 19_800_000;

function market(seed = 9, startAt = WED_10AM) {
  return createMarket({ seed, clock: { mode: "fixed", startAt }, alwaysOpen: false });
}

describe("history", () => {
  it("offers the broker's interval list and refuses others", () => {
    const m = market();
    expect(m.intervals()).toMatchObject({
      minutes: ["1m", "3m", "5m", "10m", "15m", "30m"],
      hours: ["1h"],
      days: ["D"],
    });
    expect(m.history("NIFTY", "NSE_INDEX", "7m", "2026-11-20", "2026-11-20")).toBeUndefined();
    expect(m.history("NIFTY", "NSE_INDEX", "5m", "2026-11-21", "2026-11-20")).toBeUndefined();
    expect(m.history("NOSUCH", "NSE", "D", "2026-11-01", "2026-11-20")).toBeUndefined();
  });

  it("is deterministic per seed", () => {
    const a = market(9).history("RELIANCE", "NSE", "15m", "2026-11-16", "2026-11-20");
    expect(a).toEqual(market(9).history("RELIANCE", "NSE", "15m", "2026-11-16", "2026-11-20"));
    expect(a).not.toEqual(market(10).history("RELIANCE", "NSE", "15m", "2026-11-16", "2026-11-20"));
  });

  it("gives 09:15-aligned intraday bars that aggregate to the daily bar", () => {
    const m = market();
    const bars = m.history("SBIN", "NSE", "5m", "2026-11-20", "2026-11-20")!;
    expect(bars).toHaveLength(75);
    expect(bars[0].timestamp * 1000).toBe(Date.parse("2026-11-20T03:45:00Z"));
    expect(bars[1].timestamp - bars[0].timestamp).toBe(300);
    const [day] = m.history("SBIN", "NSE", "D", "2026-11-20", "2026-11-20")!;
    expect((day.timestamp * 1000 + IST) % 86_400_000).toBe(0); // IST midnight
    expect(day.open).toBe(bars[0].open);
    expect(day.close).toBe(bars[bars.length - 1].close);
    expect(day.high).toBe(Math.max(...bars.map((b) => b.high)));
    expect(day.low).toBe(Math.min(...bars.map((b) => b.low)));
    expect(day.volume).toBe(bars.reduce((s, b) => s + b.volume, 0));
    for (const b of bars) {
      expect(b.high).toBeGreaterThanOrEqual(Math.max(b.open, b.close));
      expect(b.low).toBeLessThanOrEqual(Math.min(b.open, b.close));
    }
  });

  it("skips weekends and holidays, and ends the synthetic past at the live previous close", () => {
    const m = market();
    const days = m.history("NIFTY", "NSE_INDEX", "D", "2026-11-16", "2026-11-24")!;
    const dates = days.map((d) => new Date(d.timestamp * 1000 + IST).toISOString().slice(0, 10));
    expect(dates).toEqual(["2026-11-16", "2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20", "2026-11-23"]);
    expect(days[days.length - 1].close).toBe(m.quote("NIFTY", "NSE_INDEX")!.prevClose);
  });

  it("records live ticks into today's bars", () => {
    const m = market();
    for (let i = 0; i < 30; i++) {
      m.tick();
      m.clock.advance(10_000);
    }
    const q = m.quote("INFY", "NSE")!;
    const bars = m.history("INFY", "NSE", "1m", "2026-11-25", "2026-11-25")!;
    expect(bars.length).toBeGreaterThanOrEqual(5);
    expect(bars[bars.length - 1].close).toBe(q.ltp);
    expect(Math.max(...bars.map((b) => b.high))).toBeLessThanOrEqual(q.high);
  });

  it("prices option history from the underlying's bars", () => {
    const m = market();
    const expiry = m.expiries("NIFTY", "NFO", "options")[2];
    const atm = m.optionChain("NIFTY", "NSE_INDEX", expiry.replaceAll("-", ""), 1)!.rows[1];
    const ce = m.history(atm.ce!.instrument.symbol, "NFO", "30m", "2026-11-20", "2026-11-20")!;
    const pe = m.history(atm.pe!.instrument.symbol, "NFO", "30m", "2026-11-20", "2026-11-20")!;
    const spot = m.history("NIFTY", "NSE_INDEX", "30m", "2026-11-20", "2026-11-20")!;
    expect(ce).toHaveLength(spot.length);
    // When the index closes a bar higher, the call's close rises relative to its open and the put's falls.
    for (let i = 0; i < spot.length; i++) {
      if (spot[i].close - spot[i].open > 20) {
        expect(ce[i].close).toBeGreaterThan(ce[i].open);
        expect(pe[i].close).toBeLessThan(pe[i].open);
      }
      expect(ce[i].oi).toBeGreaterThan(0);
    }
  });
});

describe("a market created mid-session", () => {
  it("has today's bars from 09:15 that agree with its quote", () => {
    const m = market(6); // 10:00 IST ⇒ 45 minutes of session so far
    const q = m.quote("ICICIBANK", "NSE")!;
    const bars = m.history("ICICIBANK", "NSE", "1m", "2026-11-25", "2026-11-25")!;
    expect(bars).toHaveLength(45);
    expect(bars[0].timestamp * 1000).toBe(Date.parse("2026-11-25T03:45:00Z"));
    expect(bars[0].open).toBe(q.open);
    expect(bars[bars.length - 1].close).toBe(q.ltp);
    expect(Math.max(...bars.map((b) => b.high))).toBe(q.high);
    expect(Math.min(...bars.map((b) => b.low))).toBe(q.low);
    expect(bars.reduce((s, b) => s + b.volume, 0)).toBe(q.volume);
  });
});

describe("a market created on a closed day", () => {
  it("shows the last session's synthetic candle in its quote", () => {
    const sunday = Date.parse("2026-11-22T06:00:00Z");
    const m = market(4, sunday);
    const q = m.quote("TCS", "NSE")!;
    const [prev, last] = m.history("TCS", "NSE", "D", "2026-11-19", "2026-11-20")!;
    expect(last.close).toBe(q.ltp);
    expect(q.prevClose).toBe(prev.close);
    expect(q.open).toBe(last.open);
    expect(q.high).toBe(last.high);
  });
});

describe("quote throughput", () => {
  // How fast is bench/simulator.ts's business (its `quote_pricing` line); this checks every quote is answered.
  it("quotes 5,000 distinct option prices, each re-priced after a tick", () => {
    const m = createMarket({ seed: 1, clock: { mode: "fixed", startAt: WED_10AM }, alwaysOpen: true });
    const expiry = m.expiries("NIFTY", "NFO", "options")[0].replaceAll("-", "");
    const symbols = m
      .optionChain("NIFTY", "NSE_INDEX", expiry, 25)!
      .rows.flatMap((r) => [r.ce!.instrument.symbol, r.pe!.instrument.symbol]);
    let n = 0;
    for (let round = 0; round < 50; round++) {
      m.tick();
      for (const s of symbols) if (m.quote(s, "NFO")) n++;
    }
    expect(n).toBe(50 * symbols.length);
  });
});
