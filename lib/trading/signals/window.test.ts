import { describe, expect, it } from "vitest";
import { istInstant } from "@/lib/trading/calendar";
import { defaultSession } from "../calendar";
import { entryWindowCheck, exitWindowCheck, isHhMm } from "./window";

const at = (time: string, date = "2026-11-26") => istInstant(date, time);

describe("isHhMm", () => {
  const good = ["00:00", "09:20", "15:00", "23:59"];
  const bad = ["9:20", "24:00", "15:60", "15:00:00", "", " 09:20", "09:20 ", "0920", "ab:cd", "09-20"];
  for (const text of good) it(`accepts "${text}"`, () => expect(isHhMm(text)).toBe(true));
  for (const text of bad) it(`refuses "${text}"`, () => expect(isHhMm(text)).toBe(false));
});

describe("entryWindowCheck", () => {
  const refused = "entries are accepted 09:20–15:00 IST; it is";
  const cases: [string, string, string | null, string | null, string | null][] = [
    ["no window at all", "03:00:00", null, null, null],
    ["a second before the start", "09:19:59", "09:20", "15:00", `${refused} 09:19 IST`],
    ["exactly at the start", "09:20:00", "09:20", "15:00", null],
    ["inside", "12:34:56", "09:20", "15:00", null],
    ["the last second before the end", "14:59:59", "09:20", "15:00", null],
    ["exactly at the end", "15:00:00", "09:20", "15:00", `${refused} 15:00 IST`],
    ["after the end", "15:07:30", "09:20", "15:00", `${refused} 15:07 IST`],
    ["only a start: before it", "09:29", "09:30", null, "entries are accepted from 09:30 IST; it is 09:29 IST"],
    ["only a start: late evening", "23:59:59", "09:30", null, null],
    ["only an end: at it", "14:30", null, "14:30", "entries are accepted until 14:30 IST; it is 14:30 IST"],
    ["only an end: just after IST midnight", "00:00", null, "14:30", null],
    ["across midnight: late", "23:00", "22:00", "02:00", null],
    ["across midnight: early", "01:59", "22:00", "02:00", null],
    ["across midnight: the day", "12:00", "22:00", "02:00", "entries are accepted 22:00–02:00 IST; it is 12:00 IST"],
  ];
  for (const [name, time, start, end, want] of cases) {
    it(name, () => expect(entryWindowCheck(at(time), start, end)).toBe(want));
  }

  it("reads the IST clock, not UTC: 15:07 IST is 09:37 UTC", () => {
    const now = Date.parse("2026-11-26T09:37:00Z");
    expect(entryWindowCheck(now, "09:20", "15:00")).toBe(`${refused} 15:07 IST`);
  });

  it("refuses a malformed time instead of guessing", () => {
    expect(() => entryWindowCheck(at("10:00"), "9:20", "15:00")).toThrow(RangeError);
  });
});

describe("exitWindowCheck", () => {
  const cases: [string, string, { product: "MIS" | "NRML"; squareOffAt?: string | null }, string | null][] = [
    ["MIS a second before 15:15", "15:14:59", { product: "MIS" }, null],
    [
      "MIS at 15:15",
      "15:15:00",
      { product: "MIS" },
      "exits are accepted until the 15:15 IST square-off, which closes the position; it is 15:15 IST",
    ],
    ["NRML without a square-off: any time", "23:30", { product: "NRML" }, null],
    ["NRML with its own square-off, before", "14:49", { product: "NRML", squareOffAt: "14:50" }, null],
    [
      "NRML with its own square-off, after",
      "15:20",
      { product: "NRML", squareOffAt: "14:50" },
      "exits are accepted until the 14:50 IST square-off, which closes the position; it is 15:20 IST",
    ],
    ["a new IST day opens exits again", "00:01", { product: "MIS" }, null],
  ];
  for (const [name, time, def, want] of cases) it(name, () => expect(exitWindowCheck(at(time), def)).toBe(want));

  it("in a special session the square-off is the session's own: 15 minutes before its close", () => {
    const sunday = "2026-12-06";
    const muhurat = {
      ...defaultSession("NFO", sunday),
      closed: false,
      opensAt: at("18:00", sunday),
      closesAt: at("19:00", sunday),
      special: true,
    };
    expect(exitWindowCheck(at("18:30", sunday), { product: "MIS" }, [muhurat])).toBeNull();
    expect(exitWindowCheck(at("18:45", sunday), { product: "MIS" }, [muhurat])).toBe(
      "exits are accepted until the 18:45 IST square-off, which closes the position; it is 18:45 IST",
    );
    // A closed day keeps the strategy's own time; a regular session gives the same answers as none.
    expect(exitWindowCheck(at("18:30", sunday), { product: "MIS" }, [defaultSession("NFO", sunday)])).toMatch(
      /until the 15:15 IST square-off/,
    );
    expect(exitWindowCheck(at("15:14:59"), { product: "MIS" }, [defaultSession("NFO", "2026-11-26")])).toBeNull();
    expect(exitWindowCheck(at("15:15"), { product: "MIS" }, [defaultSession("NFO", "2026-11-26")])).toMatch(
      /until the 15:15 IST square-off/,
    );
  });
});
