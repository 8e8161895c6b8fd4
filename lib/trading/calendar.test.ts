import { describe, expect, it } from "vitest";
import {
  EXCHANGE_HOLIDAYS,
  MIS_SQUARE_OFF,
  misCutoffPassed,
  addDays,
  defaultSession,
  calendarExchangeOf,
  exchangeHolidaySchema,
  adjustExpiryForHolidays,
  expiryInstant,
  isMonthlyExpiry,
  isTradingDay,
  istDateOf,
  istInstant,
  istMinuteOfDay,
  lastWeekdayOfMonth,
  nextTradingDay,
  previousTradingDay,
  sessionWindow,
  tradingHolidaySet,
  weekdayOf,
} from "./calendar";
import { expiriesFor, monthlyExpiriesFor } from "./instruments";

const holidays = tradingHolidaySet();

describe("IST instants", () => {
  it("maps instants to IST dates at the 18:30 UTC boundary", () => {
    expect(istDateOf(Date.parse("2026-11-22T18:29:59.999Z"))).toBe("2026-11-22");
    expect(istDateOf(Date.parse("2026-11-22T18:30:00.000Z"))).toBe("2026-11-23");
    expect(istMinuteOfDay(Date.parse("2026-11-23T03:45:00Z"))).toBe(9 * 60 + 15);
  });
  it("gives the 09:15–15:30 IST session as UTC instants (matches a real /market/timings)", () => {
    expect(sessionWindow("2026-11-23")).toEqual({ open: 1795405500000, close: 1795428000000 });
    expect(new Date(istInstant("2026-01-01", "09:15")).toISOString()).toBe("2026-01-01T03:45:00.000Z");
    expect(expiryInstant("2026-03-02")).toBe(Date.parse("2026-03-02T10:00:00Z"));
  });
  it("rejects impossible dates", () => {
    expect(() => addDays("2026-02-30", 1)).toThrow(RangeError);
    expect(() => istInstant("2026-01-01", "9:15")).toThrow(RangeError);
  });
});

describe("trading days", () => {
  it("knows weekends and seeded holidays", () => {
    expect(weekdayOf("2026-11-22")).toBe(0);
    expect(isTradingDay("2026-11-23", holidays)).toBe(true);
    expect(isTradingDay("2026-11-22", holidays)).toBe(false);
    expect(isTradingDay("2026-03-03", holidays)).toBe(false); // Holi
    expect(isTradingDay("2026-01-26", holidays)).toBe(false);
  });
  it("finds previous and next trading days across weekends and holidays", () => {
    expect(previousTradingDay("2026-11-23", holidays)).toBe("2026-11-20");
    expect(previousTradingDay("2026-11-25", holidays)).toBe("2026-11-23"); // 24th is Guru Nanak Jayanti
    expect(nextTradingDay("2026-04-02", holidays)).toBe("2026-04-06"); // Good Friday 3rd
    expect(previousTradingDay("2026-01-01", holidays)).toBe("2025-12-31");
  });
  it("seeds only weekday holidays, unique and sorted", () => {
    const dates = EXCHANGE_HOLIDAYS.map((x) => x.date);
    expect([...dates].sort()).toEqual(dates);
    expect(new Set(dates).size).toBe(dates.length);
    for (const d of dates) expect([0, 6]).not.toContain(weekdayOf(d));
    for (const row of EXCHANGE_HOLIDAYS) expect(exchangeHolidaySchema.safeParse(row).success).toBe(true);
    expect(
      exchangeHolidaySchema.safeParse({ date: "2026-02-30", description: "x", closedExchanges: ["NSE"] }).success,
    ).toBe(false);
  });
  it("builds the holiday set of one exchange from a replaceable list", () => {
    const list = [
      { date: "2026-06-01", description: "Equity only", closedExchanges: ["NSE", "BSE"] },
      { date: "2026-06-02", description: "Commodity only", closedExchanges: ["MCX"] },
    ];
    expect([...tradingHolidaySet(list)]).toEqual(["2026-06-01"]);
    expect([...tradingHolidaySet(list, "MCX")]).toEqual(["2026-06-02"]);
  });
});

describe("expiry calendar", () => {
  it("lists NIFTY weekly Tuesdays including the monthly", () => {
    expect(expiriesFor("NIFTY", "2026-09-28", 5, holidays)).toEqual([
      "2026-09-29",
      "2026-10-06",
      "2026-10-13",
      "2026-10-19",
      "2026-10-27",
    ]); // Dussehra 20 Oct
    // Diwali Balipratipada (10 Nov) and Guru Nanak Jayanti (24 Nov, the monthly) both fall on Tuesdays.
    expect(expiriesFor("NIFTY", "2026-11-02", 5, holidays)).toEqual([
      "2026-11-03",
      "2026-11-09",
      "2026-11-17",
      "2026-11-23",
      "2026-12-01",
    ]);
  });
  it("counts an expiry on fromDate itself", () => {
    expect(expiriesFor("NIFTY", "2026-11-17", 1, holidays)).toEqual(["2026-11-17"]);
  });
  it("moves a holiday Tuesday to Monday, and further back when Monday is closed too", () => {
    expect(expiriesFor("NIFTY", "2026-02-25", 2, holidays)).toEqual(["2026-03-02", "2026-03-10"]); // Holi 3 Mar
    const both = new Set([...holidays, "2026-03-02"]);
    expect(expiriesFor("NIFTY", "2026-02-25", 1, both)).toEqual(["2026-02-27"]);
    expect(adjustExpiryForHolidays("2026-03-03", both)).toBe("2026-02-27");
  });
  it("drops an expiry pulled back before fromDate", () => {
    expect(expiriesFor("NIFTY", "2026-03-03", 1, holidays)).toEqual(["2026-03-10"]);
  });
  it("takes the last Tuesday as monthly, holiday-adjusted (31 Mar 2026 ⇒ 30 Mar)", () => {
    expect(lastWeekdayOfMonth(2026, 3, 2)).toBe("2026-03-31");
    expect(monthlyExpiriesFor("NIFTY", "2026-03-01", 2, holidays)).toEqual(["2026-03-30", "2026-04-28"]);
    expect(isMonthlyExpiry({ weekly: true, weekday: 2 }, "2026-03-30", holidays)).toBe(true);
    expect(isMonthlyExpiry({ weekly: true, weekday: 2 }, "2026-03-24", holidays)).toBe(false);
  });
  it("gives BANKNIFTY, FINNIFTY and MIDCPNIFTY monthly expiries only", () => {
    expect(expiriesFor("BANKNIFTY", "2026-01-01", 3, holidays)).toEqual(["2026-01-27", "2026-02-24", "2026-03-30"]);
    expect(expiriesFor("FINNIFTY", "2026-01-28", 1, holidays)).toEqual(["2026-02-24"]);
    expect(expiriesFor("midcpnifty", "2026-01-01", 1, holidays)).toEqual(["2026-01-27"]);
  });
  it("gives SENSEX Thursdays, a holiday Thursday moving to Wednesday", () => {
    expect(expiriesFor("SENSEX", "2026-03-16", 3, holidays)).toEqual(["2026-03-19", "2026-03-25", "2026-04-02"]); // Ram Navami 26 Mar
    expect(monthlyExpiriesFor("SENSEX", "2026-03-01", 1, holidays)).toEqual(["2026-03-25"]);
  });
  it("crosses month and year boundaries", () => {
    expect(expiriesFor("NIFTY", "2026-12-24", 3, holidays)).toEqual(["2026-12-29", "2027-01-05", "2027-01-12"]);
    // 26 Jan 2027 (last Tuesday) is Republic Day ⇒ Monday 25th.
    expect(expiriesFor("BANKNIFTY", "2026-12-30", 2, holidays)).toEqual(["2027-01-25", "2027-02-23"]);
    expect(expiriesFor("NIFTY", "2026-04-29", 1, holidays)).toEqual(["2026-05-05"]);
  });
  it("returns nothing for an unknown underlying", () => {
    expect(expiriesFor("SBIN", "2026-01-01", 3, holidays)).toEqual([]);
  });
});

describe("MIS square-off cut-off", () => {
  it("refuses new MIS orders from 15:15 IST to the end of the IST day, not before", () => {
    const at = (time: string) => misCutoffPassed(istInstant("2026-12-07", time));
    expect([at("09:15"), at("15:14:59"), at("15:15"), at("15:29"), at("23:59:59")]).toEqual([
      false,
      false,
      true,
      true,
      true,
    ]);
    // 00:30 IST of the next day is 19:00 UTC of this one: a new IST day, before its cut-off.
    expect(misCutoffPassed(istInstant("2026-12-08", "00:30"))).toBe(false);
    expect(MIS_SQUARE_OFF).toBe("15:15");
  });

  it("follows the day's session: 15 minutes before its close, the regular time on a closed day", () => {
    const sunday = "2026-12-06";
    const muhurat = {
      ...defaultSession("NFO", sunday),
      closed: false,
      opensAt: istInstant(sunday, "18:00"),
      closesAt: istInstant(sunday, "19:00"),
    };
    expect(misCutoffPassed(istInstant(sunday, "15:30"), muhurat)).toBe(false);
    expect(misCutoffPassed(istInstant(sunday, "18:44:59"), muhurat)).toBe(false);
    expect(misCutoffPassed(istInstant(sunday, "18:45"), muhurat)).toBe(true);
    // A regular day's session gives the regular cut-off; a closed one falls back to it.
    expect(misCutoffPassed(istInstant("2026-12-07", "15:14:59"), defaultSession("NFO", "2026-12-07"))).toBe(false);
    expect(misCutoffPassed(istInstant("2026-12-07", "15:15"), defaultSession("NFO", "2026-12-07"))).toBe(true);
    expect(misCutoffPassed(istInstant(sunday, "15:15"), defaultSession("NFO", sunday))).toBe(true);
    // A session of another day is not this day's.
    expect(misCutoffPassed(istInstant("2026-12-07", "18:50"), muhurat)).toBe(true);
  });
});

describe("default sessions", () => {
  it("indices and NSE's commodity segment follow the exchange whose calendar they share", () => {
    expect(["NSE_INDEX", "BSE_INDEX", "MCX_INDEX", "NCO", "nfo"].map(calendarExchangeOf)).toEqual([
      "NSE",
      "BSE",
      "MCX",
      "MCX",
      "NFO",
    ]);
  });
  it("weekends and seeded holidays are closed with the holiday's name; MCX opens at 17:00 on an equity-only one", () => {
    expect(defaultSession("NFO", "2026-12-06")).toMatchObject({ closed: true, opensAt: null, source: "DEFAULT" });
    expect(defaultSession("NSE_INDEX", "2026-01-26")).toMatchObject({
      exchange: "NSE_INDEX",
      closed: true,
      description: "Republic Day",
    });
    expect(defaultSession("MCX", "2026-11-24")).toMatchObject({
      closed: false,
      opensAt: istInstant("2026-11-24", "17:00"),
      closesAt: istInstant("2026-11-24", "23:30"),
      description: "Prakash Gurpurb Sri Guru Nanak Dev",
    });
    expect(defaultSession("MCX", "2026-12-25")).toMatchObject({ closed: true, description: "Christmas" });
    expect(defaultSession("BFO", "2026-12-07")).toMatchObject({
      closed: false,
      opensAt: istInstant("2026-12-07", "09:15"),
      closesAt: istInstant("2026-12-07", "15:30"),
      description: null,
    });
  });
});
