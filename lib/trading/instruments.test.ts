import { describe, expect, it } from "vitest";
import { tradingHolidaySet } from "./calendar";
import {
  DEFAULT_INSTRUMENT_SETTINGS,
  instrumentSettingsFor,
  instrumentSettingsSchema,
  isLotMultiple,
  lotSizeFor,
  sliceQuantities,
  sliceQuantityFor,
} from "./instruments";

describe("default instrument settings", () => {
  it("seeds the documented table", () => {
    const n = DEFAULT_INSTRUMENT_SETTINGS.NIFTY;
    expect([n.exchange, n.indexExchange, n.strikeStep, n.lotSize, n.freezeQty]).toEqual([
      "NFO",
      "NSE_INDEX",
      50,
      65,
      1800,
    ]);
    expect(n.expiry).toEqual({ weekly: true, weekday: 2 });
    expect(DEFAULT_INSTRUMENT_SETTINGS.SENSEX).toMatchObject({
      exchange: "BFO",
      indexExchange: "BSE_INDEX",
      strikeStep: 100,
      lotSize: 20,
      freezeQty: 1000,
      expiry: { weekly: true, weekday: 4 },
    });
    for (const u of ["BANKNIFTY", "FINNIFTY", "MIDCPNIFTY"] as const)
      expect(DEFAULT_INSTRUMENT_SETTINGS[u].expiry.weekly).toBe(false);
    expect(DEFAULT_INSTRUMENT_SETTINGS.MIDCPNIFTY.strikeStep).toBe(25);
  });

  it("looks underlyings up case-insensitively and refuses unknown or inherited keys", () => {
    expect(instrumentSettingsFor("banknifty")?.lotSize).toBe(30);
    expect(instrumentSettingsFor("SBIN")).toBeUndefined();
    expect(instrumentSettingsFor("toString")).toBeUndefined();
  });
});

describe("lotSizeFor", () => {
  // NIFTY's rule (monthly = last Tuesday) with a pending revision 75 → 65.
  const revised = { lotSize: 75, nextMonthLotSize: 65, expiry: DEFAULT_INSTRUMENT_SETTINGS.NIFTY.expiry };
  const sensex = { lotSize: 20, nextMonthLotSize: 30, expiry: DEFAULT_INSTRUMENT_SETTINGS.SENSEX.expiry };
  const holidays = tradingHolidaySet();
  // The current month is the current monthly SERIES (the nearest monthly expiry on or after today), not today's
  // calendar month: contracts expiring on or before that monthly keep lotSize, later ones take nextMonthLotSize.
  it.each([
    ["a contract of the current series", "2025-12-30", "2025-12-10", 75, revised],
    ["a weekly of the current series", "2025-12-02", "2025-12-01", 75, revised],
    ["on the monthly expiry day itself", "2025-11-25", "2025-11-25", 75, revised],
    ["the next series", "2026-01-27", "2025-12-10", 65, revised],
    ["the next series, across a year boundary", "2026-03-31", "2025-12-31", 65, revised],
    [
      "December is current after November's last-Tuesday expiry (still November)",
      "2025-12-30",
      "2025-11-26",
      75,
      revised,
    ],
    ["a December weekly after November's expiry", "2025-12-02", "2025-11-27", 75, revised],
    ["January once December is current", "2026-01-27", "2025-11-26", 65, revised],
    ["a weekly of the next series, before this month's monthly", "2025-12-02", "2025-11-24", 65, revised],
    ["the next series' weekly pulled back into this month by a holiday", "2025-04-30", "2025-04-21", 30, sensex],
    ["the current monthly before that pulled-back weekly", "2025-04-24", "2025-04-21", 20, sensex],
  ] as const)("%s: expiry %s, today %s → %i", (_label, expiry, today, want, settings) => {
    expect(lotSizeFor(settings, expiry, today, holidays)).toBe(want);
  });
  it("takes the holiday-shifted monthly: on a closed monthly date the series has already rolled", () => {
    // 2026-11-24 (Tue, Guru Nanak) is closed: November's monthly was 2026-11-23, so on the 24th December is current.
    expect(lotSizeFor(revised, "2026-12-29", "2026-11-24", holidays)).toBe(75);
    expect(lotSizeFor(revised, "2027-01-25", "2026-11-24", holidays)).toBe(65);
  });
  it("rejects malformed dates", () => {
    expect(() => lotSizeFor(revised, "30-12-2025", "2025-12-10")).toThrow(RangeError);
    expect(() => lotSizeFor(revised, "2025-12-30", "10-12-2025")).toThrow(RangeError);
  });
});

describe("sliceQuantityFor", () => {
  it("is the largest lot multiple within the freeze limit", () => {
    expect(sliceQuantityFor(65, 1755)).toBe(1755); // 27 lots
    expect(sliceQuantityFor(65, 1800)).toBe(1755);
    expect(sliceQuantityFor(30, 600)).toBe(600);
    expect(sliceQuantityFor(20, 1000)).toBe(1000);
    expect(sliceQuantityFor(75, 1000)).toBe(975);
  });
  it("treats a freeze quantity of 1 as unknown (no limit)", () => {
    expect(sliceQuantityFor(1, 1)).toBeNull();
    expect(sliceQuantityFor(65, 1)).toBeNull();
  });
  it("refuses a freeze limit below one lot and non-integer inputs", () => {
    expect(() => sliceQuantityFor(75, 50)).toThrow(RangeError);
    expect(() => sliceQuantityFor(0, 1755)).toThrow(RangeError);
    expect(() => sliceQuantityFor(65, 17.5)).toThrow(RangeError);
  });
});

describe("sliceQuantities", () => {
  it("splits into freeze-sized lot multiples, remainder last", () => {
    expect(sliceQuantities(65 * 60, 65, 1755)).toEqual([1755, 1755, 390]);
    expect(sliceQuantities(1755, 65, 1755)).toEqual([1755]);
    expect(sliceQuantities(130, 65, 1)).toEqual([130]);
    expect(sliceQuantities(65 * 60, 65, 1755).every((q) => q % 65 === 0)).toBe(true);
  });
  it("rejects quantities that are not whole lots", () => {
    expect(() => sliceQuantities(100, 65, 1755)).toThrow(RangeError);
    expect(isLotMultiple(130, 65)).toBe(true);
    expect(isLotMultiple(0, 65)).toBe(false);
    expect(isLotMultiple(64, 65)).toBe(false);
  });
});

describe("instrumentSettingsSchema", () => {
  it("accepts every seeded row and rejects impossible ones", () => {
    for (const row of Object.values(DEFAULT_INSTRUMENT_SETTINGS))
      expect(instrumentSettingsSchema.safeParse(row).success).toBe(true);
    const nifty = DEFAULT_INSTRUMENT_SETTINGS.NIFTY;
    expect(instrumentSettingsSchema.safeParse({ ...nifty, lotSize: 65.5 }).success).toBe(false);
    expect(instrumentSettingsSchema.safeParse({ ...nifty, freezeQty: 50 }).success).toBe(false);
    expect(instrumentSettingsSchema.safeParse({ ...nifty, freezeQty: 1 }).success).toBe(true);
    expect(instrumentSettingsSchema.safeParse({ ...nifty, expiry: { weekly: true, weekday: 0 } }).success).toBe(false);
    expect(instrumentSettingsSchema.safeParse({ ...nifty, exchange: "NSE" }).success).toBe(false);
  });
});
