import { describe, expect, it } from "vitest";
import { defaultSession, istInstant, type ExchangeSession } from "./calendar";
import { squareOffDue, squareOffInstant, squareOffTime } from "./square-off";

/** The built-in NFO session of a date (no calendar rows). */
const nfo = (date: string) => [defaultSession("NFO", date)];

/** A special session of NFO on `date` from `open` to `close` IST (Muhurat). */
const special = (date: string, open: string, close: string): ExchangeSession => ({
  exchange: "NFO",
  date,
  closed: false,
  opensAt: istInstant(date, open),
  closesAt: istInstant(date, close),
  description: "Muhurat trading",
  source: "ADMIN",
  special: true,
});

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
    ["a configured time at the close itself", { product: "NRML", squareOffAt: "15:30" }, "2026-11-26", "15:30", true],
    ["just after IST midnight is the new day: not yet due", { product: "MIS" }, "2026-11-27", "00:05", false],
  ];
  for (const [name, def, date, time, due] of cases) {
    it(name, () => {
      const r = squareOffDue(def, istInstant(date, time), nfo(date));
      expect(r.due).toBe(due);
      expect(r.date).toBe(date);
    });
  }

  it("never on an exchange holiday", () => {
    expect(squareOffDue({ product: "MIS" }, istInstant("2026-11-24", "15:20"), nfo("2026-11-24"))).toMatchObject({
      due: false,
      time: "15:15",
    });
  });

  it("in a special session the strategy's time outside it moves to 15 minutes before its close", () => {
    const sunday = [special("2026-12-06", "18:00", "19:00")];
    expect(squareOffInstant({ product: "MIS" }, sunday[0])).toBe(istInstant("2026-12-06", "18:45"));
    expect(squareOffDue({ product: "MIS" }, istInstant("2026-12-06", "18:44:59"), sunday).due).toBe(false);
    expect(squareOffDue({ product: "MIS" }, istInstant("2026-12-06", "18:45"), sunday)).toEqual({
      due: true,
      date: "2026-12-06",
      time: "18:45",
    });
    // A time inside the session stands.
    const evening = { product: "NRML" as const, squareOffAt: "18:30" };
    expect(squareOffInstant(evening, sunday[0])).toBe(istInstant("2026-12-06", "18:30"));
  });

  it("a day cut short squares off before its early close; the earliest exchange decides", () => {
    const short = { ...special("2026-12-07", "09:15", "13:00"), special: false };
    expect(squareOffInstant({ product: "MIS" }, short)).toBe(istInstant("2026-12-07", "12:45"));
    const both = [defaultSession("BFO", "2026-12-07"), short];
    expect(squareOffDue({ product: "MIS" }, istInstant("2026-12-07", "12:45"), both)).toMatchObject({
      due: true,
      time: "12:45",
    });
    // Sessions of another date do not count.
    expect(squareOffDue({ product: "MIS" }, istInstant("2026-12-08", "15:20"), both).due).toBe(false);
  });
});
