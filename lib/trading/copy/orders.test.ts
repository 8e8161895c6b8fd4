import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { childRule } from "@/lib/testing/copy-rules";
import { type ChildSlice, type MasterModification, placeChildOrders, reproportionChild } from "./orders";
import type { CopyChildRule } from "./types";

const d = (v: string) => new Decimal(v);
const NIFTY = { lotSize: 65, freezeQty: 1755 };

const rule = (over: Partial<CopyChildRule> = {}) => childRule({ multiplier: d("1"), ...over });

describe("placeChildOrders", () => {
  it.each([
    // master units, child rule → child order
    ["the plain share", 130, {}, { action: "BUY", quantity: 130, reason: null }],
    ["a fraction rounded down", 195, { multiplier: d("0.5") }, { action: "BUY", quantity: 65, reason: null }],
    ["a fraction rounded to nearest", 195, { multiplier: d("0.5"), rounding: "NEAREST" }, { quantity: 130 }],
    ["a fraction rounded up", 65, { multiplier: d("0.25"), rounding: "UP" }, { quantity: 65, reason: null }],
    ["three times", 65, { multiplier: d("3") }, { quantity: 195, reason: null }],
    [
      "under one lot, skipped",
      65,
      { multiplier: d("0.5") },
      { quantity: 0, reason: "65 units × 0.5 is less than one lot of 65" },
    ],
    [
      "under one lot, raised",
      65,
      { multiplier: d("0.5"), minOneLot: true },
      { quantity: 65, reason: "raised to 1 lot (minimum one lot)" },
    ],
    [
      "cut by max lots per order",
      650,
      { multiplier: d("2"), maxLotsPerOrder: 5 },
      { quantity: 325, reason: "cut to max 5 lots per order (share 20 lots)" },
    ],
    ["reversed", 130, { reverse: true }, { action: "SELL", quantity: 130, reason: null }],
    ["paused", 130, { enabled: false }, { action: "BUY", quantity: 0, reason: "child paused" }],
  ] as const)("%s", (_name, units, over, expected) => {
    const [order] = placeChildOrders({ action: "BUY", quantity: units }, [rule(over)], NIFTY);
    expect(order).toMatchObject({ accountId: "c1", ...expected });
  });

  it("one order per child, in the children's order, a SELL reversed to a BUY", () => {
    const out = placeChildOrders(
      { action: "SELL", quantity: 260 },
      [
        rule(),
        rule({ accountId: "c2", multiplier: d("0.5"), reverse: true }),
        rule({ accountId: "c3", enabled: false }),
      ],
      NIFTY,
    );
    expect(out).toEqual([
      { accountId: "c1", action: "SELL", quantity: 260, reason: null },
      { accountId: "c2", action: "BUY", quantity: 130, reason: null },
      { accountId: "c3", action: "SELL", quantity: 0, reason: "child paused" },
    ]);
  });
});

function slice(intentId: string, quantity: number, filled = 0, working = true, price = "100"): ChildSlice {
  return { intentId, quantity, filled, working, price: d(price), triggerPrice: null };
}

function limit(oldQuantity: number, newQuantity: number, price = "100"): MasterModification {
  return { action: "BUY", oldQuantity, newQuantity, price: d(price), triggerPrice: null };
}

describe("reproportionChild", () => {
  it("a price change restates every working slice and leaves quantities alone", () => {
    const m = reproportionChild(limit(130, 130, "101.5"), rule(), [slice("a", 65), slice("b", 65, 65, false)], NIFTY);
    expect(m).toEqual({
      accountId: "c1",
      total: 130,
      notMirrored: 0,
      reason: null,
      changes: [{ intentId: "a", kind: "modify", quantity: 65, price: d("101.5"), triggerPrice: null, raises: false }],
    });
  });

  it("values that already hold are kept, not sent again", () => {
    const m = reproportionChild(limit(130, 260), rule(), [slice("a", 260)], NIFTY);
    expect(m.changes).toEqual([{ intentId: "a", kind: "keep" }]);
    expect(m.total).toBe(260);
  });

  it("a price type change is a change even at the same prices", () => {
    const s: ChildSlice = { ...slice("a", 65), priceType: "LIMIT" };
    expect(reproportionChild({ ...limit(65, 65), priceType: "LIMIT" }, rule(), [s], NIFTY).changes).toEqual([
      { intentId: "a", kind: "keep" },
    ]);
    expect(reproportionChild({ ...limit(65, 65), priceType: "SL" }, rule(), [s], NIFTY).changes).toEqual([
      { intentId: "a", kind: "modify", quantity: 65, price: d("100"), triggerPrice: null, raises: false },
    ]);
  });

  it("a trigger change of an SL-M order (no limit price; the broker shows 0)", () => {
    const s: ChildSlice = {
      intentId: "a",
      quantity: 65,
      filled: 0,
      working: true,
      price: d("0"),
      triggerPrice: d("90"),
    };
    const change: MasterModification = {
      action: "SELL",
      oldQuantity: 65,
      newQuantity: 65,
      price: null,
      triggerPrice: d("88.5"),
    };
    expect(reproportionChild(change, rule(), [s], NIFTY).changes).toEqual([
      { intentId: "a", kind: "modify", quantity: 65, price: null, triggerPrice: d("88.5"), raises: false },
    ]);
  });

  it("a decrease comes off the last working slices; a slice that drops to 0 is cancelled", () => {
    // Child at 2× of a master order of 27 lots: 54 lots in two freeze slices of 27; master down to 15 lots → 30 lots.
    const m = reproportionChild(
      limit(1755, 975),
      rule({ multiplier: d("2") }),
      [slice("a", 1755), slice("b", 1755)],
      NIFTY,
    );
    expect(m.total).toBe(1950);
    expect(m.changes).toEqual([
      { intentId: "a", kind: "keep" },
      { intentId: "b", kind: "modify", quantity: 195, price: d("100"), triggerPrice: null, raises: false },
    ]);
  });

  it("a decrease past a whole slice cancels it and cuts the one before", () => {
    const m = reproportionChild(limit(3510, 650), rule(), [slice("a", 1755), slice("b", 1755)], NIFTY);
    expect(m.total).toBe(650);
    expect(m.changes).toEqual([
      { intentId: "a", kind: "modify", quantity: 650, price: d("100"), triggerPrice: null, raises: false },
      { intentId: "b", kind: "cancel" },
    ]);
  });

  it("never below what already filled: a partly filled slice keeps its fill, the rest is reported", () => {
    // 4 lots working with 3 filled; master down to 1 lot: the slice can only drop to its 3 filled lots (cancelled).
    const m = reproportionChild(limit(260, 65), rule(), [slice("a", 260, 195)], NIFTY);
    expect(m.changes).toEqual([{ intentId: "a", kind: "cancel" }]);
    expect(m.total).toBe(195);
    expect(m.reason).toBe("130 units already filled: the child keeps them");
  });

  it("a decrease counts filled slices that are done as part of the child's total", () => {
    const m = reproportionChild(limit(390, 195), rule(), [slice("a", 130, 130, false), slice("b", 260, 65)], NIFTY);
    // Had 130 filled + 260 working = 390; target 195 → b drops to 65, which is all it filled: cancelled.
    expect(m.changes).toEqual([{ intentId: "b", kind: "cancel" }]);
    expect(m.total).toBe(195);
    expect(m.reason).toBeNull();
  });

  it("an increase goes to the last working slice up to the slice size; the rest is not mirrored", () => {
    const m = reproportionChild(limit(1755, 2340), rule(), [slice("a", 1755)], NIFTY);
    expect(m.changes).toEqual([{ intentId: "a", kind: "keep" }]);
    expect(m.notMirrored).toBe(585);
    expect(m.total).toBe(1755);
    expect(m.reason).toBe("585 units not mirrored: the last working order is at the slice size of 1755");

    const two = reproportionChild(limit(1755, 2340), rule(), [slice("a", 1755), slice("b", 1300, 0)], NIFTY);
    // 3055 → 2340 is a decrease here (the child had more than its new share): b drops to 585.
    expect(two.changes[1]).toMatchObject({ kind: "modify", quantity: 585 });
  });

  it("an increase fills the last slice's room, the remainder is reported", () => {
    const m = reproportionChild(limit(1690, 2340), rule(), [slice("a", 1690)], NIFTY);
    expect(m.changes).toEqual([
      { intentId: "a", kind: "modify", quantity: 1755, price: d("100"), triggerPrice: null, raises: true },
    ]);
    expect(m).toMatchObject({ total: 1755, notMirrored: 585 });
  });

  it("an increase with an unknown freeze quantity has no slice limit", () => {
    const m = reproportionChild(limit(65, 650), rule(), [slice("a", 65)], { lotSize: 65, freezeQty: null });
    expect(m.changes).toEqual([
      { intentId: "a", kind: "modify", quantity: 650, price: d("100"), triggerPrice: null, raises: true },
    ]);
    expect(m.notMirrored).toBe(0);
  });

  it("an increase with no working slice left is not mirrored", () => {
    const m = reproportionChild(limit(65, 130), rule(), [slice("a", 65, 65, false)], NIFTY);
    expect(m).toEqual({
      accountId: "c1",
      total: 65,
      changes: [],
      notMirrored: 65,
      reason: "65 units not mirrored: no working order to add them to",
    });
  });

  it("the child's rule applies to the new quantity: rounding and the per-order cap", () => {
    const half = reproportionChild(limit(260, 390), rule({ multiplier: d("0.5") }), [slice("a", 130)], NIFTY);
    // 6 master lots × 0.5 = 3 child lots.
    expect(half.changes).toEqual([
      { intentId: "a", kind: "modify", quantity: 195, price: d("100"), triggerPrice: null, raises: true },
    ]);
    const cut = reproportionChild(limit(130, 650), rule({ maxLotsPerOrder: 4 }), [slice("a", 130)], NIFTY);
    expect(cut.changes).toEqual([
      { intentId: "a", kind: "modify", quantity: 260, price: d("100"), triggerPrice: null, raises: true },
    ]);
    expect(cut.reason).toBe("cut to max 4 lots per order (share 10 lots)");
  });

  it("a paused child, or a blocked increase, is never raised (decreases still apply)", () => {
    const paused = reproportionChild(limit(65, 130), rule({ enabled: false }), [slice("a", 65)], NIFTY);
    expect(paused).toMatchObject({ total: 65, notMirrored: 65, reason: "child paused: not raised" });
    expect(paused.changes).toEqual([{ intentId: "a", kind: "keep" }]);
    const blocked = reproportionChild(limit(65, 130), rule(), [slice("a", 65)], NIFTY, "kill switch engaged");
    expect(blocked).toMatchObject({ total: 65, notMirrored: 65, reason: "kill switch engaged" });
    const down = reproportionChild(limit(130, 65), rule({ enabled: false }), [slice("a", 130)], NIFTY, "blocked");
    expect(down.changes).toEqual([
      { intentId: "a", kind: "modify", quantity: 65, price: d("100"), triggerPrice: null, raises: false },
    ]);
  });

  it("a master reduced below the child's one lot cancels the child's working order", () => {
    const m = reproportionChild(limit(130, 65), rule({ multiplier: d("0.5") }), [slice("a", 65)], NIFTY);
    expect(m.changes).toEqual([{ intentId: "a", kind: "cancel" }]);
    expect(m).toMatchObject({ total: 0, reason: "65 units × 0.5 is less than one lot of 65" });
  });
});
