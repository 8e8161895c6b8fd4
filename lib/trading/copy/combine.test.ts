import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { childRule } from "@/lib/testing/copy-rules";
import { combinedSlices, combineShares, sidesAgree, type CombineInput, type ShareInput } from "./combine";
import { sizeFill, type MasterPosition } from "./sizing";
import type { CopyChildRule, Side } from "./types";

const LOT = 65;
const share = (accountId: string, action: Side, lots: number, held?: number): ShareInput => ({
  accountId,
  action,
  quantity: lots * LOT,
  ...(held === undefined ? {} : { held: held * LOT }),
});
const fill = (children: ShareInput[], masterAfter = 0): CombineInput => ({ masterAfter: masterAfter * LOT, children });
const NONE = new Set<string>();

describe("combineShares", () => {
  it("nets a child's shares into one order on the net side, counting the events that carried a share", () => {
    const orders = combineShares(
      [
        fill([share("a", "BUY", 1, 0), share("b", "SELL", 1, 0)], 1),
        fill([share("a", "BUY", 2, 1), share("b", "SELL", 0, -1)], 3),
        fill([share("a", "SELL", 1, 3), share("b", "BUY", 1, -1)], 2),
      ],
      new Set(["b"]),
    );
    expect(orders).toEqual([
      { accountId: "a", action: "BUY", quantity: 2 * LOT, closes: 0, events: 3, refused: null },
      { accountId: "b", action: "BUY", quantity: 0, closes: 0, events: 2, refused: null },
    ]);
  });

  it("a burst of one side is one order of the sum", () => {
    const burst = Array.from({ length: 20 }, (_, i) => fill([share("a", "SELL", 1, 20 - i)], 19 - i));
    expect(combineShares(burst, NONE)).toEqual([
      { accountId: "a", action: "SELL", quantity: 20 * LOT, closes: 20 * LOT, events: 20, refused: null },
    ]);
  });

  it("the closing part of a net order is what it takes back towards flat from what the child held before it", () => {
    // Short 1 lot, sold 1 more, then bought 3: the net BUY 2 lots closes the lot held before the run and opens 1;
    // bought 4 instead, the net BUY 3 closes that lot and opens 2; bought 1, nothing is left to send.
    const closing = (last: number) =>
      combineShares([fill([share("a", "SELL", 1, -1)], -2), fill([share("a", "BUY", last, -2)], last - 2)], NONE)[0];
    expect(closing(3)).toMatchObject({ action: "BUY", quantity: 2 * LOT, closes: LOT });
    expect(closing(4)).toMatchObject({ action: "BUY", quantity: 3 * LOT, closes: LOT });
    expect(closing(1)).toMatchObject({ quantity: 0, closes: 0 });
    // Rows without `held`: the shares' own closes on the net side, never more than the order.
    const old = { ...share("a", "SELL", 2), closes: 2 * LOT };
    expect(combineShares([fill([old], 0), fill([share("a", "BUY", 1)], 1)], NONE)[0]).toMatchObject({
      action: "SELL",
      quantity: LOT,
      closes: LOT,
    });
  });

  it("refuses a child whose share would take it beyond flat onto the side the master is not on", () => {
    // The master only reduced (4 → 1 lots) but a share sells the child from 2 lots to short 1: a defect, never sent.
    const [bad] = combineShares([fill([share("a", "SELL", 2, 2)], 2), fill([share("a", "SELL", 1, 0)], 1)], NONE);
    expect(bad.quantity).toBe(0);
    expect(bad.refused).toMatch(/would reduce the child beyond what it held/);
    // The master went from long to short: the child's close plus its new short is right, in any order.
    const flip = [fill([share("a", "SELL", 2, 2)], 0), fill([share("a", "SELL", 1, 0)], -1)];
    expect(combineShares(flip, NONE)[0]).toMatchObject({ action: "SELL", quantity: 3 * LOT, refused: null });
    expect(combineShares([...flip].reverse(), NONE)[0]).toMatchObject({ quantity: 3 * LOT, refused: null });
    // A child on the wrong side brought to its share on the master's side; a reverse child short of a long master.
    expect(combineShares([fill([share("a", "BUY", 3, -1)], 2)], NONE)[0].refused).toBeNull();
    expect(combineShares([fill([share("r", "SELL", 2, 0)], 2)], new Set(["r"]))[0].refused).toBeNull();
    expect(combineShares([fill([share("r", "SELL", 2, 0)], 2)], NONE)[0].refused).not.toBeNull();
    // Rows sized before `held` was stored are not checked.
    expect(combineShares([fill([share("a", "SELL", 3)], 1)], NONE)[0]).toMatchObject({ quantity: 3 * LOT });
  });

  it("per-event sizing never trips the check, and the net is the child's exposure change", () => {
    const rule = (over: Partial<CopyChildRule>) => childRule({ accountId: "a", accountName: "A", ...over });
    const rules = [
      rule({ accountId: "a" }),
      rule({ accountId: "b", multiplier: new Decimal("0.5"), rounding: "NEAREST" }),
      rule({ accountId: "c", reverse: true, multiplier: new Decimal(2) }),
      rule({ accountId: "d", maxOpenLots: 3, minOneLot: true, multiplier: new Decimal("0.25") }),
      rule({ accountId: "e", maxOpenLots: 2 }),
    ];
    // A deterministic walk of master fills through long, flat and short, both sides.
    const walk = [3, 2, -1, -4, -3, 2, 5, -1, -1, -2, 7, -9, 1, 4, -6];
    let master: MasterPosition = { masterQty: 0, uncopiedQty: 0 };
    // Child e starts short 3 lots, on the wrong side of the master's first long (a drifted child).
    const exposure = new Map(rules.map((r) => [r.accountId, r.accountId === "e" ? -3 * LOT : 0]));
    const events: CombineInput[] = [];
    for (const lots of walk) {
      const sized = sizeFill(
        { action: lots > 0 ? "BUY" : "SELL", quantity: Math.abs(lots) * LOT },
        master,
        rules.map((r) => ({ rule: r, exposure: exposure.get(r.accountId)! })),
        { lotSize: LOT, freezeQty: 1800 },
      );
      events.push({
        masterAfter: sized.after.masterQty,
        children: sized.orders.map((o) => ({ ...o, held: exposure.get(o.accountId)! })),
      });
      for (const o of sized.orders)
        exposure.set(o.accountId, exposure.get(o.accountId)! + (o.action === "BUY" ? o.quantity : -o.quantity));
      master = sized.after;
    }
    // Every window of consecutive events (a run carries a run of them) combines without a refusal.
    for (let from = 0; from < events.length; from++)
      for (let to = from + 1; to <= events.length; to++) {
        const orders = combineShares(events.slice(from, to), new Set(["c"]));
        for (const o of orders) {
          expect(o.refused).toBeNull();
          const before = events[from].children.find((c) => c.accountId === o.accountId)!.held!;
          const after =
            to === events.length
              ? exposure.get(o.accountId)!
              : events[to].children.find((c) => c.accountId === o.accountId)!.held!;
          expect((o.action === "BUY" ? 1 : -1) * o.quantity).toBe(after - before);
        }
      }
  });
});

describe("combinedSlices", () => {
  it("slices at the freeze quantity and at the child's maxLotsPerOrder, whichever is smaller", () => {
    expect(combinedSlices(20 * LOT, { lotSize: LOT, freezeQty: 1800 }, null)).toEqual([20 * LOT]);
    expect(combinedSlices(30 * LOT, { lotSize: LOT, freezeQty: 1800 }, null)).toEqual([27 * LOT, 3 * LOT]);
    expect(combinedSlices(12 * LOT, { lotSize: LOT, freezeQty: 1800 }, 5)).toEqual([5 * LOT, 5 * LOT, 2 * LOT]);
    expect(combinedSlices(3 * LOT, { lotSize: LOT, freezeQty: null }, null)).toEqual([3 * LOT]);
    expect(combinedSlices(3, { lotSize: 1, freezeQty: null }, 1)).toEqual([1, 1, 1]);
  });
});

describe("sidesAgree", () => {
  const o = (accountId: string, action: Side) => ({ accountId, action });
  it("lets a child's orders follow its orders in flight only on the same side", () => {
    expect(sidesAgree([o("a", "BUY"), o("b", "SELL")], [o("a", "BUY"), o("b", "SELL"), o("c", "SELL")])).toBe(true);
    expect(sidesAgree([o("a", "SELL")], [o("a", "BUY")])).toBe(false);
    // A child with both sides in flight, or both sides in the new run, waits too.
    expect(sidesAgree([o("a", "BUY")], [o("a", "BUY"), o("a", "SELL")])).toBe(false);
    expect(sidesAgree([o("a", "BUY"), o("a", "SELL")], [o("a", "BUY")])).toBe(false);
    expect(sidesAgree([o("a", "BUY")], [])).toBe(true);
  });
});
