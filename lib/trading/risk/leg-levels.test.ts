import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { legBreached, legDistance, legEntry, legLevel } from "./leg-levels";

const d = (v: Decimal.Value) => new Decimal(v);

describe("leg levels", () => {
  it("puts a short leg's stop above its entry and its target below; a long leg's the other way", () => {
    const entry = d(200);
    const pct = { kind: "percent", value: d(50) } as const;
    const pts = { kind: "points", value: d(30) } as const;
    expect(legLevel(pct, entry, "short", "stopLoss")?.toNumber()).toBe(300);
    expect(legLevel(pct, entry, "short", "takeProfit")?.toNumber()).toBe(100);
    expect(legLevel(pct, entry, "long", "stopLoss")?.toNumber()).toBe(100);
    expect(legLevel(pct, entry, "long", "takeProfit")?.toNumber()).toBe(300);
    expect(legLevel(pts, entry, "short", "stopLoss")?.toNumber()).toBe(230);
    expect(legLevel(pts, entry, "long", "stopLoss")?.toNumber()).toBe(170);
    expect(legLevel({ kind: "premium", value: d(260) }, entry, "short", "stopLoss")?.toNumber()).toBe(260);
    expect(legLevel({ kind: "amount", value: d(260) }, entry, "short", "stopLoss")).toBeNull();
  });

  it("is breached at the level in the losing (stop) or winning (target) direction, and says how far it is", () => {
    expect(legBreached(d(229.95), d(230), "short", "stopLoss")).toBe(false);
    expect(legBreached(d(230), d(230), "short", "stopLoss")).toBe(true);
    expect(legBreached(d(170), d(170), "long", "stopLoss")).toBe(true);
    expect(legBreached(d(171), d(170), "long", "stopLoss")).toBe(false);
    expect(legBreached(d(99), d(100), "short", "takeProfit")).toBe(true);
    expect(legBreached(d(301), d(300), "long", "takeProfit")).toBe(true);
    expect(legDistance(d(210), d(230), "short", "stopLoss").toNumber()).toBe(20);
    expect(legDistance(d(190), d(170), "long", "stopLoss").toNumber()).toBe(20);
    expect(legDistance(d(150), d(100), "short", "takeProfit").toNumber()).toBe(50);
  });

  it("averages the entry over accounts by quantity and takes the side of the net", () => {
    const e = legEntry([
      { netQty: -65, avgPrice: d(100) },
      { netQty: -130, avgPrice: d(130) },
      { netQty: 0, avgPrice: null },
    ]);
    expect(e).toEqual({ entry: d(120), side: "short", quantity: 195 });
    expect(legEntry([{ netQty: 65, avgPrice: null }])).toBeNull();
    expect(legEntry([{ netQty: 0, avgPrice: null }])).toBeNull();
  });
});
