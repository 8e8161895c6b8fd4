import { describe, expect, it } from "vitest";
import type { MarketView } from "@/lib/simulator/types";
import { previousTradingDay } from "@/lib/trading/calendar";
import { parseExpiry } from "@/lib/trading/symbols";
import { createClock } from "./clock";
import { createMarket } from "./market";

const WED_10AM = Date.parse("2026-11-25T04:30:00Z");
const SATURDAY = Date.parse("2026-11-28T06:00:00Z");

function fixedMarket(startAt = WED_10AM, alwaysOpen = false): MarketView {
  return createMarket({ seed: 3, clock: { mode: "fixed", startAt }, alwaysOpen });
}

describe("clock", () => {
  it("stands still in fixed mode and moves only when told", async () => {
    const m = fixedMarket();
    expect(m.clock.mode()).toBe("fixed");
    await new Promise((r) => setTimeout(r, 5));
    expect(m.clock.now()).toBe(WED_10AM);
    m.clock.advance(90_000);
    expect(m.clock.now()).toBe(WED_10AM + 90_000);
    m.clock.set(SATURDAY);
    expect(m.clock.now()).toBe(SATURDAY);
    expect(() => m.clock.advance(-1)).toThrow(RangeError);
  });

  it("follows the wall clock at `speed` in realtime mode and keeps the time across mode switches", () => {
    let wall = 1_000;
    const clock = createClock({ mode: "realtime", speed: 10, startAt: WED_10AM }, () => wall);
    wall += 100;
    expect(clock.now()).toBe(WED_10AM + 1_000);
    clock.setMode("fixed");
    wall += 100;
    expect(clock.now()).toBe(WED_10AM + 1_000);
    clock.setMode("realtime", 1);
    wall += 50;
    expect(clock.now()).toBe(WED_10AM + 1_050);
  });
});

describe("sessions", () => {
  it("is open 09:15–15:30 IST on trading days only, unless always-open", () => {
    const m = fixedMarket();
    expect(m.isOpen("NFO")).toBe(true);
    expect(m.isOpen("NSE_INDEX")).toBe(true);
    m.clock.set(Date.parse("2026-11-25T10:00:00Z")); // 15:30 IST
    expect(m.isOpen("NSE")).toBe(false);
    m.clock.set(Date.parse("2026-11-25T03:44:59Z")); // 09:14:59 IST
    expect(m.isOpen("NSE")).toBe(false);
    m.clock.set(Date.parse("2026-11-24T05:00:00Z")); // Guru Nanak Jayanti
    expect(m.isOpen("NFO")).toBe(false);
    m.clock.set(SATURDAY);
    expect(m.isOpen("BFO")).toBe(false);
    expect(m.isOpen("CRYPTO")).toBe(true);
    m.clock.set(Date.parse("2026-01-15T06:00:00Z")); // equity-only holiday, 11:30 IST
    expect(m.isOpen("NSE")).toBe(false);
    expect(m.isOpen("MCX")).toBe(false);
    m.clock.set(Date.parse("2026-01-15T12:00:00Z")); // 17:30 IST: commodity evening session
    expect(m.isOpen("MCX")).toBe(true);
    m.setAlwaysOpen(true);
    expect(m.isOpen("BFO")).toBe(true);
  });

  it("does not move prices while closed", () => {
    const m = fixedMarket(SATURDAY);
    const before = m.quote("NIFTY", "NSE_INDEX");
    for (let i = 0; i < 10; i++) m.tick();
    expect(m.quote("NIFTY", "NSE_INDEX")).toEqual(before);
  });

  it("reports timings and holidays like /market/timings and /market/holidays", () => {
    const m = fixedMarket();
    const rows = m.timings("2026-11-23");
    expect(rows.find((r) => r.exchange === "NSE")).toEqual({
      exchange: "NSE",
      startTime: 1795405500000,
      endTime: 1795428000000,
    });
    expect(rows.find((r) => r.exchange === "NFO")?.endTime).toBe(1795428600000);
    expect(m.timings("2026-11-22").map((r) => r.exchange)).toEqual(["CRYPTO"]);
    expect(m.timings("2026-11-24").map((r) => r.exchange)).toEqual(["MCX", "CRYPTO"]);
    expect(m.timings("not-a-date")).toEqual([]);
    const h = m.holidays(2026);
    expect(h.find((x) => x.date === "2026-01-26")?.closedExchanges).toContain("MCX");
    expect(h.every((x) => x.date.startsWith("2026-"))).toBe(true);
  });
});

describe("declared calendar days", () => {
  const at = (date: string, time: string) => Date.parse(`${date}T${time}:00+05:30`);

  it("a special session opens its exchanges in its window only, on a Sunday, and is listed as one", () => {
    const m = fixedMarket();
    m.declareSpecialSession({
      date: "2026-12-06",
      description: "Muhurat trading",
      windows: ["NSE", "NFO"].map((exchange) => ({ exchange: exchange as "NSE", start: "18:00", end: "19:00" })),
    });
    m.clock.set(at("2026-12-06", "18:30"));
    expect([m.isOpen("NFO"), m.isOpen("NSE_INDEX"), m.isOpen("BFO"), m.isOpen("MCX")]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    m.clock.set(at("2026-12-06", "19:00"));
    expect(m.isOpen("NFO")).toBe(false);
    expect(m.timings("2026-12-06").map((r) => [r.exchange, r.startTime, r.endTime])).toEqual([
      ["NSE", at("2026-12-06", "18:00"), at("2026-12-06", "19:00")],
      ["NFO", at("2026-12-06", "18:00"), at("2026-12-06", "19:00")],
      ["CRYPTO", at("2026-12-06", "00:00"), Date.parse("2026-12-06T23:59:59+05:30")],
    ]);
    expect(m.holidays(2026).find((h) => h.date === "2026-12-06")).toEqual({
      date: "2026-12-06",
      description: "Muhurat trading",
      kind: "SPECIAL_SESSION",
      closedExchanges: [],
    });
    m.clearCalendar("2026-12-06");
    expect(m.timings("2026-12-06").map((r) => r.exchange)).toEqual(["CRYPTO"]);
    expect(m.holidays(2026).some((h) => h.date === "2026-12-06")).toBe(false);
  });

  it("a declared holiday closes its exchanges, is listed, and moves an expiry on it to the day before", () => {
    const m = fixedMarket();
    const [first] = m.expiries("NIFTY", "NFO", "options");
    const iso = parseExpiry(first)!;
    m.declareHoliday({ date: iso, description: "Declared closure", closedExchanges: ["NSE", "NFO"] });
    expect(m.holidays(Number(iso.slice(0, 4))).find((h) => h.date === iso)).toMatchObject({
      kind: "TRADING_HOLIDAY",
      closedExchanges: ["NSE", "NFO"],
    });
    expect(m.timings(iso).map((r) => r.exchange)).toEqual(["MCX", "CRYPTO"]);
    expect(parseExpiry(m.expiries("NIFTY", "NFO", "options")[0])).toBe(previousTradingDay(iso, new Set([iso])));
    m.clearCalendar();
    expect(m.expiries("NIFTY", "NFO", "options")[0]).toBe(first);
    m.declareHoliday({ date: iso, description: "Declared closure", closedExchanges: ["NSE", "NFO"] });
    m.clock.set(at(iso, "11:00"));
    expect(m.isOpen("NFO")).toBe(false);
    m.clearCalendar();
    expect(m.isOpen("NFO")).toBe(true);
    expect(m.declaredCalendar()).toEqual({ holidays: [], specialSessions: [] });
  });
});

describe("instruments", () => {
  it("resolves a never-generated option of a listed expiry on the strike grid", () => {
    const m = fixedMarket();
    const expiry = m.expiries("NIFTY", "NFO", "options")[1].replaceAll("-", "");
    const spot = m.quote("NIFTY", "NSE_INDEX")!.ltp;
    const strike = Math.round(spot / 50) * 50 + 1_000;
    const i = m.instrument(`NIFTY${expiry}${strike}PE`, "NFO");
    expect(i).toMatchObject({
      symbol: `NIFTY${expiry}${strike}PE`,
      instrumenttype: "PE",
      strike,
      lotsize: 65,
      freezeQty: 1800,
      tickSize: 0.05,
      underlying: "NIFTY",
    });
    expect(i?.expiry).toBe(m.expiries("NIFTY", "NFO", "options")[1]);
    expect(m.instrument(`NIFTY${expiry}${strike + 25}PE`, "NFO")).toBeUndefined(); // off grid
    expect(m.instrument(`NIFTY${expiry}${strike * 3}CE`, "NFO")).toBeUndefined(); // absurd strike
    expect(m.instrument(`NIFTY${expiry}${strike}PE`, "BFO")).toBeUndefined();
    expect(m.instrument(`NIFTY30DEC30${strike}PE`, "NFO")).toBeUndefined(); // unlisted expiry
    expect(m.instrument("SBIN", "NSE")?.brsymbol).toBe("SBIN-EQ");
    expect(m.instrument("NOSUCH", "NSE")).toBeUndefined();
  });

  it("lists a holiday-shifted expiry (Holi, Tue 3 Mar 2026 ⇒ Mon 2 Mar)", () => {
    const m = fixedMarket(Date.parse("2026-02-25T05:00:00Z"));
    const expiries = m.expiries("NIFTY", "NFO", "options");
    expect(expiries).toContain("02-MAR-26");
    expect(expiries).not.toContain("03-MAR-26");
    expect(expiries).toContain("30-MAR-26"); // monthly, 31 Mar is a holiday too
    const i = m.instrument("NIFTY02MAR2626000CE", "NFO")!;
    expect(i.expiryTs).toBe(Date.parse("2026-03-02T10:00:00Z"));
    expect(m.expiries("SENSEX", "BFO", "options")[0]).toBe("26-FEB-26");
    expect(m.expiries("BANKNIFTY", "NFO", "futures")).toEqual(["30-MAR-26", "28-APR-26", "26-MAY-26"]);
    expect(m.expiries("NIFTY", "BFO", "options")).toEqual([]);
  });

  it("drops an expiry after 15:30 IST on its day", () => {
    const m = fixedMarket(Date.parse("2026-12-01T09:59:00Z"));
    expect(m.expiries("NIFTY", "NFO", "options")[0]).toBe("01-DEC-26");
    const spot = m.quote("NIFTY", "NSE_INDEX")!.ltp;
    const itm = Math.round(spot / 50) * 50 - 500;
    m.clock.set(Date.parse("2026-12-01T10:00:00Z"));
    expect(m.expiries("NIFTY", "NFO", "options")[0]).toBe("08-DEC-26");
    // Still resolvable for the rest of its day, worth its intrinsic value.
    expect(m.quote(`NIFTY01DEC26${itm}CE`, "NFO")!.ltp).toBeCloseTo(spot - itm, 5);
    expect(m.quote(`NIFTY01DEC26${itm}PE`, "NFO")!.ltp).toBe(0.05);
    // Every expiry now listed resolves, including the weekly that moved up into the window.
    for (const e of m.expiries("NIFTY", "NFO", "options"))
      expect(m.instrument(`NIFTY${e.replaceAll("-", "")}${itm}CE`, "NFO"), e).toBeDefined();
    m.clock.set(Date.parse("2026-12-01T19:00:00Z")); // 00:30 IST next day
    expect(m.instrument(`NIFTY01DEC26${itm}CE`, "NFO")).toBeUndefined();
  });

  it("applies lot and freeze overrides to contracts", () => {
    const m = fixedMarket();
    const sym = `NIFTY${m.expiries("NIFTY", "NFO", "futures")[0].replaceAll("-", "")}FUT`;
    expect(m.instrument(sym, "NFO")?.lotsize).toBe(65);
    m.overrideContract("NIFTY", { lotSize: 75, freezeQty: 1800 });
    expect(m.instrument(sym, "NFO")).toMatchObject({ lotsize: 75, freezeQty: 1800 });
    expect(() => m.overrideContract("SBIN", { lotSize: 1 })).toThrow();
    expect(() => m.overrideContract("NIFTY", { lotSize: 0 })).toThrow();
  });

  it("enforces an exchange freeze limit below the one the instrument data reports, until cleared", () => {
    const m = fixedMarket();
    const sym = `NIFTY${m.expiries("NIFTY", "NFO", "futures")[0].replaceAll("-", "")}FUT`;
    const fut = m.instrument(sym, "NFO")!;
    expect(m.enforcedFreezeQty(fut)).toBe(fut.freezeQty);
    m.setExchangeFreeze("nifty", 650);
    expect(m.enforcedFreezeQty(fut)).toBe(650);
    // The reported freeze quantity is unchanged: that is the point of the knob.
    expect(m.instrument(sym, "NFO")?.freezeQty).toBe(fut.freezeQty);
    m.setExchangeFreeze("NIFTY", null);
    expect(m.enforcedFreezeQty(fut)).toBe(fut.freezeQty);
    expect(() => m.setExchangeFreeze("SBIN", 100)).toThrow();
    expect(() => m.setExchangeFreeze("NIFTY", 1)).toThrow();
  });

  it("searches by substring with an exchange filter and a cap", () => {
    const m = fixedMarket();
    expect(m.search("sbin").map((i) => i.exchange)).toEqual(["NSE", "BSE"]);
    expect(m.search("SBIN", "BSE")).toHaveLength(1);
    const prefix = `NIFTY${m.expiries("NIFTY", "NFO", "options")[0].replaceAll("-", "")}`;
    const hits = m.search(prefix, "NFO");
    expect(hits.length).toBeGreaterThan(50);
    expect(hits.every((i) => i.symbol.startsWith(prefix))).toBe(true);
    expect(m.search("NIFTY").length).toBe(500);
    expect(m.search("   ")).toEqual([]);
  });

  it("lists the whole universe for /instruments, every row resolvable", () => {
    const m = fixedMarket();
    const all = m.instruments!();
    const bfo = m.instruments!("BFO");
    expect(all.length).toBeGreaterThan(3_000);
    expect(bfo.every((i) => i.exchange === "BFO" && i.underlying === "SENSEX")).toBe(true);
    expect(bfo.filter((i) => i.instrumenttype === "FUT")).toHaveLength(3);
    expect(new Set(all.map((i) => `${i.exchange}|${i.symbol}`)).size).toBe(all.length);
    for (const i of all.filter((_, n) => n % 97 === 0)) expect(m.instrument(i.symbol, i.exchange)).toEqual(i);
    expect(m.instruments!("NSE").map((i) => i.symbol)).toContain("BAJAJ-AUTO");
  });
});

describe("ticks and control", () => {
  it("tells listeners about moved underlyings and recently quoted options only", () => {
    const m = fixedMarket();
    const chain = m.optionChain("NIFTY", "NSE_INDEX", m.expiries("NIFTY", "NFO", "options")[0].replaceAll("-", ""), 2)!;
    const quoted = chain.rows[2].ce!.instrument.symbol;
    const notQuoted = chain.rows[3].ce!.instrument.symbol;
    m.quote(quoted, "NFO");
    const batches: string[][] = [];
    const off = m.onTick((changed) => batches.push(changed.map((c) => `${c.exchange}:${c.symbol}`)));
    m.tick();
    expect(batches[0]).toEqual(
      expect.arrayContaining(["NSE_INDEX:NIFTY", "BSE_INDEX:SENSEX", "NSE:SBIN", "BSE:SBIN", `NFO:${quoted}`]),
    );
    expect(batches[0]).not.toContain(`NFO:${notQuoted}`);
    off();
    m.tick();
    expect(batches).toHaveLength(1);
  });

  it("moves option prices with setSpot and setVolatility", () => {
    const m = fixedMarket();
    const chain = m.optionChain("NIFTY", "NSE_INDEX", m.expiries("NIFTY", "NFO", "options")[1].replaceAll("-", ""), 1)!;
    const ce = chain.rows[1].ce!.instrument.symbol;
    const before = m.quote(ce, "NFO")!.ltp;
    const seen: string[] = [];
    m.onTick((c) => seen.push(...c.map((x) => x.symbol)));
    m.setSpot("NIFTY", chain.underlyingLtp + 200.013);
    expect(m.quote("NIFTY", "NSE_INDEX")!.ltp).toBe(Math.round((chain.underlyingLtp + 200.013) * 20) / 20);
    expect(seen).toContain(ce);
    const up = m.quote(ce, "NFO")!.ltp;
    expect(up).toBeGreaterThan(before + 50);
    m.setVolatility("nifty", 0.3);
    expect(m.quote(ce, "NFO")!.ltp).toBeGreaterThan(up);
    expect(() => m.setVolatility("NIFTY", 13)).toThrow();
    expect(() => m.setSpot("NOSUCH", 10)).toThrow();
    expect(() => m.setSpot("NIFTY", -1)).toThrow();
  });

  it("rolls the session overnight: the last price becomes the previous close", () => {
    const m = fixedMarket();
    for (let i = 0; i < 10; i++) m.tick();
    const lastClose = m.quote("SBIN", "NSE")!.ltp;
    m.clock.set(Date.parse("2026-11-26T04:00:00Z")); // Thursday 09:30 IST
    m.tick();
    const q = m.quote("SBIN", "NSE")!;
    expect(q.prevClose).toBe(lastClose);
    expect(q.open).toBe(lastClose);
    expect(q.volume).toBeLessThan(3_000);
  });

  it("ticks by itself in realtime mode once started", async () => {
    const m = createMarket({ seed: 5, clock: { mode: "realtime" }, alwaysOpen: true, tickIntervalMs: 5 });
    let batches = 0;
    // Nothing calls tick(): the third batch arriving at all proves the market ticks by itself (however long a loaded
    // machine makes that take; the test's timeout is the limit).
    const third = new Promise<void>((resolve) =>
      m.onTick(() => {
        if (++batches === 3) resolve();
      }),
    );
    m.start();
    await third;
    m.stop();
    const seen = batches;
    expect(seen).toBeGreaterThan(2);
    // After stop, no batch: this wait outlasts several tick intervals, and a still-running 5 ms timer, due first, would
    // fire before it ends however slow the machine is.
    await new Promise((r) => setTimeout(r, 30));
    expect(batches).toBe(seen);
  });
});

describe("held prices", () => {
  // Waits for real timer ticks by watching the simulated clock (it follows the wall clock), never by a fixed sleep.
  async function untilClockPasses(m: MarketView, at: number): Promise<void> {
    while (m.clock.now() < at) await new Promise((r) => setTimeout(r, 10));
  }

  it("stay where they are while the timer ticks (the stream repeats them), and move again once released", async () => {
    const m = createMarket({
      seed: 3,
      clock: { mode: "realtime", startAt: WED_10AM },
      alwaysOpen: true,
      tickIntervalMs: 5,
    });
    const ticks: number[] = [];
    m.onTick(() => ticks.push(m.clock.now()));
    m.start();
    try {
      m.holdPrices(true);
      const before = m.quote("NIFTY", "NSE_INDEX")?.ltp;
      expect(before).toBeGreaterThan(0);
      await untilClockPasses(m, m.clock.now() + 100); // twenty timer periods
      expect(m.quote("NIFTY", "NSE_INDEX")?.ltp).toBe(before);
      // Held is not silent: listeners (the WebSocket) keep getting the unchanged quotes.
      expect(ticks.length).toBeGreaterThan(0);
      m.holdPrices(false);
      while (m.quote("NIFTY", "NSE_INDEX")?.ltp === before) await new Promise((r) => setTimeout(r, 10));
    } finally {
      m.stop();
    }
  });
});
