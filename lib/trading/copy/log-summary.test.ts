import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { childMirrorOutcome, summariseChildSlices, type ChildSlice } from "./log-summary";

const slice = (over: Partial<ChildSlice>): ChildSlice => ({
  state: "filled",
  quantity: 65,
  filledQuantity: 65,
  averagePrice: new Decimal("100"),
  acknowledgedAtMs: 1_000,
  brokerOrderId: "B1",
  ...over,
});

describe("summariseChildSlices", () => {
  it("is null without slices", () => {
    expect(summariseChildSlices([], 0)).toBeNull();
  });

  it("sums fills, weights the average by fills and measures detection → last acknowledgement", () => {
    const s = summariseChildSlices(
      [
        slice({ filledQuantity: 65, averagePrice: new Decimal("100"), acknowledgedAtMs: 1_250, brokerOrderId: "B1" }),
        slice({ filledQuantity: 130, quantity: 130, averagePrice: new Decimal("101"), acknowledgedAtMs: 1_400 }),
      ],
      1_000,
    );
    expect(s).toMatchObject({ state: "filled", quantity: 195, filledQuantity: 195, latencyMs: 400 });
    expect(s!.averagePrice!.toString()).toBe("100.6667");
    expect(s!.brokerOrderIds).toEqual(["B1", "B1"]);
  });

  it("shows the worst state and no latency until every slice is acknowledged", () => {
    const s = summariseChildSlices(
      [slice({}), slice({ state: "sending", filledQuantity: 0, averagePrice: null, acknowledgedAtMs: null })],
      500,
    );
    expect(s).toMatchObject({ state: "sending", filledQuantity: 65, latencyMs: null });
    expect(s!.averagePrice!.toString()).toBe("100");
    const rejected = summariseChildSlices([slice({ state: "partially_filled" }), slice({ state: "rejected" })], 0);
    expect(rejected!.state).toBe("rejected");
  });

  it("has no average when nothing filled", () => {
    const s = summariseChildSlices([slice({ state: "accepted", filledQuantity: 0, averagePrice: null })], 0);
    expect(s).toMatchObject({ state: "accepted", filledQuantity: 0, averagePrice: null, latencyMs: 1_000 });
  });
});

describe("the broker's text and a change's outcome", () => {
  it("takes the text of a slice in the worst state", () => {
    const s = summariseChildSlices(
      [slice({ reason: "fine" }), slice({ state: "rejected", reason: "RMS: margin exceeds" })],
      0,
    );
    expect(s!.brokerReason).toBe("RMS: margin exceeds");
    expect(summariseChildSlices([slice({})], 0)!.brokerReason).toBeNull();
  });

  it("tells a noted change apart by what was left of the child's order", () => {
    const done = (detail: string) => ({ did: "done", detail });
    expect(childMirrorOutcome({ outcome: "noted", slices: [] })).toBe("not_mirrored");
    expect(childMirrorOutcome({ outcome: "noted", slices: [done("cancelled"), done("filled")] })).toBe(
      "already_filled",
    );
    expect(childMirrorOutcome({ outcome: "noted", slices: [done("rejected")] })).toBe("already_closed");
    expect(childMirrorOutcome({ outcome: "failed", slices: [] })).toBe("refused");
    for (const o of ["modified", "cancelled", "unchanged", "waiting"] as const)
      expect(childMirrorOutcome({ outcome: o, slices: [] })).toBe(o);
  });
});
