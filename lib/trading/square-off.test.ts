import { describe, expect, it } from "vitest";
import { istInstant, tradingHolidaySet } from "./calendar";
import { squareOffDue, squareOffTime } from "./square-off";

const holidays = tradingHolidaySet();

describe("squareOffTime", () => {
  const cases: [string, { product: "MIS" | "NRML"; squareOffAt?: string | null }, string | null][] = [
    ["MIS defaults to 15:15", { product: "MIS" }, "15:15"],
    ["NRML has none unless set", { product: "NRML" }, null],
    ["NRML with a time set", { product: "NRML", squareOffAt: "14:50" }, "14:50"],
    ["MIS with its own time", { product: "MIS", squareOffAt: "11:00" }, "11:00"],
    ["null falls back to the product default", { product: "MIS", squareOffAt: null }, "15:15"],
  ];
  for (const [name, def, want] of cases) it(name, () => expect(squareOffTime(def)).toBe(want));
});

describe("squareOffDue", () => {
  // 2026-11-26 is a Thursday (2026-11-24 is Guru Nanak Jayanti, a holiday); 2026-11-28 a Saturday.
  const cases: [string, { product: "MIS" | "NRML"; squareOffAt?: string }, string, string, boolean][] = [
    ["MIS a minute before 15:15 IST", { product: "MIS" }, "2026-11-26", "15:14", false],
    ["MIS at 15:15:00 IST", { product: "MIS" }, "2026-11-26", "15:15", true],
    ["MIS later the same evening", { product: "MIS" }, "2026-11-26", "21:00", true],
    ["never on a Saturday", { product: "MIS" }, "2026-11-28", "15:20", false],
    ["NRML without a time: never", { product: "NRML" }, "2026-11-26", "15:29", false],
    ["a configured time", { product: "NRML", squareOffAt: "10:30" }, "2026-11-26", "10:30", true],
    ["just after IST midnight is the new day: not yet due", { product: "MIS" }, "2026-11-27", "00:05", false],
  ];
  for (const [name, def, date, time, due] of cases) {
    it(name, () => {
      const r = squareOffDue(def, istInstant(date, time), holidays);
      expect(r.due).toBe(due);
      expect(r.date).toBe(date);
    });
  }
  it("never on an exchange holiday", () => {
    const holiday = [...holidays].find((d) => new Date(`${d}T00:00:00Z`).getUTCDay() % 6 !== 0)!;
    expect(squareOffDue({ product: "MIS" }, istInstant(holiday, "15:20"), holidays).due).toBe(false);
  });
});
