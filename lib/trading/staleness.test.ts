import { describe, expect, it } from "vitest";
import { defaultSession, istInstant } from "./calendar";
import {
  decideStaleness,
  restDue,
  sessionOpenedAt,
  staleContractsOf,
  thresholdFor,
  underlyingOfSymbol,
  type StalenessInput,
} from "./staleness";

// Monday 7 December 2026, a trading day; Sunday the 6th is not.
const MON = "2026-12-07";
const at = (time: string, date = MON) => istInstant(date, time);

describe("live sessions per exchange", () => {
  // The built-in sessions (no calendar rows): what the watchdog sees when OpenAlgo and admins say nothing.
  const opened = (ex: string, time: string, date = MON) => sessionOpenedAt(defaultSession(ex, date), at(time, date));

  it("NFO, BFO and the indices are open 09:15 to 15:30 IST on trading days, from the open's instant", () => {
    for (const ex of ["NFO", "BFO", "NSE_INDEX", "BSE_INDEX", "NSE"]) {
      expect(opened(ex, "09:14:59")).toBeNull();
      expect(opened(ex, "09:15")).toBe(at("09:15"));
      expect(opened(ex, "15:29:59")).toBe(at("09:15"));
      expect(opened(ex, "15:30")).toBeNull();
    }
  });

  it("weekends and exchange holidays are closed all day; MCX trades into the evening and on equity-only holidays", () => {
    expect(opened("NFO", "11:00", "2026-12-06")).toBeNull();
    expect(opened("NFO", "11:00", "2026-12-25")).toBeNull(); // Christmas, every exchange
    expect(opened("NFO", "11:00", "2026-11-24")).toBeNull(); // Gurpurb, equity segments only
    expect(opened("MCX", "11:00", "2026-11-24")).toBeNull(); // evening session only
    expect(opened("MCX", "17:30", "2026-11-24")).toBe(at("17:00", "2026-11-24"));
    expect(opened("MCX_INDEX", "17:30", "2026-11-24")).toBe(at("17:00", "2026-11-24"));
    expect(opened("MCX", "11:00")).toBe(at("09:00"));
    expect(opened("MCX", "21:00")).toBe(at("09:00"));
    expect(opened("MCX", "23:30")).toBeNull();
    expect(opened("CDS", "16:59")).toBe(at("09:00"));
    expect(opened("CDS", "17:00")).toBeNull();
  });

  it("a special session is open in its window, on a day the defaults have closed", () => {
    const muhurat = {
      ...defaultSession("NFO", "2026-12-06"),
      closed: false,
      opensAt: at("18:00", "2026-12-06"),
      closesAt: at("19:00", "2026-12-06"),
      special: true,
    };
    expect(sessionOpenedAt(muhurat, at("17:59:59", "2026-12-06"))).toBeNull();
    expect(sessionOpenedAt(muhurat, at("18:30", "2026-12-06"))).toBe(at("18:00", "2026-12-06"));
    expect(sessionOpenedAt(muhurat, at("19:00", "2026-12-06"))).toBeNull();
  });

  it("indices get the short threshold, every other contract the longer one", () => {
    const t = { indexMs: 5_000, contractMs: 20_000 };
    expect(thresholdFor("NSE_INDEX", t)).toBe(5_000);
    expect(thresholdFor("bse_index", t)).toBe(5_000);
    expect(thresholdFor("NFO", t)).toBe(20_000);
    expect(thresholdFor("NSE", t)).toBe(20_000);
  });
});

describe("staleness decision", () => {
  const base: StalenessInput = {
    now: at("10:00"),
    thresholdMs: 5_000,
    marketOpen: true,
    sessionOpenedAt: at("09:15"),
    lastFeedAt: at("10:00") - 5_000,
    wantedSince: at("09:30"),
    flaggedSince: null,
  };

  it("silence of exactly the threshold is not stale; one millisecond more is", () => {
    expect(decideStaleness(base)).toEqual({ action: "none" });
    expect(decideStaleness({ ...base, lastFeedAt: base.now - 5_001 })).toEqual({
      action: "raise",
      silentSince: base.now - 5_001,
      silentMs: 5_001,
    });
  });

  it("a closed market is never stale, however old the last tick, and a closing market clears a raised flag", () => {
    expect(decideStaleness({ ...base, marketOpen: false, lastFeedAt: null })).toEqual({ action: "none" });
    expect(decideStaleness({ ...base, marketOpen: false, lastFeedAt: 0 })).toEqual({ action: "none" });
    expect(decideStaleness({ ...base, marketOpen: false, flaggedSince: at("09:59") })).toEqual({
      action: "clear",
      why: "market_closed",
    });
  });

  it("without any tick, silence counts from when the contract became wanted", () => {
    const fresh = { ...base, lastFeedAt: null, wantedSince: base.now - 4_000 };
    expect(decideStaleness(fresh)).toEqual({ action: "none" });
    expect(decideStaleness({ ...fresh, wantedSince: base.now - 6_000 })).toMatchObject({
      action: "raise",
      silentSince: base.now - 6_000,
    });
  });

  it("yesterday's last tick or a tick before it was wanted is not silence: the later of wanted-since and the open counts", () => {
    const yesterday = at("15:29", "2026-12-04");
    expect(decideStaleness({ ...base, now: at("09:15:03"), lastFeedAt: yesterday, wantedSince: 0 })).toEqual({
      action: "none",
    });
    expect(decideStaleness({ ...base, now: at("09:15:06"), lastFeedAt: yesterday, wantedSince: 0 })).toMatchObject({
      action: "raise",
      silentSince: at("09:15"),
    });
    expect(decideStaleness({ ...base, lastFeedAt: base.now - 60_000, wantedSince: base.now - 1_000 }).action).toBe(
      "none",
    );
  });

  it("a raised flag stays until a live tick newer than the flag, however recent older ticks were", () => {
    const flagged = { ...base, flaggedSince: base.now - 2_000 };
    expect(decideStaleness({ ...flagged, lastFeedAt: base.now - 2_000 })).toEqual({ action: "keep" });
    expect(decideStaleness({ ...flagged, lastFeedAt: null })).toEqual({ action: "keep" });
    expect(decideStaleness({ ...flagged, lastFeedAt: base.now - 1_999 })).toEqual({
      action: "clear",
      why: "fresh_tick",
    });
  });

  it("a REST quote is due once per interval per contract", () => {
    expect(restDue(null, 10_000, 5_000)).toBe(true);
    expect(restDue(6_000, 10_000, 5_000)).toBe(false);
    expect(restDue(5_000, 10_000, 5_000)).toBe(true);
  });
});

describe("stale contracts of an underlying", () => {
  it("the index and every derivative of the underlying count; another underlying's do not", () => {
    expect(underlyingOfSymbol("NIFTY08DEC2624500CE")).toBe("NIFTY");
    expect(underlyingOfSymbol("BANKNIFTY29DEC26FUT")).toBe("BANKNIFTY");
    expect(underlyingOfSymbol("NIFTY")).toBe("NIFTY");
    expect(underlyingOfSymbol("SBIN")).toBe("SBIN");
    const flags = [
      { symbol: "NIFTY", exchange: "NSE_INDEX" },
      { symbol: "NIFTY08DEC2624500CE", exchange: "NFO" },
      { symbol: "BANKNIFTY29DEC2652000PE", exchange: "NFO" },
      { symbol: "FINNIFTY", exchange: "NSE_INDEX" },
    ];
    expect(staleContractsOf(flags, "nifty").map((f) => f.symbol)).toEqual(["NIFTY", "NIFTY08DEC2624500CE"]);
    expect(staleContractsOf(flags, "BANKNIFTY").map((f) => f.symbol)).toEqual(["BANKNIFTY29DEC2652000PE"]);
    expect(staleContractsOf(flags, "SENSEX")).toEqual([]);
  });
});
