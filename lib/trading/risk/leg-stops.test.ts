import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { desiredStops, stopLevel, stopRunPreview, stopsMatch, type HeldLeg, type LiveStop } from "./leg-stops";
import type { LevelSpec } from "./rules";

const d = (v: string | number) => new Decimal(v);
type LegLevel = Exclude<LevelSpec, { kind: "amount" }>;
const points = (v: string): LegLevel => ({ kind: "points", value: d(v) });
const percent = (v: string): LegLevel => ({ kind: "percent", value: d(v) });
const premium = (v: string): LegLevel => ({ kind: "premium", value: d(v) });

const shortLeg = (o: Partial<HeldLeg> = {}): HeldLeg => ({
  legIndex: 0,
  symbol: "NIFTY08DEC2626100CE",
  exchange: "NFO",
  product: "NRML",
  action: "SELL",
  lotSize: 65,
  freezeQty: 1755,
  tickSize: "0.05",
  held: 130,
  average: d("102.37"),
  ...o,
});

describe("stopLevel", () => {
  const cases: [string, LevelSpec, "stop_loss" | "take_profit", "BUY" | "SELL", string, string | null][] = [
    // Short at 102.37: stop above, rounded down to the tick (towards the entry).
    ["short stop, points", points("20"), "stop_loss", "SELL", "102.37", "122.35"],
    ["short stop, percent", percent("30"), "stop_loss", "SELL", "102.37", "133.05"], // 133.081 → 133.05
    ["short target, points", points("40"), "take_profit", "SELL", "102.37", "62.40"], // 62.37 → up to 62.40
    ["short target, percent", percent("50"), "take_profit", "SELL", "102.37", "51.20"], // 51.185 → 51.20
    // Long at 80.02: stop below, rounded up; target above, rounded down.
    ["long stop, points", points("15"), "stop_loss", "BUY", "80.02", "65.05"], // 65.02 → 65.05
    ["long stop, percent", percent("25"), "stop_loss", "BUY", "80.02", "60.05"], // 60.015 → 60.05
    ["long target, percent", percent("25"), "take_profit", "BUY", "80.02", "100.00"], // 100.025 → 100.00
    ["an absolute premium is taken as it is", premium("150.5"), "stop_loss", "SELL", "102.37", "150.50"],
    ["a long's stop cannot reach zero", percent("100"), "stop_loss", "BUY", "80", null],
    ["a short's target below zero", points("200"), "take_profit", "SELL", "102.37", null],
    ["a premium on the wrong side of the entry", premium("90"), "stop_loss", "SELL", "102.37", null],
    ["a run-level amount", { kind: "amount", value: d("5000") }, "stop_loss", "SELL", "102.37", null],
  ];
  for (const [name, spec, kind, action, avg, want] of cases)
    it(name, () => {
      const r = stopLevel(spec, kind, action, d(avg), "0.05");
      expect(r.level?.toFixed(2) ?? null).toBe(want);
    });
});

describe("desiredStops", () => {
  it("a short leg gets a BUY SL-M above and a BUY LIMIT below, for what it holds, sliced below the freeze", () => {
    const { orders, warnings } = desiredStops(shortLeg({ held: 1950 }), {
      legIndex: 0,
      stopLoss: points("20"),
      takeProfit: percent("50"),
    });
    expect(warnings).toEqual([]);
    expect(orders.map((o) => [o.kind, o.action, o.priceType, o.level.toFixed(2), o.quantity, o.slices])).toEqual([
      ["stop_loss", "BUY", "SL-M", "122.35", 1950, [1755, 195]],
      ["take_profit", "BUY", "LIMIT", "51.20", 1950, [1755, 195]],
    ]);
  });

  it("nothing for a flat leg, a leg without a rule, or an unknown entry price", () => {
    const rule = { legIndex: 0, stopLoss: points("20") };
    expect(desiredStops(shortLeg({ held: 0 }), rule).orders).toEqual([]);
    expect(desiredStops(shortLeg(), undefined).orders).toEqual([]);
    const unpriced = desiredStops(shortLeg({ average: null }), rule);
    expect(unpriced.orders).toEqual([]);
    expect(unpriced.warnings).toEqual(["leg 1: entry price unknown; no stop placed"]);
  });

  it("covers whole lots only, and says what is left", () => {
    const r = desiredStops(shortLeg({ held: 100 }), { legIndex: 0, stopLoss: points("20") });
    expect(r.orders.map((o) => o.quantity)).toEqual([65]);
    expect(r.warnings).toEqual(["leg 1: 35 unit(s) are not a whole lot; not covered by stops"]);
  });

  it("an unknown or sub-lot freeze quantity leaves one slice", () => {
    const rule = { legIndex: 0, stopLoss: points("20") };
    expect(desiredStops(shortLeg({ held: 3900, freezeQty: null }), rule).orders[0].slices).toEqual([3900]);
    expect(desiredStops(shortLeg({ held: 3900, freezeQty: 1 }), rule).orders[0].slices).toEqual([3900]);
  });

  it("skips a level it cannot place and keeps the other", () => {
    const r = desiredStops(shortLeg(), { legIndex: 0, stopLoss: premium("90"), takeProfit: points("40") });
    expect(r.orders.map((o) => o.kind)).toEqual(["take_profit"]);
    expect(r.warnings).toEqual([
      "leg 1 stop-loss: 90.00 is on the wrong side of the entry price 102.37 for a stop-loss",
    ]);
  });
});

describe("stopsMatch", () => {
  const [sl, tp] = desiredStops(shortLeg({ held: 1950 }), {
    legIndex: 0,
    stopLoss: points("20"),
    takeProfit: points("40"),
  }).orders;
  const live = (kind: LiveStop["kind"], level: string, remaining: number, priceType = "SL-M"): LiveStop => ({
    kind,
    priceType,
    level: d(level),
    remaining,
  });
  it("matches the same kinds, levels and units left (over several slices)", () => {
    expect(
      stopsMatch(
        [sl, tp],
        [
          live("stop_loss", "122.35", 1755),
          live("stop_loss", "122.35", 195),
          live("take_profit", "62.40", 1950, "LIMIT"),
        ],
      ),
    ).toBe(true);
    expect(stopsMatch([], [])).toBe(true);
  });
  it("differs on a level, a quantity, a missing or an extra kind", () => {
    expect(stopsMatch([sl], [live("stop_loss", "122.30", 1950)])).toBe(false);
    expect(stopsMatch([sl], [live("stop_loss", "122.35", 1755)])).toBe(false);
    expect(stopsMatch([sl, tp], [live("stop_loss", "122.35", 1950)])).toBe(false);
    expect(stopsMatch([sl], [live("stop_loss", "122.35", 1950), live("take_profit", "62.40", 1950, "LIMIT")])).toBe(
      false,
    );
    expect(stopsMatch([], [live("stop_loss", "122.35", 1950)])).toBe(false);
    expect(stopsMatch([sl], [live("stop_loss", "122.35", 1950, "SL")])).toBe(false);
  });
});

describe("stopRunPreview", () => {
  it("one planned account, leg 0 the SL-M with its trigger, leg 1 the LIMIT with its price, one phase", () => {
    const leg = shortLeg({ held: 1950 });
    const { orders } = desiredStops(leg, { legIndex: 0, stopLoss: points("20"), takeProfit: points("40") });
    const meta = { protectsRunId: "r1", accountId: "a1", legIndex: 0, generation: 2 };
    const p = stopRunPreview(meta, "acct", leg, orders);
    expect(p.stops).toEqual(meta);
    expect(p.legs.map((l) => [l.legIndex, l.action, l.priceType, l.price?.toFixed(2) ?? null])).toEqual([
      [0, "BUY", "MARKET", null],
      [1, "BUY", "LIMIT", "62.40"],
    ]);
    const a = p.accounts[0];
    if (a.status !== "planned") throw new Error("planned expected");
    expect(
      a.legs.map((l) => [l.legIndex, l.priceType, l.price?.toFixed(2) ?? null, l.triggerPrice?.toFixed(2) ?? null]),
    ).toEqual([
      [0, "SL-M", null, "122.35"],
      [1, "LIMIT", "62.40", null],
    ]);
    expect(a.legs.every((l) => l.phase === 1 && l.product === "NRML")).toBe(true);
    expect(p.totals).toMatchObject({ orders: 4, quantity: 3900, accountsPlanned: 1 });
  });
});
