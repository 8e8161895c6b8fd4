import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { childRule } from "@/lib/testing/copy-rules";
import { applyUncopiedFill, clampClose, sizeFill, syncOrder, type ChildExposure } from "./sizing";
import type { CopyChildRule } from "./types";

const LOT = 65;
const sizes = { lotSize: LOT, freezeQty: 1800 };
const rule = childRule;
const child = (over: Partial<CopyChildRule> = {}, exposure = 0): ChildExposure => ({ rule: rule(over), exposure });
const flat = { masterQty: 0, uncopiedQty: 0 };
const buy = (lots: number) => ({ action: "BUY" as const, quantity: lots * LOT });
const sell = (lots: number) => ({ action: "SELL" as const, quantity: lots * LOT });

describe("sizeFill: opening", () => {
  it.each([
    ["0.5× DOWN of 3 lots", "0.5", "DOWN", false, 3, 1],
    ["0.5× NEAREST of 3 lots (1.5 → 2)", "0.5", "NEAREST", false, 3, 2],
    ["0.5× UP of 3 lots", "0.5", "UP", false, 3, 2],
    ["0.25× DOWN of 3 lots is nothing", "0.25", "DOWN", false, 3, 0],
    ["0.25× DOWN of 3 lots with minOneLot", "0.25", "DOWN", true, 3, 1],
    ["3× of 2 lots", "3", "DOWN", false, 2, 6],
  ] as const)("%s", (_n, mult, rounding, minOneLot, masterLots, childLotsWanted) => {
    const s = sizeFill(buy(masterLots), flat, [child({ multiplier: new Decimal(mult), rounding, minOneLot })], sizes);
    expect(s.orders[0].quantity).toBe(childLotsWanted * LOT);
    expect(s.orders[0].action).toBe("BUY");
    if (childLotsWanted === 0) expect(s.orders[0].reason).toBe("below one lot after rounding");
    expect(s.after).toEqual({ masterQty: masterLots * LOT, uncopiedQty: 0 });
  });

  it("two half-lot fills at 0.5× give one lot on the second (cumulative rounding)", () => {
    const c = { multiplier: new Decimal("0.5") };
    const first = sizeFill(buy(1), flat, [child(c, 0)], sizes);
    expect(first.orders[0].quantity).toBe(0);
    const second = sizeFill(buy(1), first.after, [child(c, 0)], sizes);
    expect(second.orders[0].quantity).toBe(LOT);
  });

  it("sizes against the exposure already on its way (a burst)", () => {
    const s = sizeFill(buy(1), { masterQty: 2 * LOT, uncopiedQty: 0 }, [child({}, 2 * LOT)], sizes);
    expect(s.orders[0].quantity).toBe(LOT);
  });

  it("copies only the copied part: uncopied master units are not the children's", () => {
    const s = sizeFill(buy(1), { masterQty: 4 * LOT, uncopiedQty: 4 * LOT }, [child({}, 0)], sizes);
    expect(s.orders[0].quantity).toBe(LOT);
    expect(s.after).toEqual({ masterQty: 5 * LOT, uncopiedQty: 4 * LOT });
  });

  it("reverse child takes the opposite side", () => {
    const s = sizeFill(buy(2), flat, [child({ reverse: true })], sizes);
    expect(s.orders[0]).toMatchObject({ action: "SELL", quantity: 2 * LOT });
    const more = sizeFill(buy(1), s.after, [child({ reverse: true }, -2 * LOT)], sizes);
    expect(more.orders[0]).toMatchObject({ action: "SELL", quantity: LOT });
  });

  it("maxLotsPerOrder cuts an order and says so", () => {
    const s = sizeFill(buy(5), flat, [child({ maxLotsPerOrder: 2 })], sizes);
    expect(s.orders[0]).toMatchObject({ quantity: 2 * LOT, reason: "cut to max 2 lots per order" });
  });

  it("maxOpenLots caps the opening copy against what the child holds", () => {
    const s = sizeFill(buy(3), { masterQty: 2 * LOT, uncopiedQty: 0 }, [child({ maxOpenLots: 4 }, 2 * LOT)], sizes);
    expect(s.orders[0]).toMatchObject({ quantity: 2 * LOT, reason: "cut to max 4 open lots" });
    const full = sizeFill(buy(1), s.after, [child({ maxOpenLots: 4 }, 4 * LOT)], sizes);
    expect(full.orders[0]).toMatchObject({ quantity: 0, reason: "cut to max 4 open lots" });
  });

  it("a paused child gets nothing, with the reason", () => {
    const s = sizeFill(buy(2), flat, [child({ enabled: false }), child({ accountId: "c2" })], sizes);
    expect(s.orders[0]).toMatchObject({ quantity: 0, reason: "child paused" });
    expect(s.orders[1]).toMatchObject({ accountId: "c2", quantity: 2 * LOT });
  });

  it("an opening not copied (paused group, outside the window) becomes uncopied", () => {
    const s = sizeFill(buy(2), flat, [child()], sizes, { copy: false, reason: "outside the copy window" });
    expect(s.orders[0]).toMatchObject({ quantity: 0, reason: "outside the copy window" });
    expect(s.after).toEqual({ masterQty: 2 * LOT, uncopiedQty: 2 * LOT });
    // The children never catch up on what was not copied.
    const next = sizeFill(buy(1), s.after, [child()], sizes);
    expect(next.orders[0].quantity).toBe(LOT);
  });
});

describe("sizeFill: reducing", () => {
  it("the master closing half closes half of each child's own position", () => {
    const s = sizeFill(
      sell(2),
      { masterQty: 4 * LOT, uncopiedQty: 0 },
      [child({}, 6 * LOT), child({ accountId: "c2" }, 2 * LOT)],
      sizes,
    );
    expect(s.orders.map((o) => [o.action, o.quantity])).toEqual([
      ["SELL", 3 * LOT],
      ["SELL", LOT],
    ]);
    expect(s.after.masterQty).toBe(2 * LOT);
  });

  it("rounds a child's reduction by its rule, never more than it holds", () => {
    const third = { masterQty: 3 * LOT, uncopiedQty: 0 };
    expect(sizeFill(sell(1), third, [child({ rounding: "DOWN" }, 2 * LOT)], sizes).orders[0].quantity).toBe(0);
    expect(sizeFill(sell(1), third, [child({ rounding: "NEAREST" }, 2 * LOT)], sizes).orders[0].quantity).toBe(LOT);
    expect(sizeFill(sell(1), third, [child({ rounding: "UP" }, 2 * LOT)], sizes).orders[0].quantity).toBe(LOT);
    expect(sizeFill(sell(2), third, [child({ rounding: "UP" }, 1 * LOT)], sizes).orders[0].quantity).toBe(LOT);
  });

  it("the master going flat closes every child completely", () => {
    const s = sizeFill(
      sell(3),
      { masterQty: 3 * LOT, uncopiedQty: 0 },
      [child({ multiplier: new Decimal("0.5") }, 2 * LOT)],
      sizes,
    );
    expect(s.orders[0]).toMatchObject({ action: "SELL", quantity: 2 * LOT });
    expect(s.after).toEqual({ masterQty: 0, uncopiedQty: 0 });
  });

  it("closing more than a child holds never flips it", () => {
    const s = sizeFill(sell(3), { masterQty: 3 * LOT, uncopiedQty: 0 }, [child({}, LOT)], sizes);
    expect(s.orders[0].quantity).toBe(LOT);
    const none = sizeFill(sell(1), { masterQty: 3 * LOT, uncopiedQty: 0 }, [child({}, -LOT)], sizes);
    expect(none.orders[0].quantity).toBe(0);
  });

  it("a master flip (long 2 lots → short 1 lot in one fill) closes the child, then opens the short share", () => {
    const s = sizeFill(
      sell(3),
      { masterQty: 2 * LOT, uncopiedQty: 0 },
      [child({ multiplier: new Decimal(2) }, 4 * LOT)],
      sizes,
    );
    expect(s.orders[0]).toMatchObject({ action: "SELL", quantity: 6 * LOT });
    expect(s.after).toEqual({ masterQty: -LOT, uncopiedQty: 0 });
  });

  it("a reverse child reduces its own (opposite) position", () => {
    const s = sizeFill(sell(1), { masterQty: 2 * LOT, uncopiedQty: 0 }, [child({ reverse: true }, -2 * LOT)], sizes);
    expect(s.orders[0]).toMatchObject({ action: "BUY", quantity: LOT });
  });

  it("uncopiedQty shrinks by the fraction the master closed", () => {
    const s = sizeFill(sell(2), { masterQty: 4 * LOT, uncopiedQty: 2 * LOT }, [child({}, 2 * LOT)], sizes);
    expect(s.after).toEqual({ masterQty: 2 * LOT, uncopiedQty: LOT });
    expect(s.orders[0].quantity).toBe(LOT);
  });

  it("says how much of each order closes (a flip: the close part; an opening: none)", () => {
    const flip = sizeFill(sell(3), { masterQty: 2 * LOT, uncopiedQty: 0 }, [child({}, 2 * LOT)], sizes);
    expect(flip.orders[0]).toMatchObject({ action: "SELL", quantity: 3 * LOT, closes: 2 * LOT });
    const open = sizeFill(buy(1), flat, [child()], sizes);
    expect(open.orders[0]).toMatchObject({ action: "BUY", quantity: LOT, closes: 0 });
    const reverse = sizeFill(sell(1), { masterQty: LOT, uncopiedQty: 0 }, [child({ reverse: true }, -LOT)], sizes);
    expect(reverse.orders[0]).toMatchObject({ action: "BUY", quantity: LOT, closes: LOT });
  });

  it("maxLotsPerOrder never cuts a close: the master going flat closes the child whole; an opening beyond is cut", () => {
    const flat3 = sizeFill(
      sell(3),
      { masterQty: 3 * LOT, uncopiedQty: 0 },
      [child({ maxLotsPerOrder: 1 }, 3 * LOT)],
      sizes,
    );
    expect(flat3.orders[0]).toMatchObject({ action: "SELL", quantity: 3 * LOT, closes: 3 * LOT, reason: null });
    const flip = sizeFill(
      sell(5),
      { masterQty: 3 * LOT, uncopiedQty: 0 },
      [child({ maxLotsPerOrder: 4 }, 3 * LOT)],
      sizes,
    );
    expect(flip.orders[0]).toMatchObject({ quantity: 4 * LOT, closes: 3 * LOT, reason: "cut to max 4 lots per order" });
  });

  it("closes are sent while the opening is not copied (outside the window)", () => {
    const s = sizeFill(sell(1), { masterQty: 2 * LOT, uncopiedQty: 0 }, [child({}, 2 * LOT)], sizes, {
      copy: false,
      reason: "x",
    });
    expect(s.orders[0].quantity).toBe(LOT);
  });
});

describe("applyUncopiedFill", () => {
  it.each([
    ["an own opening: the children's share is unchanged", flat, 2 * LOT, { masterQty: 2 * LOT, uncopiedQty: 2 * LOT }],
    ["a flatten of a copied position", { masterQty: LOT, uncopiedQty: 0 }, -LOT, flat],
    ["a baseline stop closing the baseline lot", { masterQty: LOT, uncopiedQty: LOT }, -LOT, flat],
    [
      "closing part of a copied position never makes the uncopied part negative",
      { masterQty: 2 * LOT, uncopiedQty: 0 },
      -LOT,
      { masterQty: LOT, uncopiedQty: 0 },
    ],
    [
      "a closing of the uncopied part first",
      { masterQty: 3 * LOT, uncopiedQty: 2 * LOT },
      -LOT,
      { masterQty: 2 * LOT, uncopiedQty: LOT },
    ],
    [
      "through flat to the other side: only the new side, all uncopied",
      { masterQty: LOT, uncopiedQty: 0 },
      -3 * LOT,
      { masterQty: -2 * LOT, uncopiedQty: -2 * LOT },
    ],
  ])("%s", (_n, before, signed, after) => {
    expect(applyUncopiedFill(before, signed)).toEqual(after);
  });
});

describe("clampClose", () => {
  const order = (action: "BUY" | "SELL", quantity: number, closes: number) => ({
    accountId: "c1",
    action,
    quantity,
    reason: null,
    closes,
  });
  it.each([
    ["holds what it closes: unchanged", order("SELL", 2 * LOT, 2 * LOT), 2 * LOT, 2 * LOT, 2 * LOT],
    ["an opening refused since: the close shrinks", order("SELL", 2 * LOT, 2 * LOT), LOT, LOT, LOT],
    ["holds nothing: nothing to send", order("SELL", LOT, LOT), 0, 0, 0],
    ["a flip keeps its opening part", order("SELL", 3 * LOT, 2 * LOT), LOT, 2 * LOT, LOT],
    ["a short's close (BUY) against what it is short", order("BUY", 2 * LOT, 2 * LOT), -LOT, LOT, LOT],
    ["long now where it closed a short: only the opening part goes", order("BUY", 2 * LOT, LOT), LOT, LOT, 0],
    ["an opening is never cut", order("BUY", 2 * LOT, 0), 0, 2 * LOT, 0],
  ])("%s", (_n, o, held, quantity, closes) => {
    expect(clampClose(o, held)).toMatchObject({ quantity, closes });
  });

  it("says why when nothing is left", () => {
    expect(clampClose(order("SELL", LOT, LOT), 0).reason).toBe("nothing left to close");
    expect(clampClose({ accountId: "c1", action: "SELL", quantity: LOT, reason: null }, 0).quantity).toBe(LOT);
  });
});

describe("syncOrder", () => {
  const master = { masterQty: 4 * LOT, uncopiedQty: LOT };
  it.each([
    ["brings a short child up to its share", {}, LOT, "BUY", 2 * LOT],
    ["reduces an over-full child", {}, 5 * LOT, "SELL", 2 * LOT],
    ["at parity sends nothing", {}, 3 * LOT, "BUY", 0],
    ["a child on the wrong side is only closed", {}, -2 * LOT, "BUY", 2 * LOT],
    ["reverse child", { reverse: true }, 0, "SELL", 3 * LOT],
    ["maxOpenLots caps the sync", { maxOpenLots: 2 }, LOT, "BUY", LOT],
    ["maxLotsPerOrder never cuts a reduction", { maxLotsPerOrder: 1 }, 5 * LOT, "SELL", 2 * LOT],
  ] as const)("%s", (_n, over, exposure, action, quantity) => {
    const o = syncOrder(master, child(over, exposure), sizes);
    expect(o.quantity).toBe(quantity);
    if (quantity > 0) expect(o.action).toBe(action);
  });

  it("says how much of the order closes", () => {
    expect(syncOrder(master, child({}, 5 * LOT), sizes)).toMatchObject({ action: "SELL", closes: 2 * LOT });
    expect(syncOrder(master, child({}, -2 * LOT), sizes)).toMatchObject({ action: "BUY", closes: 2 * LOT });
    expect(syncOrder(master, child({}, LOT), sizes)).toMatchObject({ action: "BUY", closes: 0 });
  });
});

describe("sizeFill: reductions are exact ratios", () => {
  it.each([3, 7, 9, 11, 13, 19])("closing a burst of %i one-lot fills one by one closes the child lot by lot", (n) => {
    let master = { masterQty: n * LOT, uncopiedQty: 0 };
    let held = n * LOT;
    for (let i = 0; i < n; i++) {
      const s = sizeFill(sell(1), master, [child({}, held)], sizes);
      // 1/n of n lots is exactly 1 lot (a decimal quotient of 1/9 would give 0.999… lots, rounded DOWN to none).
      expect(s.orders[0]).toMatchObject({ action: "SELL", quantity: LOT });
      held -= s.orders[0].quantity;
      master = s.after;
    }
    expect([held, master.masterQty]).toEqual([0, 0]);
  });

  it("shrinks the uncopied part by the exact fraction closed", () => {
    const s = sizeFill(sell(1), { masterQty: 9 * LOT, uncopiedQty: 9 * LOT }, [child({}, 0)], sizes);
    expect(s.after).toEqual({ masterQty: 8 * LOT, uncopiedQty: 8 * LOT });
  });
});
