import { describe, expect, it } from "vitest";
import { istInstant } from "./calendar";
import { countOpen, displayRunStatus } from "./run-status";

const at = (time: string, date = "2026-12-07") => istInstant(date, time);

describe("displayRunStatus", () => {
  it("is WORKING while dispatch runs and while any order is open at the broker, else dispatch's status", () => {
    const t = at("10:00");
    expect(displayRunStatus("RUNNING", 0, t, at("10:01"))).toBe("WORKING");
    // Every order accepted (dispatch says COMPLETED) but none filled: still working.
    expect(displayRunStatus("COMPLETED", 130, t, at("10:01"))).toBe("WORKING");
    expect(displayRunStatus("PARTIAL", 1, t, at("15:29"))).toBe("WORKING");
    expect(displayRunStatus("COMPLETED", 0, t, at("10:01"))).toBe("COMPLETED");
    expect(displayRunStatus("PARTIAL", 0, t, at("10:01"))).toBe("PARTIAL");
    expect(displayRunStatus("FAILED", 0, t, at("10:01"))).toBe("FAILED");
  });

  it("orders of an earlier order-book day (before 03:00 IST today) no longer keep a run working", () => {
    const t = at("10:00", "2026-12-07");
    expect(displayRunStatus("COMPLETED", 4, t, at("02:59", "2026-12-08"))).toBe("WORKING");
    expect(displayRunStatus("COMPLETED", 4, t, at("03:00", "2026-12-08"))).toBe("COMPLETED");
  });

  it("counts open states: accepted, reconciled and partly filled; not filled, rejected, cancelled, held", () => {
    expect(
      countOpen([
        "accepted",
        "reconciled_accepted",
        "partially_filled",
        "filled",
        "rejected",
        "rejected_late",
        "cancelled",
        "held",
        "skipped",
      ]),
    ).toBe(3);
  });
});
