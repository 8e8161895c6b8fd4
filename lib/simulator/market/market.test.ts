import { describe, expect, it } from "vitest";
import type { Exchange, MarketView, Quote } from "@/lib/simulator/types";
import { createMarket } from "./market";

/** Wednesday 25 Nov 2026, 10:00 IST. */
const WED_10AM = Date.parse("2026-11-25T04:30:00Z");

function fixedMarket(seed = 7, startAt = WED_10AM, alwaysOpen = false): MarketView {
  return createMarket({ seed, clock: { mode: "fixed", startAt }, alwaysOpen });
}

const onTick = (x: number) => Math.abs(x * 20 - Math.round(x * 20)) < 1e-9;

function expectWellFormed(q: Quote): void {
  for (const p of [q.ltp, q.bid, q.ask, q.open, q.high, q.low, q.prevClose])
    expect(onTick(p), `${q.symbol} ${p}`).toBe(true);
  expect(q.bid).toBeLessThanOrEqual(q.ltp);
  expect(q.ltp).toBeLessThanOrEqual(q.ask);
  expect(q.low).toBeLessThanOrEqual(q.ltp);
  expect(q.high).toBeGreaterThanOrEqual(q.ltp);
  expect(q.ltp).toBeGreaterThan(0);
  expect(Number.isInteger(q.volume) && Number.isInteger(q.oi) && Number.isInteger(q.bidQty)).toBe(true);
}

function nearestWeekly(m: MarketView): string {
  return m.expiries("NIFTY", "NFO", "options")[0].replaceAll("-", "");
}

describe("determinism", () => {
  it("replays the same ticks for the same seed and differs for another", () => {
    const run = (seed: number) => {
      const m = fixedMarket(seed);
      const chain = m.optionChain("NIFTY", "NSE_INDEX", nearestWeekly(m), 2)!;
      const option = chain.rows[1].ce!.instrument.symbol;
      const seen: (Quote | undefined)[] = [];
      for (let i = 0; i < 40; i++) {
        m.tick();
        m.clock.advance(250);
        seen.push(m.quote("NIFTY", "NSE_INDEX"), m.quote("SBIN", "NSE"), m.quote(option, "NFO"));
      }
      return seen;
    };
    expect(run(11)).toEqual(run(11));
    expect(run(11)).not.toEqual(run(12));
  });
});

describe("quotes", () => {
  it("are tick-rounded with bid ≤ ltp ≤ ask for indices, equities, futures and options", () => {
    const m = fixedMarket();
    for (let i = 0; i < 20; i++) m.tick();
    const symbols: [string, Exchange][] = [
      ["NIFTY", "NSE_INDEX"],
      ["SENSEX", "BSE_INDEX"],
      ["SBIN", "NSE"],
      ["SBIN", "BSE"],
      ["M&M", "NSE"],
    ];
    for (const e of m.expiries("NIFTY", "NFO", "futures")) symbols.push([`NIFTY${e.replaceAll("-", "")}FUT`, "NFO"]);
    for (const q of symbols.map(([s, e]) => m.quote(s, e))) expectWellFormed(q!);
    for (const row of m.optionChain(
      "BANKNIFTY",
      "NSE_INDEX",
      m.expiries("BANKNIFTY", "NFO", "options")[0].replaceAll("-", ""),
    )!.rows) {
      expectWellFormed(row.ce!.quote);
      expectWellFormed(row.pe!.quote);
    }
  });

  it("prices futures with carry above spot", () => {
    const m = fixedMarket();
    const [near, far] = m
      .expiries("NIFTY", "NFO", "futures")
      .map((e) => m.quote(`NIFTY${e.replaceAll("-", "")}FUT`, "NFO")!.ltp);
    const spot = m.quote("NIFTY", "NSE_INDEX")!.ltp;
    expect(near).toBeGreaterThan(spot);
    expect(far).toBeGreaterThan(near);
    expect(far / spot).toBeLessThan(1.03);
  });

  it("answers undefined for unknown symbols and exchanges", () => {
    const m = fixedMarket();
    expect(m.quote("NOSUCH", "NSE")).toBeUndefined();
    expect(m.quote("SBIN", "NFO")).toBeUndefined();
    expect(m.depth("NOSUCH", "NSE")).toBeUndefined();
  });

  it("gives a five-level ladder around the quote", () => {
    const m = fixedMarket();
    const sym = m.optionChain("NIFTY", "NSE_INDEX", nearestWeekly(m), 1)!.rows[1].pe!.instrument.symbol;
    const d = m.depth(sym, "NFO")!;
    expect(d.bids).toHaveLength(5);
    expect(d.asks).toHaveLength(5);
    expect(d.bids[0].price).toBe(d.quote.bid);
    expect(d.asks[0].price).toBe(d.quote.ask);
    for (let i = 1; i < 5; i++) {
      expect(d.bids[i].price).toBeLessThan(d.bids[i - 1].price);
      expect(d.asks[i].price).toBeGreaterThan(d.asks[i - 1].price);
      expect(d.asks[i].quantity % 65).toBe(0);
    }
  });
});

describe("option chain", () => {
  it("lists rows sorted by strike around the right ATM, calls falling and puts rising", () => {
    const m = fixedMarket();
    const chain = m.optionChain("NIFTY", "NSE_INDEX", nearestWeekly(m), 5)!;
    const strikes = chain.rows.map((r) => r.strike);
    expect(strikes).toHaveLength(11);
    expect([...strikes].sort((a, b) => a - b)).toEqual(strikes);
    expect(strikes[5]).toBe(chain.atmStrike);
    expect(Math.abs(chain.underlyingLtp - chain.atmStrike)).toBeLessThanOrEqual(25);
    for (let i = 1; i < chain.rows.length; i++) {
      expect(chain.rows[i].ce!.quote.ltp).toBeLessThanOrEqual(chain.rows[i - 1].ce!.quote.ltp);
      expect(chain.rows[i].pe!.quote.ltp).toBeGreaterThanOrEqual(chain.rows[i - 1].pe!.quote.ltp);
      expect(chain.rows[i].ce!.greeks.delta).toBeLessThan(chain.rows[i - 1].ce!.greeks.delta);
    }
    expect(chain.rows[5].ce!.instrument.lotsize).toBe(65);
    expect(chain.expiryTs).toBe(chain.rows[0].ce!.instrument.expiryTs);
  });

  it("accepts the derivative exchange and refuses unlisted expiries", () => {
    const m = fixedMarket();
    expect(m.optionChain("NIFTY", "NFO", nearestWeekly(m), 1)?.rows).toHaveLength(3);
    expect(m.optionChain("NIFTY", "NSE_INDEX", "25DEC30", 1)).toBeUndefined();
    expect(m.optionChain("NIFTY", "BSE_INDEX", nearestWeekly(m), 1)).toBeUndefined();
    expect(m.optionChain("SBIN", "NSE", nearestWeekly(m), 1)).toBeUndefined();
  });
});

describe("greeks", () => {
  it("recovers the smile IV from the traded price", () => {
    const m = fixedMarket();
    const row = m.optionChain(
      "NIFTY",
      "NSE_INDEX",
      m.expiries("NIFTY", "NFO", "options")[2].replaceAll("-", ""),
      0 + 1,
    )!.rows[1];
    const ce = m.greeks(row.ce!.instrument.symbol, "NFO")!;
    const pe = m.greeks(row.pe!.instrument.symbol, "NFO")!;
    expect(ce.delta).toBeGreaterThan(0.3);
    expect(pe.delta).toBeLessThan(-0.3);
    expect(ce.iv).toBeGreaterThan(row.ce!.greeks.iv - 1);
    expect(ce.iv).toBeLessThan(row.ce!.greeks.iv + 1);
    expect(m.greeks(row.ce!.instrument.symbol, "NFO", { interestRate: 0 })!.iv).toBeGreaterThan(0);
    expect(m.greeks("SBIN", "NSE")).toBeUndefined();
  });
});
