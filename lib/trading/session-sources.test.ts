import { describe, expect, it } from "vitest";
import { istInstant } from "./calendar";
import {
  datesBetween,
  expiryHolidays,
  openAlgoSessionRows,
  overrideRow,
  pickSession,
  sessionOverrideSchema,
  type MarketHoliday,
  type SessionRow,
  type StoredSessionRow,
} from "./session-sources";

// A real OpenAlgo's answers (docs/openalgo.md "Market data"): timings of Monday 2026-11-23 and Sunday 2026-11-22.
const MONDAY = [
  { exchange: "NSE", start: 1795405500000, end: 1795428000000 },
  { exchange: "BSE", start: 1795405500000, end: 1795428000000 },
  { exchange: "NFO", start: 1795405500000, end: 1795428600000 },
  { exchange: "BFO", start: 1795405500000, end: 1795428600000 },
  { exchange: "MCX", start: 1795404600000, end: 1795458300000 },
  { exchange: "BCD", start: 1795404600000, end: 1795433400000 },
  { exchange: "CDS", start: 1795404600000, end: 1795433400000 },
  { exchange: "NCO", start: 1795404600000, end: 1795458300000 },
  { exchange: "CRYPTO", start: 1795372200000, end: 1795458599000 },
];
const SUNDAY = [{ exchange: "CRYPTO", start: 1795285800000, end: 1795372199000 }];
const EQUITY = ["NSE", "BSE", "NFO", "BFO", "CDS", "BCD"];
const at = (date: string, time: string) => istInstant(date, time);

const holiday = (h: Partial<MarketHoliday> & { date: string }): MarketHoliday => ({
  description: "Holiday",
  kind: "TRADING_HOLIDAY",
  closedExchanges: [],
  openExchanges: [],
  ...h,
});
const stored = (rows: SessionRow[], source: "ADMIN" | "OPENALGO"): StoredSessionRow[] =>
  rows.map((r) => ({ ...r, source }));

describe("OpenAlgo's answers as session rows", () => {
  it("a trading day's timings open each kept exchange; F&O closes with its cash market; CRYPTO and NCO are not kept", () => {
    const rows = openAlgoSessionRows([], [{ date: "2026-11-23", rows: MONDAY }]);
    expect(rows.map((r) => r.exchange)).toEqual(["BCD", "BFO", "BSE", "CDS", "MCX", "NFO", "NSE"]);
    const nfo = rows.find((r) => r.exchange === "NFO")!;
    expect(nfo).toEqual({
      date: "2026-11-23",
      exchange: "NFO",
      closed: false,
      opensAt: at("2026-11-23", "09:15"),
      closesAt: at("2026-11-23", "15:30"),
      description: null,
      kind: null,
    });
    expect(rows.find((r) => r.exchange === "MCX")!.closesAt).toBe(at("2026-11-23", "23:55"));
  });

  it("a weekend's CRYPTO-only answer says nothing about the kept exchanges: no rows, the defaults stand", () => {
    expect(openAlgoSessionRows([], [{ date: "2026-11-22", rows: SUNDAY }])).toEqual([]);
  });

  it("a holiday closes its closed exchanges with its name and opens MCX's evening; it wins over the day's timings", () => {
    const h = holiday({
      date: "2026-01-15",
      description: "Municipal Corporation Election - Maharashtra",
      closedExchanges: EQUITY,
      openExchanges: [{ exchange: "MCX", start: 1768476600000, end: 1768501500000 }],
    });
    const timings = [{ exchange: "NSE", start: at("2026-01-15", "09:15"), end: at("2026-01-15", "15:30") }];
    const rows = openAlgoSessionRows([h], [{ date: "2026-01-15", rows: timings }]);
    expect(rows.filter((r) => r.closed).map((r) => r.exchange)).toEqual(["BCD", "BFO", "BSE", "CDS", "NFO", "NSE"]);
    expect(rows.find((r) => r.exchange === "NSE")).toMatchObject({
      closed: true,
      description: "Municipal Corporation Election - Maharashtra",
      kind: "TRADING_HOLIDAY",
    });
    expect(rows.find((r) => r.exchange === "MCX")).toMatchObject({
      closed: false,
      opensAt: at("2026-01-15", "17:00"),
      closesAt: at("2026-01-15", "23:55"),
    });
  });

  it("a special session opens its exchanges in their windows; a settlement holiday changes nothing", () => {
    const muhurat = holiday({
      date: "2026-11-08",
      description: "Diwali Laxmi Pujan (Muhurat trading)",
      kind: "SPECIAL_SESSION",
      openExchanges: ["NSE", "NFO", "MCX"].map((exchange) => ({
        exchange,
        start: at("2026-11-08", "18:00"),
        end: exchange === "MCX" ? at("2026-11-09", "00:15") : at("2026-11-08", "19:15"),
      })),
    });
    const settlement = holiday({ date: "2026-08-27", kind: "SETTLEMENT_HOLIDAY" });
    const rows = openAlgoSessionRows([muhurat, settlement], []);
    expect(rows.map((r) => [r.exchange, r.closed, r.kind])).toEqual([
      ["MCX", false, "SPECIAL_SESSION"],
      ["NFO", false, "SPECIAL_SESSION"],
      ["NSE", false, "SPECIAL_SESSION"],
    ]);
    // A window running past midnight belongs to the day it starts on.
    expect(rows[0].closesAt).toBe(at("2026-11-09", "00:15"));
  });

  it("drops empty windows and windows that start on another day", () => {
    const bad = [
      { exchange: "NSE", start: at("2026-11-23", "15:30"), end: at("2026-11-23", "09:15") },
      { exchange: "BSE", start: at("2026-11-24", "09:15"), end: at("2026-11-24", "15:30") },
    ];
    expect(openAlgoSessionRows([], [{ date: "2026-11-23", rows: bad }])).toEqual([]);
  });
});

describe("precedence: admin, then OpenAlgo, then the defaults", () => {
  const sunday = "2026-12-06";
  const openAlgo = stored(
    openAlgoSessionRows(
      [holiday({ date: sunday, description: "Muhurat", kind: "SPECIAL_SESSION", openExchanges: [] })],
      [{ date: sunday, rows: [{ exchange: "NSE", start: at(sunday, "18:00"), end: at(sunday, "19:00") }] }],
    ),
    "OPENALGO",
  );
  const admin = stored(
    [overrideRow({ date: sunday, exchange: "NSE", closed: true, description: "Cancelled by the exchange" })],
    "ADMIN",
  );

  it("with no rows the defaults answer", () => {
    expect(pickSession("NSE", sunday, [])).toMatchObject({ closed: true, source: "DEFAULT" });
  });

  it("OpenAlgo's row beats the defaults, and an open weekend is special; indices follow their cash market", () => {
    for (const exchange of ["NSE", "NSE_INDEX"])
      expect(pickSession(exchange, sunday, openAlgo)).toEqual({
        exchange,
        date: sunday,
        closed: false,
        opensAt: at(sunday, "18:00"),
        closesAt: at(sunday, "19:00"),
        description: null,
        source: "OPENALGO",
        special: true,
      });
    // Other exchanges and dates are untouched.
    expect(pickSession("BSE", sunday, openAlgo).source).toBe("DEFAULT");
    expect(pickSession("NSE", "2026-12-07", openAlgo).source).toBe("DEFAULT");
  });

  it("an admin's override beats OpenAlgo's row", () => {
    expect(pickSession("NSE", sunday, [...openAlgo, ...admin])).toMatchObject({
      closed: true,
      opensAt: null,
      source: "ADMIN",
      description: "Cancelled by the exchange",
      special: false,
    });
  });

  it("an open override of a regular day is not special; OpenAlgo's SPECIAL_SESSION kind is", () => {
    const short = stored(
      [
        overrideRow({
          date: "2026-12-07",
          exchange: "NFO",
          closed: false,
          opensAt: "09:15",
          closesAt: "13:00",
          description: "Early close",
        }),
      ],
      "ADMIN",
    );
    expect(pickSession("NFO", "2026-12-07", short)).toMatchObject({
      special: false,
      closesAt: at("2026-12-07", "13:00"),
    });
    const flagged = stored([{ ...short[0], kind: "SPECIAL_SESSION" }], "OPENALGO");
    expect(pickSession("NFO", "2026-12-07", flagged).special).toBe(true);
  });
});

describe("expiry holidays", () => {
  it("weekdays closed or only specially open shift expiries; weekends and regular days do not count", () => {
    const rows = stored(
      [
        overrideRow({
          date: "2026-11-10",
          exchange: "NFO",
          closed: false,
          opensAt: "18:00",
          closesAt: "19:00",
          description: "Muhurat",
        }),
        overrideRow({ date: "2026-12-08", exchange: "NFO", closed: true, description: "Unscheduled closure" }),
        overrideRow({
          date: "2026-12-25",
          exchange: "NFO",
          closed: false,
          opensAt: "09:15",
          closesAt: "15:30",
          description: "Open after all",
        }),
      ],
      "ADMIN",
    );
    const sessions = datesBetween("2026-11-09", "2026-12-31").map((d) => pickSession("NFO", d, rows));
    const set = expiryHolidays(sessions);
    expect(set.has("2026-11-10")).toBe(true); // a seeded holiday opened only for Muhurat
    expect(set.has("2026-11-24")).toBe(true); // seeded
    expect(set.has("2026-12-08")).toBe(true); // the admin closed it
    expect(set.has("2026-12-25")).toBe(false); // the admin opened it
    expect(set.has("2026-12-06")).toBe(false); // a Sunday is no holiday of the set
    expect(set.has("2026-12-07")).toBe(false);
  });

  it("lists the dates of a range, refusing a range too long", () => {
    expect(datesBetween("2026-12-30", "2027-01-02")).toEqual(["2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02"]);
    expect(datesBetween("2026-12-30", "2026-12-29")).toEqual([]);
    expect(() => datesBetween("2026-01-01", "2029-01-01")).toThrow(RangeError);
  });
});

describe("admin overrides", () => {
  const ok = {
    date: "2026-11-08",
    exchange: "NSE",
    closed: false,
    opensAt: "18:00",
    closesAt: "19:15",
    description: "Muhurat",
  };
  const fields = (v: unknown) => {
    const r = sessionOverrideSchema.safeParse(v);
    return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
  };
  it("accepts an open window and a closed day", () => {
    expect(fields(ok)).toEqual([]);
    expect(fields({ date: "2026-12-08", exchange: "MCX", closed: true, description: "Closed" })).toEqual([]);
  });
  it("names the field of each mistake", () => {
    expect(fields({ ...ok, date: "2026-02-30" })).toEqual(["date"]);
    expect(fields({ ...ok, exchange: "NSE_INDEX" })).toEqual(["exchange"]);
    expect(fields({ ...ok, opensAt: "6 pm" })).toEqual(["opensAt"]);
    expect(fields({ ...ok, closesAt: "17:00" })).toEqual(["closesAt"]);
    expect(fields({ ...ok, closesAt: null })).toEqual(["closesAt"]);
    expect(fields({ ...ok, closed: true })).toEqual(["opensAt", "closesAt"]);
    expect(fields({ ...ok, description: "  " })).toEqual(["description"]);
  });
  it("stores IST windows as instants, none for a closed day", () => {
    expect(overrideRow(sessionOverrideSchema.parse(ok))).toMatchObject({
      opensAt: at("2026-11-08", "18:00"),
      closesAt: at("2026-11-08", "19:15"),
      closed: false,
    });
  });
});
