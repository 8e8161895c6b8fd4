import { describe, expect, it } from "vitest";
import { defaultSession, istInstant, type ExchangeSession } from "@/lib/trading/calendar";
import { timeExitVerdict } from "./time-exit";

// Wednesday 2026-11-25 and Thursday 2026-11-26 are trading days; Tuesday 2026-11-24 (a holiday) and Saturday
// 2026-11-28 are not.
const at = (date: string, time: string) => istInstant(date, time);
const sessions =
  (overrides: Record<string, Partial<ExchangeSession>> = {}) =>
  (date: string) => ({
    ...defaultSession("NFO", date),
    ...overrides[date],
  });
const verdict = (timeExit: string, triggeredAt: number, now: number, sessionOn = sessions(), alwaysOpen = false) =>
  timeExitVerdict({ at: timeExit, triggeredAt, now, sessionOn, alwaysOpen });

describe("time exit", () => {
  it("fires at or after its time on the trading day while the session is open", () => {
    const trig = at("2026-11-25", "09:30");
    expect(verdict("15:00", trig, at("2026-11-25", "14:59"))).toMatchObject({ fire: false, dueAt: null });
    expect(verdict("15:00", trig, at("2026-11-25", "15:00"))).toMatchObject({
      fire: true,
      dueAt: at("2026-11-25", "15:00"),
    });
    expect(verdict("15:00", trig, at("2026-11-25", "15:20")).fire).toBe(true);
  });

  it("is not due on the day of a run triggered after that time; it is the next trading day", () => {
    const trig = at("2026-11-25", "15:10");
    expect(verdict("15:00", trig, at("2026-11-25", "15:20")).fire).toBe(false);
    expect(verdict("15:00", trig, at("2026-11-26", "14:00")).fire).toBe(false);
    expect(verdict("15:00", trig, at("2026-11-26", "15:00")).fire).toBe(true);
  });

  it("a time passed while the market was closed fires an overnight position at the next session's open", () => {
    const trig = at("2026-11-25", "10:00");
    // 16:00 is after the 15:30 close: due at 16:00, nothing can be sent until the market opens again.
    const evening = verdict("16:00", trig, at("2026-11-25", "21:00"));
    expect(evening).toMatchObject({ fire: false, dueAt: at("2026-11-25", "16:00") });
    expect(evening.note).toContain("sent when the session opens");
    expect(verdict("16:00", trig, at("2026-11-26", "09:14")).fire).toBe(false);
    expect(verdict("16:00", trig, at("2026-11-26", "09:15"))).toMatchObject({
      fire: true,
      dueAt: at("2026-11-25", "16:00"),
    });
  });

  it("skips closed days: a holiday's time is not due, and the next open is read from the calendar", () => {
    expect(verdict("09:00", at("2026-11-24", "08:00"), at("2026-11-24", "12:00")).dueAt).toBeNull();
    const closedByAdmin = sessions({ "2026-11-25": { closed: true, opensAt: null, closesAt: null } });
    expect(verdict("09:00", at("2026-11-25", "08:00"), at("2026-11-25", "12:00"), closedByAdmin).dueAt).toBeNull();
    // A special session on the Saturday (say, Muhurat), 18:00–19:00 IST.
    const special = sessions({
      "2026-11-28": { closed: false, opensAt: at("2026-11-28", "18:00"), closesAt: at("2026-11-28", "19:00") },
    });
    expect(verdict("18:30", at("2026-11-27", "16:00"), at("2026-11-28", "18:30"), special).fire).toBe(true);
    expect(verdict("18:30", at("2026-11-27", "16:00"), at("2026-11-28", "18:30")).fire).toBe(false);
  });

  it("with every market always open, every day counts and nothing waits for an open", () => {
    const trig = at("2026-11-28", "01:00");
    expect(verdict("02:00", trig, at("2026-11-28", "02:00"), sessions(), true).fire).toBe(true);
  });
});
