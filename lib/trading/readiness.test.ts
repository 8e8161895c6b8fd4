import { describe, expect, it } from "vitest";
import { defaultSession, istInstant, type ExchangeSession } from "./calendar";
import { istClock, overallReadiness, readinessDue, type ReadinessItem } from "./readiness";

const item = (status: ReadinessItem["status"]): ReadinessItem => ({ check: "session", status, detail: "x", fix: null });

describe("overall readiness", () => {
  it("is green only when every check is, red when any is, amber otherwise (and for no checks)", () => {
    expect(overallReadiness([item("GREEN"), item("GREEN")])).toBe("GREEN");
    expect(overallReadiness([item("GREEN"), item("AMBER")])).toBe("AMBER");
    expect(overallReadiness([item("AMBER"), item("RED"), item("GREEN")])).toBe("RED");
    expect(overallReadiness([])).toBe("AMBER");
  });

  it("writes IST wall-clock times", () => {
    expect(istClock(istInstant("2026-12-07", "08:45"))).toBe("08:45 IST");
    expect(istClock(istInstant("2026-12-07", "23:59:07"), true)).toBe("23:59:07 IST");
    expect(istClock(Date.UTC(2026, 11, 6, 18, 30))).toBe("00:00 IST");
  });
});

describe("when the day's scheduled check is due", () => {
  const MON = "2026-12-07";
  const nfo = defaultSession("NFO", MON);

  it("from the lead time before the open until the session closes", () => {
    const at = istInstant(MON, "08:45");
    expect(readinessDue(nfo, istInstant(MON, "08:44:59"), 30)).toEqual({ due: false, at, reason: "due at 08:45 IST" });
    expect(readinessDue(nfo, at, 30)).toEqual({ due: true, at });
    // A worker that was down at 08:45 still runs the day's check late.
    expect(readinessDue(nfo, istInstant(MON, "13:00"), 30)).toEqual({ due: true, at });
    expect(readinessDue(nfo, istInstant(MON, "15:30"), 30)).toMatchObject({
      due: false,
      reason: "NFO session already over",
    });
    expect(readinessDue(nfo, istInstant(MON, "08:00"), 75)).toMatchObject({ due: true, at: istInstant(MON, "08:00") });
  });

  it("never on a closed day: a weekend or a holiday", () => {
    expect(readinessDue(defaultSession("NFO", "2026-12-06"), istInstant("2026-12-06", "09:00"), 30)).toMatchObject({
      due: false,
      at: null,
    });
    expect(readinessDue(defaultSession("NFO", "2026-12-25"), istInstant("2026-12-25", "09:00"), 30).due).toBe(false);
  });

  it("before a special session on a day that is otherwise closed (Muhurat on a Sunday evening)", () => {
    const sunday = "2026-11-08";
    const muhurat: ExchangeSession = {
      exchange: "NFO",
      date: sunday,
      closed: false,
      opensAt: istInstant(sunday, "18:00"),
      closesAt: istInstant(sunday, "19:00"),
      description: "Muhurat trading",
      source: "OPENALGO",
    };
    expect(readinessDue(muhurat, istInstant(sunday, "09:00"), 30)).toMatchObject({
      due: false,
      reason: "due at 17:30 IST",
    });
    expect(readinessDue(muhurat, istInstant(sunday, "17:30"), 30)).toEqual({
      due: true,
      at: istInstant(sunday, "17:30"),
    });
  });
});
