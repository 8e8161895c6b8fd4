import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import {
  bookDayStart,
  type BookRow,
  fillEvents,
  type FillOutcome,
  type TrackedIntent,
  type TradeFill,
  tradesAverage,
} from "./fills";
import { type IntentState, type IntentStatus, transitionIntent } from "./intents";

const AT = Date.UTC(2026, 10, 24, 4, 0, 0);
const d = (v: string) => new Decimal(v);
const intent = (state: IntentState, filledQuantity = 0, quantity = 130): TrackedIntent => ({
  state,
  quantity,
  filledQuantity,
});
const row = (
  status: BookRow["status"],
  filledQuantity: number | null = 0,
  averagePrice: string | null = null,
  extra: Partial<BookRow> = {},
): BookRow => ({
  status,
  quantity: 130,
  filledQuantity,
  averagePrice: averagePrice === null ? null : d(averagePrice),
  rejectionReason: null,
  ...extra,
});
const trades = (...t: [number, string][]): TradeFill[] => t.map(([quantity, p]) => ({ quantity, averagePrice: d(p) }));

/** Events as compact text (`fill`, `partial_fill 65`, `cancel: reason`, ...) and the price, for table rows. */
function show(o: FillOutcome): string {
  if (o.kind !== "events") return o.kind;
  const evs = o.events.map((e) => {
    if (e.type === "partial_fill") return `partial_fill ${e.filledQuantity}`;
    if (e.type === "fill") return e.filledQuantity === undefined ? "fill" : `fill ${e.filledQuantity}`;
    if (e.type === "cancel" || e.type === "reject_late") return `${e.type}: ${e.reason}`;
    return e.type;
  });
  return `${evs.join(" + ")}${o.averagePrice ? ` @ ${o.averagePrice.toFixed()}` : ""}${o.priceMissing ? " (no price)" : ""}`;
}

describe("fillEvents", () => {
  const RMS = "RMS: Margin Exceeds";
  const cases: [string, TrackedIntent, BookRow, TradeFill[] | null, string][] = [
    // Working orders.
    ["accepted, open, nothing filled", intent("accepted"), row("open"), null, "none"],
    ["accepted, trigger pending", intent("accepted"), row("trigger_pending"), null, "none"],
    ["accepted, open, half filled", intent("accepted"), row("open", 65, "101.5"), null, "partial_fill 65 @ 101.5"],
    [
      "adopted, open, half filled",
      intent("reconciled_accepted"),
      row("open", 65, "101.5"),
      null,
      "partial_fill 65 @ 101.5",
    ],
    [
      "partly filled, more filled (average of all fills)",
      intent("partially_filled", 65),
      row("open", 100, "102.25"),
      null,
      "partial_fill 100 @ 102.25",
    ],
    ["partly filled, same figure again", intent("partially_filled", 65), row("open", 65, "101.5"), null, "none"],
    ["filled quantity never decreases", intent("partially_filled", 100), row("open", 65, "101.5"), null, "none"],
    ["partial fill without a price needs the trade book", intent("accepted"), row("open", 65), null, "need_trades"],
    [
      "partial fill priced from the trades",
      intent("accepted"),
      row("open", 65),
      trades([30, "100"], [35, "102"]),
      "partial_fill 65 @ 101.07692307692307692",
    ],
    [
      "open row but the trades show more filled",
      intent("accepted"),
      row("open", 0),
      trades([65, "99"]),
      "partial_fill 65 @ 99",
    ],
    ["an open order that filled the whole slice", intent("accepted"), row("open", 130, "100"), null, "fill @ 100"],
    [
      "an enlarged order still working beyond the slice waits",
      intent("partially_filled", 65),
      row("open", 195, "100", { quantity: 260 }),
      null,
      "none",
    ],
    [
      "an enlarged order that filled the slice's size but still works waits",
      intent("accepted"),
      row("open", 130, "100", { quantity: 260 }),
      null,
      "none",
    ],
    // Complete: the broker's average price, never anything else.
    ["accepted, complete", intent("accepted"), row("complete", 130, "98.35"), null, "fill @ 98.35"],
    ["partly filled, complete", intent("partially_filled", 65), row("complete", 130, "98.4"), null, "fill @ 98.4"],
    [
      "complete without filled quantity reported",
      intent("accepted"),
      row("complete", 0, "98.35"),
      null,
      "fill @ 98.35",
    ],
    ["complete without a price needs the trade book", intent("accepted"), row("complete", 130), null, "need_trades"],
    [
      "complete priced from its trades (quantity-weighted)",
      intent("accepted"),
      row("complete", 130),
      trades([65, "100"], [65, "101"]),
      "fill @ 100.5",
    ],
    [
      "complete, zero average price treated as missing",
      intent("accepted"),
      row("complete", 130, "0"),
      trades([130, "97"]),
      "fill @ 97",
    ],
    ["complete, no price in either book", intent("accepted"), row("complete", 130), [], "fill (no price)"],
    [
      "complete beyond the slice keeps the excess",
      intent("accepted"),
      row("complete", 260, "100", { quantity: 260 }),
      null,
      "fill 260 @ 100",
    ],
    // Cancelled.
    ["accepted, cancelled unfilled", intent("accepted"), row("cancelled"), null, "cancel: cancelled at the broker"],
    [
      "cancelled with the broker's reason",
      intent("accepted"),
      row("cancelled", 0, null, { rejectionReason: "IOC expired" }),
      null,
      "cancel: IOC expired",
    ],
    [
      "partly filled, then cancelled",
      intent("partially_filled", 65),
      row("cancelled", 65, "101"),
      null,
      "cancel: cancelled at the broker",
    ],
    [
      "more filled, then cancelled",
      intent("accepted"),
      row("cancelled", 65, "101"),
      null,
      "partial_fill 65 + cancel: cancelled at the broker @ 101",
    ],
    [
      "cancelled after filling everything is a fill",
      intent("partially_filled", 65),
      row("cancelled", 130, "101"),
      null,
      "fill @ 101",
    ],
    ["late-rejected, then cancelled: stays rejected", intent("rejected_late"), row("cancelled"), null, "none"],
    // Rejected: only final when the trade book shows no fills.
    [
      "accepted, rejected: confirm against the trade book",
      intent("accepted"),
      row("rejected", 0, null, { rejectionReason: RMS }),
      null,
      "need_trades",
    ],
    [
      "accepted, rejected, no trades: late rejection with the broker's reason",
      intent("accepted"),
      row("rejected", 0, null, { rejectionReason: RMS }),
      [],
      `reject_late: ${RMS}`,
    ],
    [
      "adopted, rejected, no trades",
      intent("reconciled_accepted"),
      row("rejected"),
      [],
      "reject_late: rejected by the broker after acceptance",
    ],
    [
      "rejected but fully traded: a fill (flap)",
      intent("accepted"),
      row("rejected", 0, null, { rejectionReason: RMS }),
      trades([130, "99.9"]),
      "fill @ 99.9",
    ],
    [
      "rejected but partly traded: partial fill, rest dead",
      intent("accepted"),
      row("rejected", 0, null, { rejectionReason: RMS }),
      trades([65, "99.9"]),
      `partial_fill 65 + cancel: rejected by the broker after 65 of 130 filled: ${RMS} @ 99.9`,
    ],
    [
      "partly filled, then rejected",
      intent("partially_filled", 65),
      row("rejected", 65, "99", { rejectionReason: RMS }),
      trades([65, "99"]),
      `cancel: rejected by the broker after 65 of 130 filled: ${RMS}`,
    ],
    [
      "already late-rejected, still rejected: no trade-book read",
      intent("rejected_late"),
      row("rejected"),
      null,
      "none",
    ],
    // Flaps back.
    [
      "late-rejected, then complete: ends filled",
      intent("rejected_late"),
      row("complete", 130, "100.1"),
      null,
      "fill @ 100.1",
    ],
    [
      "late-rejected, then partly filled",
      intent("rejected_late"),
      row("open", 65, "100.1"),
      null,
      "partial_fill 65 @ 100.1",
    ],
    [
      "late-rejected, open again but unfilled: still shown rejected",
      intent("rejected_late"),
      row("open"),
      null,
      "none",
    ],
    // Books that report no fill quantities (OpenAlgo live rows): only the trade book says what filled.
    ["unreported: open row needs the trade book", intent("accepted"), row("open", null), null, "need_trades"],
    ["unreported: open, nothing traded yet", intent("accepted"), row("open", null), [], "none"],
    [
      "unreported: open, partly traded",
      intent("accepted"),
      row("open", null),
      trades([65, "101.5"]),
      "partial_fill 65 @ 101.5",
    ],
    [
      "unreported: trigger pending needs the trade book",
      intent("accepted"),
      row("trigger_pending", null),
      null,
      "need_trades",
    ],
    [
      "unreported: complete fills everything, priced by its trades",
      intent("accepted"),
      row("complete", null),
      trades([130, "98.4"]),
      "fill @ 98.4",
    ],
    [
      "unreported: complete without trades read yet needs them for the price",
      intent("accepted"),
      row("complete", null),
      null,
      "need_trades",
    ],
    [
      "unreported: cancelled needs the trade book (what filled before)",
      intent("accepted"),
      row("cancelled", null),
      null,
      "need_trades",
    ],
    [
      "unreported: cancelled after a partial fill keeps it",
      intent("accepted"),
      row("cancelled", null),
      trades([65, "101"]),
      "partial_fill 65 + cancel: cancelled at the broker @ 101",
    ],
    [
      "unreported: partly filled never goes down when the trades lag",
      intent("partially_filled", 65),
      row("open", null),
      [],
      "none",
    ],
    // Not tracked.
    ["filled intents are settled", intent("filled", 130), row("cancelled"), null, "none"],
    ["rejected at placement is final", intent("rejected"), row("complete", 130, "1"), null, "none"],
    ["cancelled is final", intent("cancelled", 65), row("complete", 130, "1"), null, "none"],
    ["unsent intents are not tracked", intent("planned"), row("complete", 130, "1"), null, "none"],
  ];
  it.each(cases)("%s", (_name, i, r, t, expected) => {
    expect(show(fillEvents(i, r, t, AT))).toBe(expected);
  });

  it.each(cases.filter((c) => c[4] !== "none" && c[4] !== "need_trades"))(
    "the state machine accepts the events: %s",
    (_name, i, r, t) => {
      const o = fillEvents(i, r, t, AT);
      if (o.kind !== "events") throw new Error("expected events");
      let s: IntentStatus = {
        state: i.state,
        quantity: i.quantity,
        attempts: 1,
        claimedBy: null,
        sentAt: AT - 1000,
        orderId: "1",
        filledQuantity: i.filledQuantity,
        reason: null,
        updatedAt: AT - 500,
      };
      for (const e of o.events) {
        const next = transitionIntent(s, e);
        if (!next.ok) throw new Error(next.error.message);
        expect(next.status.filledQuantity).toBeGreaterThanOrEqual(s.filledQuantity);
        s = next.status;
      }
      expect(["partially_filled", "filled", "cancelled", "rejected_late"]).toContain(s.state);
    },
  );

  it("stamps every event with the given time", () => {
    const o = fillEvents(intent("accepted"), row("cancelled", 65, "101"), null, AT);
    expect(o.kind === "events" && o.events.map((e) => e.at)).toEqual([AT, AT]);
  });
});

describe("tradesAverage", () => {
  it("is the quantity-weighted average, exact in decimals", () => {
    expect(tradesAverage(trades([1, "0.1"], [2, "0.2"]))?.toFixed()).toBe("0.16666666666666666667");
    expect(tradesAverage(trades([65, "24500.05"]))?.toFixed()).toBe("24500.05");
  });
  it("is null without trades", () => {
    expect(tradesAverage([])).toBeNull();
  });
});

describe("bookDayStart", () => {
  it("is 03:00 IST of the same IST day after 03:00, else of the day before", () => {
    // 2026-11-24 09:30 IST = 04:00 UTC → 2026-11-24 03:00 IST = 2026-11-23 21:30 UTC.
    expect(new Date(bookDayStart(AT)).toISOString()).toBe("2026-11-23T21:30:00.000Z");
    // 2026-11-24 02:59 IST → the 23rd's 03:00 IST.
    expect(new Date(bookDayStart(Date.UTC(2026, 10, 23, 21, 29))).toISOString()).toBe("2026-11-22T21:30:00.000Z");
    expect(new Date(bookDayStart(Date.UTC(2026, 10, 23, 21, 30))).toISOString()).toBe("2026-11-23T21:30:00.000Z");
  });
});
