import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { trailDistance, trailStep } from "./trailing";

const d = (v: Decimal.Value) => new Decimal(v);

/** Feeds P&L values through the trail and returns [pnl, peak, stop, active, breached] per step. */
function ratchet(pnls: number[], distance: number, activateAt: number | null) {
  let kept: { peak: Decimal | null; stop: Decimal | null } = { peak: null, stop: null };
  return pnls.map((pnl) => {
    const s = trailStep(kept, d(pnl), d(distance), activateAt === null ? null : d(activateAt));
    kept = { peak: s.peak, stop: s.stop };
    return [pnl, s.peak.toNumber(), s.stop.toNumber(), s.active, d(pnl).lte(s.stop)];
  });
}

describe("trailing stop ratchet", () => {
  it("starts at −distance, follows the peak and never moves back", () => {
    expect(ratchet([0, -400, 500, 1500, 1200, 2100, 900, 1100], 1000, null)).toEqual([
      [0, 0, -1000, true, false],
      [-400, 0, -1000, true, false],
      [500, 500, -500, true, false],
      [1500, 1500, 500, true, false],
      [1200, 1500, 500, true, false],
      [2100, 2100, 1100, true, false],
      [900, 2100, 1100, true, true],
      [1100, 2100, 1100, true, true],
    ]);
  });

  it("holds the initial stop until P&L reaches activateAt, then trails from the peak", () => {
    expect(ratchet([300, 800, 1199, 1200, 1600, 700, 600], 1000, 1200)).toEqual([
      [300, 300, -1000, false, false],
      [800, 800, -1000, false, false],
      [1199, 1199, -1000, false, false],
      [1200, 1200, 200, true, false],
      [1600, 1600, 600, true, false],
      [700, 1600, 600, true, false],
      [600, 1600, 600, true, true],
    ]);
  });

  it("a wider distance later never lowers a stop already reached", () => {
    const first = trailStep({ peak: null, stop: null }, d(2000), d(500), null);
    expect(first.stop.toNumber()).toBe(1500);
    const widened = trailStep({ peak: first.peak, stop: first.stop }, d(1900), d(1500), null);
    expect(widened.stop.toNumber()).toBe(1500);
    const narrowed = trailStep({ peak: widened.peak, stop: widened.stop }, d(1900), d(200), null);
    expect(narrowed.stop.toNumber()).toBe(1800);
  });

  it("measures the distance in ₹ from percent of net premium, points × open quantity, or an amount", () => {
    const run = { netPremium: d(13000), openQuantity: 130 };
    expect(trailDistance({ kind: "percent", value: d(25) }, run)?.toNumber()).toBe(3250);
    expect(trailDistance({ kind: "points", value: d(20) }, run)?.toNumber()).toBe(2600);
    expect(trailDistance({ kind: "amount", value: d(1500) }, run)?.toNumber()).toBe(1500);
    expect(trailDistance({ kind: "percent", value: d(25) }, { netPremium: null, openQuantity: 0 })).toBeNull();
    expect(trailDistance({ kind: "points", value: d(20) }, { netPremium: d(1), openQuantity: 0 })).toBeNull();
  });
});
