import { describe, expect, it } from "vitest";
import { istInstant } from "./calendar";
import { allCancelledUnfilled, countOpen, displayRunStatus } from "./run-status";

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

  it("a run whose every order was cancelled before anything filled is CANCELLED, not COMPLETED", () => {
    const t = at("10:00");
    const cancelled = [
      { state: "cancelled", filledQuantity: 0 },
      { state: "cancelled", filledQuantity: 0 },
      { state: "skipped", filledQuantity: 0 },
    ];
    expect(allCancelledUnfilled(cancelled)).toBe(true);
    expect(displayRunStatus("COMPLETED", 0, t, at("10:01"), allCancelledUnfilled(cancelled))).toBe("CANCELLED");
    expect(displayRunStatus("PARTIAL", 0, t, at("10:01"), true)).toBe("CANCELLED");
    // Still working while an order is open; a failed dispatch stays FAILED.
    expect(displayRunStatus("COMPLETED", 1, t, at("10:01"), true)).toBe("WORKING");
    expect(displayRunStatus("RUNNING", 0, t, at("10:01"), true)).toBe("WORKING");
    expect(displayRunStatus("FAILED", 0, t, at("10:01"), true)).toBe("FAILED");
  });

  it("anything filled, rejected or still open means the run did not simply end cancelled", () => {
    const c = { state: "cancelled", filledQuantity: 0 };
    // A cancel after a partial fill traded something.
    expect(allCancelledUnfilled([c, { state: "cancelled", filledQuantity: 25 }])).toBe(false);
    expect(allCancelledUnfilled([c, { state: "filled", filledQuantity: 75 }])).toBe(false);
    expect(allCancelledUnfilled([c, { state: "rejected", filledQuantity: 0 }])).toBe(false);
    expect(allCancelledUnfilled([c, { state: "accepted", filledQuantity: 0 }])).toBe(false);
    expect(allCancelledUnfilled([c, { state: "held", filledQuantity: 0 }])).toBe(false);
    // Nothing sent at all is not "cancelled".
    expect(allCancelledUnfilled([{ state: "skipped", filledQuantity: 0 }])).toBe(false);
    expect(allCancelledUnfilled([])).toBe(false);
  });
});
