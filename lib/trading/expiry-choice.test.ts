import { describe, expect, it } from "vitest";
import { tradingHolidaySet } from "./calendar";
import { expiriesFor } from "./instruments";
import { inferCadence, marketCondition, resolveExpiry } from "./expiry-choice";
import type { ExpiryChoice } from "./strategy";

const holidays = tradingHolidaySet();
// Real, holiday-adjusted lists: 2026-11-10 (Tue, Diwali) → 11-09; 2026-11-24 (Tue, Guru Nanak) → 11-23 is the
// November monthly; 2027-01-26 (Tue, Republic Day) → 01-25; 2026-03-31 (Tue, Mahavir Jayanti) → 03-30.
const niftyNov = expiriesFor("NIFTY", "2026-11-01", 16, holidays);
const niftyMar = expiriesFor("NIFTY", "2026-03-01", 12, holidays);
const bankNov = expiriesFor("BANKNIFTY", "2026-11-01", 4, holidays);
const sensexDec = expiriesFor("SENSEX", "2026-12-01", 14, holidays);

describe("the realistic lists used below", () => {
  it("carry the holiday shifts", () => {
    expect(niftyNov.slice(0, 5)).toEqual(["2026-11-03", "2026-11-09", "2026-11-17", "2026-11-23", "2026-12-01"]);
    expect(niftyNov).toContain("2027-01-25");
    expect(niftyMar).toContain("2026-03-30");
    expect(bankNov).toEqual(["2026-11-23", "2026-12-29", "2027-01-25", "2027-02-23"]);
  });
});

type Row = [label: string, list: readonly string[], today: string, expected: Record<ExpiryChoice, string | null>];

const table: Row[] = [
  [
    "NIFTY, Monday before a weekly",
    niftyNov,
    "2026-11-02",
    { current_week: "2026-11-03", next_week: "2026-11-09", current_month: "2026-11-23", next_month: "2026-12-29" },
  ],
  [
    "NIFTY, on a weekly expiry day",
    niftyNov,
    "2026-11-03",
    { current_week: "2026-11-03", next_week: "2026-11-09", current_month: "2026-11-23", next_month: "2026-12-29" },
  ],
  [
    "NIFTY, on a Tuesday holiday (weekly moved to Monday)",
    niftyNov,
    "2026-11-10",
    { current_week: "2026-11-17", next_week: "2026-11-23", current_month: "2026-11-23", next_month: "2026-12-29" },
  ],
  [
    "NIFTY, on the holiday-shifted monthly",
    niftyNov,
    "2026-11-23",
    { current_week: "2026-11-23", next_week: "2026-12-01", current_month: "2026-11-23", next_month: "2026-12-29" },
  ],
  [
    "NIFTY, the day after the monthly rolls to next month",
    niftyNov,
    "2026-11-24",
    { current_week: "2026-12-01", next_week: "2026-12-08", current_month: "2026-12-29", next_month: "2027-01-25" },
  ],
  [
    "NIFTY, across the year end",
    niftyNov,
    "2026-12-30",
    { current_week: "2027-01-05", next_week: "2027-01-12", current_month: "2027-01-25", next_month: null },
  ],
  [
    "NIFTY, March monthly pulled back by a holiday",
    niftyMar,
    "2026-03-25",
    { current_week: "2026-03-30", next_week: "2026-04-07", current_month: "2026-03-30", next_month: "2026-04-28" },
  ],
  [
    "BANKNIFTY (monthly only), before the monthly",
    bankNov,
    "2026-11-20",
    { current_week: null, next_week: null, current_month: "2026-11-23", next_month: "2026-12-29" },
  ],
  [
    "BANKNIFTY, after the monthly",
    bankNov,
    "2026-11-24",
    { current_week: null, next_week: null, current_month: "2026-12-29", next_month: "2027-01-25" },
  ],
  [
    "SENSEX, on the year-end monthly",
    sensexDec,
    "2026-12-31",
    { current_week: "2026-12-31", next_week: "2027-01-07", current_month: "2026-12-31", next_month: "2027-01-28" },
  ],
];

describe("resolveExpiry", () => {
  for (const [label, list, today, expected] of table) {
    for (const choice of Object.keys(expected) as ExpiryChoice[]) {
      const want = expected[choice];
      it(`${label}: ${choice} → ${want ?? "error"}`, () => {
        const weekly = list === bankNov ? "monthly" : "weekly";
        const r = resolveExpiry(choice, list, today, weekly);
        if (want === null) expect(r.ok).toBe(false);
        else expect(r).toEqual({ ok: true, expiry: want });
      });
    }
  }

  describe("a month's monthly is its last expiry weekday (after its own holiday shift), not its last LISTED expiry", () => {
    // SENSEX (Thursday): 2025-04-10 → 04-09 (Mahavir Jayanti) and 2025-05-01 → 2025-04-30 (Maharashtra Day), so the
    // May series' first weekly is listed in April, after April's monthly 2025-04-24.
    const sensexApr = expiriesFor("SENSEX", "2025-04-01", 10, holidays);
    // What a broker lists on 2025-04-25: only live expiries, starting with the pulled-back weekly.
    const sensexLive = expiriesFor("SENSEX", "2025-04-25", 10, holidays);
    type Case = [
      label: string,
      today: string,
      choice: ExpiryChoice,
      want: string | null,
      list: readonly string[],
      weekday: number | undefined,
    ];
    const cases: Case[] = [
      ["before the April monthly", "2025-04-21", "current_month", "2025-04-24", sensexApr, undefined],
      ["before the April monthly, weekday given", "2025-04-21", "current_month", "2025-04-24", sensexApr, 4],
      ["next month from April", "2025-04-21", "next_month", "2025-05-29", sensexApr, 4],
      ["on the April monthly", "2025-04-24", "current_month", "2025-04-24", sensexApr, 4],
      ["the day after the April monthly rolls to May", "2025-04-25", "current_month", "2025-05-29", sensexApr, 4],
      ["on the pulled-back May weekly", "2025-04-30", "current_month", "2025-05-29", sensexApr, 4],
      ["next month once May is current needs June listed", "2025-04-25", "next_month", null, sensexApr, 4],
      [
        "a live list that starts with the pulled-back weekly",
        "2025-04-25",
        "current_month",
        "2025-05-29",
        sensexLive,
        4,
      ],
      ["a live list, next month", "2025-04-25", "next_month", "2025-06-26", sensexLive, 4],
      ["a live list, weekday inferred", "2025-04-25", "current_month", "2025-05-29", sensexLive, undefined],
      [
        "a list missing the month's monthly",
        "2025-04-16",
        "current_month",
        null,
        ["2025-04-17", "2025-04-30", "2025-05-08"],
        4,
      ],
    ];
    it.each(cases)("SENSEX %s (today %s): %s → %s", (_label, today, choice, want, list, weekday) => {
      const r = resolveExpiry(choice, list, today, "weekly", weekday);
      if (want === null) expect(r).toMatchObject({ ok: false, error: { code: "list_too_short" } });
      else expect(r).toEqual({ ok: true, expiry: want });
    });
  });

  it("refuses weekly choices on a monthly-only underlying with a typed error", () => {
    expect(resolveExpiry("next_week", bankNov, "2026-11-20", "monthly")).toMatchObject({
      ok: false,
      error: { code: "no_weekly_expiries" },
    });
    expect(resolveExpiry("current_week", bankNov, "2026-11-20", "monthly")).toMatchObject({
      ok: false,
      error: { code: "no_weekly_expiries" },
    });
  });

  it("infers the cadence from the list when the caller does not give it", () => {
    expect(resolveExpiry("next_week", bankNov, "2026-11-20")).toMatchObject({
      ok: false,
      error: { code: "no_weekly_expiries" },
    });
    expect(resolveExpiry("next_week", niftyNov, "2026-11-20")).toEqual({ ok: true, expiry: "2026-12-01" });
    expect(inferCadence(niftyNov)).toBe("weekly");
    expect(inferCadence(bankNov)).toBe("monthly");
    expect(inferCadence([])).toBe("monthly");
  });

  it("will not pass a month's last LISTED expiry off as its monthly when the list stops in that month", () => {
    const truncated = ["2026-11-17", "2026-11-23"];
    expect(resolveExpiry("current_month", truncated, "2026-11-16", "weekly")).toMatchObject({
      ok: false,
      error: { code: "list_too_short" },
    });
    expect(resolveExpiry("current_month", [...truncated, "2026-12-01"], "2026-11-16", "weekly")).toEqual({
      ok: true,
      expiry: "2026-11-23",
    });
    expect(resolveExpiry("next_week", ["2026-11-23"], "2026-11-20", "weekly")).toMatchObject({
      ok: false,
      error: { code: "list_too_short" },
    });
    expect(
      resolveExpiry("next_month", ["2026-11-23", "2027-01-25", "2027-02-23"], "2026-11-20", "monthly"),
    ).toMatchObject({
      ok: false,
      error: { code: "list_too_short" },
    });
  });

  it("errors when nothing is listed on or after today, or dates are malformed", () => {
    expect(resolveExpiry("current_week", [], "2026-11-20", "weekly")).toMatchObject({
      ok: false,
      error: { code: "no_expiry" },
    });
    expect(resolveExpiry("current_month", ["2026-11-17"], "2026-11-20", "weekly")).toMatchObject({
      ok: false,
      error: { code: "no_expiry" },
    });
    expect(resolveExpiry("current_week", ["24NOV26"], "2026-11-20")).toMatchObject({
      ok: false,
      error: { code: "invalid_date" },
    });
    expect(resolveExpiry("current_week", niftyNov, "2026-02-30")).toMatchObject({
      ok: false,
      error: { code: "invalid_date" },
    });
  });

  it("sorts and dedupes an unordered list instead of trusting its order", () => {
    const shuffled = ["2026-12-08", "2026-11-23", "2026-12-01", "2026-11-23", "2026-11-17"];
    expect(resolveExpiry("current_week", shuffled, "2026-11-18", "weekly")).toEqual({ ok: true, expiry: "2026-11-23" });
    expect(resolveExpiry("next_week", shuffled, "2026-11-18", "weekly")).toEqual({ ok: true, expiry: "2026-12-01" });
  });
});

describe("marketCondition", () => {
  // Each contract is judged by its OWN resolved expiry (holiday-shifted dates included), never by whether today is
  // some expiry of its underlying: a next-month NIFTY contract on a weekly expiry Tuesday is not on expiry day.
  it.each([
    ["auto", "2026-11-17", "2026-11-17", "expiry_day"], // the current weekly, on its expiry day
    ["auto", "2026-11-23", "2026-11-17", "other_days"], // the current monthly, on a weekly expiry day
    ["auto", "2026-12-29", "2026-11-17", "other_days"], // next month, on a weekly expiry day
    ["auto", "2026-11-09", "2026-11-09", "expiry_day"], // a Monday expiry moved from the Tuesday holiday
    ["auto", "2026-11-17", "2026-11-10", "other_days"], // the Tuesday holiday itself
    ["auto", "2026-11-23", "2026-11-23", "expiry_day"], // BANKNIFTY's holiday-shifted monthly
    ["expiry_day", "2026-12-29", "2026-11-18", "expiry_day"], // explicit modes force the condition
    ["other_days", "2026-11-17", "2026-11-17", "other_days"],
  ] as const)("%s, contract expiring %s, today %s → %s", (mode, contractExpiry, today, want) => {
    expect(marketCondition(mode, contractExpiry, today)).toBe(want);
  });
});
