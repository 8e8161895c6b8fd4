import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { DEFAULT_MARGIN_MODEL, type MarginModel } from "./margin-model";
import { planAccount, type AccountInput, type AccountPlan } from "./plan-account";
import type { ResolvedLeg } from "./resolve-legs";
import type { StrategyDefinition, StrategyLeg } from "./strategy";

const D = (v: Decimal.Value) => new Decimal(v);

type LegSpec = {
  action: "BUY" | "SELL";
  type: "CE" | "PE" | "FUT";
  underlying?: string;
  lots?: number;
  lotSize?: number;
  freezeQty?: number | null;
};

/** Builds resolved legs and the matching strategy legs (lot size 65 / freeze 1755 = NIFTY unless told). */
function setup(
  specs: LegSpec[],
  sizing: StrategyDefinition["sizing"],
): { legs: ResolvedLeg[]; strategy: StrategyDefinition } {
  const legs: ResolvedLeg[] = specs.map((s, legIndex) => {
    const underlying = s.underlying ?? "NIFTY";
    const lotSize = s.lotSize ?? (underlying === "SENSEX" ? 20 : 65);
    const freezeQty = s.freezeQty === undefined ? (underlying === "SENSEX" ? 1000 : 1755) : s.freezeQty;
    return {
      legIndex,
      underlying,
      instrument: s.type === "FUT" ? "futures" : "options",
      action: s.action,
      optionType: s.type === "FUT" ? null : s.type,
      symbol: `${underlying}24NOV26${s.type === "FUT" ? "FUT" : `2600${legIndex}${s.type}`}`,
      exchange: underlying === "SENSEX" ? "BFO" : "NFO",
      expiry: "2026-11-24",
      strike: null,
      lotSize,
      freezeQty,
      sliceLots: freezeQty === null ? null : Math.floor(freezeQty / lotSize),
      priceType: "MARKET",
      price: null,
      referencePrice: null,
      warnings: [],
    };
  });
  const strategyLegs: StrategyLeg[] = specs.map((s) =>
    s.type === "FUT"
      ? {
          underlying: s.underlying ?? "NIFTY",
          instrument: "futures",
          expiry: "current_month",
          action: s.action,
          lots: s.lots ?? 1,
          orderType: { kind: "MARKET" },
        }
      : {
          underlying: s.underlying ?? "NIFTY",
          instrument: "options",
          expiry: "current_week",
          action: s.action,
          optionType: s.type,
          strike: { kind: "ATM" },
          lots: s.lots ?? 1,
          orderType: { kind: "MARKET" },
        },
  );
  return { legs, strategy: { product: "NRML", sizing, marketCondition: "other_days", legs: strategyLegs } };
}

const account = (
  over: Partial<AccountInput> & { available?: Decimal.Value; cash?: Decimal.Value } = {},
): AccountInput => ({
  id: over.id ?? "acc-1",
  name: over.name ?? "Ravi",
  funds: over.funds ?? { availableMargin: D(over.available ?? 1_000_000), cash: D(over.cash ?? 400_000) },
  lotMultiplier: over.lotMultiplier ?? D(1),
  maxLotsPerLeg: over.maxLotsPerLeg === undefined ? null : over.maxLotsPerLeg,
});

function planned(plan: AccountPlan): Extract<AccountPlan, { status: "planned" }> {
  if (plan.status !== "planned") throw new Error(`expected a plan, got skipped: ${plan.reason}`);
  return plan;
}
function skipped(plan: AccountPlan): Extract<AccountPlan, { status: "skipped" }> {
  if (plan.status !== "skipped") throw new Error("expected the account to be skipped");
  return plan;
}

const grade = (gradeId: string): StrategyDefinition["sizing"] => ({ kind: "grade", gradeId });
const FIXED: StrategyDefinition["sizing"] = { kind: "fixed" };
const straddle: LegSpec[] = [
  { action: "SELL", type: "CE" },
  { action: "SELL", type: "PE" },
];
const ironCondor: LegSpec[] = [
  { action: "BUY", type: "CE" },
  { action: "BUY", type: "PE" },
  { action: "SELL", type: "CE" },
  { action: "SELL", type: "PE" },
];

describe("grade sizing", () => {
  it("the documented worked example: ₹10,00,000, grade B → ₹6,50,000; straddle at ₹3,20,000 → 2 lots, 130 qty per SELL leg", () => {
    const { legs, strategy } = setup(straddle, grade("B"));
    const p = planned(
      planAccount(legs, strategy, account({ available: 1_000_000 }), DEFAULT_MARGIN_MODEL, "other_days"),
    );
    expect(p.marginAvailable.toNumber()).toBe(650_000);
    expect(p.marginSource).toBe("available");
    expect(p.legs.map((l) => [l.action, l.lots, l.quantity, l.phase, l.marginKind])).toEqual([
      ["SELL", 2, 130, 2, "pair_sell"],
      ["SELL", 2, 130, 2, "pair_sell"],
    ]);
    // The pair is charged once (2 × ₹3,20,000), split over its two legs.
    expect(p.marginNeeded.toNumber()).toBe(640_000);
    expect(p.legs.map((l) => l.marginNeeded?.toNumber())).toEqual([320_000, 320_000]);
    expect(p.legs[0].marginAvailable?.toNumber()).toBe(650_000);
  });

  it("uses the expiry-day pair rate on expiry day", () => {
    const { legs, strategy } = setup(straddle, grade("A"));
    const acc = account({ available: 1_000_000 }); // A: ₹9,50,000
    expect(planned(planAccount(legs, strategy, acc, DEFAULT_MARGIN_MODEL, "expiry_day")).legs[0].lots).toBe(3); // ÷ 2,50,000
    expect(planned(planAccount(legs, strategy, acc, DEFAULT_MARGIN_MODEL, "other_days")).legs[0].lots).toBe(2); // ÷ 3,20,000
  });

  it("takes the condition per underlying when given a map", () => {
    const { legs, strategy } = setup(
      [
        { action: "SELL", type: "CE" },
        { action: "SELL", type: "PE", underlying: "SENSEX" },
      ],
      grade("A"),
    );
    const p = planned(
      planAccount(legs, strategy, account({ maxLotsPerLeg: 2 }), DEFAULT_MARGIN_MODEL, {
        NIFTY: "expiry_day",
        SENSEX: "other_days",
      }),
    );
    // NIFTY at its expiry-day single rate (2 × 2,05,000), SENSEX at its other-day rate (2 × 2,20,000).
    expect(p.legs.map((l) => [l.lots, l.marginNeeded?.toNumber()])).toEqual([
      [2, 410_000],
      [2, 440_000],
    ]);
  });

  it("gives the BUY wings of an iron condor the lots of their short legs, at no extra margin, in phase 1", () => {
    const { legs, strategy } = setup(ironCondor, grade("B"));
    const p = planned(planAccount(legs, strategy, account(), DEFAULT_MARGIN_MODEL, "other_days"));
    expect(
      p.legs.map((l) => [l.action, l.lots, l.quantity, l.phase, l.marginKind, l.marginNeeded?.toNumber()]),
    ).toEqual([
      ["BUY", 2, 130, 1, "wing", 0],
      ["BUY", 2, 130, 1, "wing", 0],
      ["SELL", 2, 130, 2, "pair_sell", 320_000],
      ["SELL", 2, 130, 2, "pair_sell", 320_000],
    ]);
  });

  it("decrements the remaining margin across legs in order and sizes buyer legs from cash ÷ premium per lot", () => {
    // Grade B: margin budget ₹6,50,000, cash budget 65 % of ₹4,00,000 = ₹2,60,000.
    const { legs, strategy } = setup(
      [
        { action: "SELL", type: "CE" },
        { action: "BUY", type: "CE", underlying: "SENSEX" },
      ],
      grade("B"),
    );
    const p = planned(planAccount(legs, strategy, account(), DEFAULT_MARGIN_MODEL, "other_days"));
    // Single sell: ₹6,50,000 ÷ ₹2,50,000 = 2 lots, ₹1,50,000 left; the buy gets min(₹1,50,000, ₹2,60,000) ÷ ₹20,000 = 7.
    expect(
      p.legs.map((l) => [l.lots, l.marginKind, l.marginAvailable?.toNumber(), l.marginNeeded?.toNumber()]),
    ).toEqual([
      [2, "single_sell", 650_000, 500_000],
      [7, "option_buy", 150_000, 140_000],
    ]);
  });

  it("sizes a cash grade from cash, sharing one pool across legs", () => {
    const { legs, strategy } = setup([{ action: "BUY", type: "CE" }], grade("BUYER"));
    const p = planned(planAccount(legs, strategy, account({ cash: 250_000 }), DEFAULT_MARGIN_MODEL, "other_days"));
    expect(p.marginSource).toBe("cash");
    expect(p.marginAvailable.toNumber()).toBe(125_000);
    expect(p.legs[0].lots).toBe(6); // ₹1,25,000 ÷ ₹20,000
  });

  it("sizes a long straddle once, at two premiums per lot, so both legs get the same lots", () => {
    const { legs, strategy } = setup(
      [
        { action: "BUY", type: "CE" },
        { action: "BUY", type: "PE" },
      ],
      grade("BUYER"),
    );
    const p = planned(planAccount(legs, strategy, account({ cash: 250_000 }), DEFAULT_MARGIN_MODEL, "other_days"));
    expect(p.legs.map((l) => [l.lots, l.phase, l.marginNeeded?.toNumber()])).toEqual([
      [3, 1, 60_000],
      [3, 1, 60_000],
    ]);
  });

  it("sizes futures at the futures rate", () => {
    const { legs, strategy } = setup([{ action: "SELL", type: "FUT" }], grade("A"));
    expect(planned(planAccount(legs, strategy, account(), DEFAULT_MARGIN_MODEL, "other_days")).legs[0]).toMatchObject({
      lots: 4,
      quantity: 260,
      phase: 2,
      marginKind: "futures",
    }); // 9,50,000 ÷ 2,15,000
  });

  it("caps at the account's max lots per leg (wings follow the capped short) with a warning", () => {
    const { legs, strategy } = setup(ironCondor, grade("A"));
    const p = planned(
      planAccount(
        legs,
        strategy,
        account({ available: 5_000_000, maxLotsPerLeg: 5 }),
        DEFAULT_MARGIN_MODEL,
        "other_days",
      ),
    );
    expect(p.legs.map((l) => l.lots)).toEqual([5, 5, 5, 5]);
    expect(p.legs[2].warnings[0]).toMatch(/capped by the account's max 5 lots per leg \(grade A allows 14\)/);
    expect(p.legs[2].marginNeeded?.toNumber()).toBe(800_000); // 5 × 3,20,000 ÷ 2
  });

  it("ignores the lot multiplier (the grade already sizes the account)", () => {
    const { legs, strategy } = setup(straddle, grade("B"));
    expect(
      planned(planAccount(legs, strategy, account({ lotMultiplier: D(3) }), DEFAULT_MARGIN_MODEL, "other_days")).legs[0]
        .lots,
    ).toBe(2);
  });

  it("skips the whole account with a human reason when a leg sizes to zero", () => {
    const { legs, strategy } = setup(ironCondor, grade("C"));
    const s = skipped(planAccount(legs, strategy, account({ available: 500_000 }), DEFAULT_MARGIN_MODEL, "other_days"));
    expect(s.reason).toBe(
      "zero lots — leg 3 (SELL NIFTY24NOV2626002CE) + leg 4 (SELL NIFTY24NOV2626003PE) as a pair: grade C leaves ₹1,80,000, one lot needs ₹3,20,000",
    );
  });

  it("skips when the grade or the underlying's margins are missing, never falling back", () => {
    const { legs, strategy } = setup(straddle, grade("Z"));
    expect(skipped(planAccount(legs, strategy, account(), DEFAULT_MARGIN_MODEL, "other_days")).reason).toBe(
      'quality grade "Z" does not exist',
    );
    const noNifty: MarginModel = { grades: DEFAULT_MARGIN_MODEL.grades, margins: {} };
    expect(
      skipped(planAccount(legs, { ...strategy, sizing: grade("B") }, account(), noNifty, "other_days")).reason,
    ).toBe("no margin requirements are set for NIFTY");
    expect(
      skipped(
        planAccount(legs, { ...strategy, sizing: grade("B") }, account(), DEFAULT_MARGIN_MODEL, {
          SENSEX: "other_days",
        }),
      ).reason,
    ).toBe("no market condition was resolved for NIFTY");
  });

  it("treats negative funds as nothing to size from, and refuses non-numeric funds", () => {
    const { legs, strategy } = setup(straddle, grade("A"));
    expect(
      skipped(planAccount(legs, strategy, account({ available: -10_000 }), DEFAULT_MARGIN_MODEL, "other_days")).reason,
    ).toMatch(/^zero lots — .*leaves ₹0,/);
    const nan = account({ funds: { availableMargin: D(NaN), cash: D(0) } });
    expect(skipped(planAccount(legs, strategy, nan, DEFAULT_MARGIN_MODEL, "other_days")).reason).toBe(
      "funds are unavailable for this account",
    );
  });
});

describe("fixed sizing", () => {
  it.each([
    ["1", 3, 3, []],
    ["0.5", 3, 1, ["3 lot(s) × multiplier 0.5 = 1.5, rounded down to 1"]],
    ["2", 3, 6, []],
    ["1.5", 2, 3, []],
  ] as const)("multiplier %s × %d lots → %d lots", (mult, configured, want, warnings) => {
    const { legs, strategy } = setup([{ action: "BUY", type: "CE", lots: configured }], FIXED);
    const leg = planned(
      planAccount(legs, strategy, account({ lotMultiplier: D(mult) }), DEFAULT_MARGIN_MODEL, "other_days"),
    ).legs[0];
    expect([leg.lots, leg.quantity]).toEqual([want, want * 65]);
    expect(leg.warnings).toEqual(warnings);
  });

  it("skips an account whose multiplier rounds a leg to zero", () => {
    const { legs, strategy } = setup(
      [
        { action: "BUY", type: "CE", lots: 2 },
        { action: "SELL", type: "CE", lots: 1 },
      ],
      FIXED,
    );
    const s = skipped(
      planAccount(legs, strategy, account({ lotMultiplier: D("0.5") }), DEFAULT_MARGIN_MODEL, "other_days"),
    );
    expect(s.reason).toBe(
      "zero lots — leg 2 (SELL NIFTY24NOV2626001CE): 1 lot(s) × multiplier 0.5 rounds down to 0 lots",
    );
    expect(s.warnings).toContain("leg 2 (SELL NIFTY24NOV2626001CE): multiplier rounded to zero");
  });

  it("caps at max lots per leg with a warning", () => {
    const { legs, strategy } = setup([{ action: "BUY", type: "PE", lots: 10 }], FIXED);
    const leg = planned(planAccount(legs, strategy, account({ maxLotsPerLeg: 4 }), DEFAULT_MARGIN_MODEL, "other_days"))
      .legs[0];
    expect(leg.lots).toBe(4);
    expect(leg.warnings).toEqual(["capped by the account's max 4 lots per leg (from 10)"]);
  });

  it("charges a pair the pair rate on its common lots and the single rate on the rest, and warns of a shortfall", () => {
    const { legs, strategy } = setup(
      [
        { action: "SELL", type: "CE", lots: 3 },
        { action: "SELL", type: "PE", lots: 2 },
      ],
      FIXED,
    );
    const p = planned(planAccount(legs, strategy, account({ available: 800_000 }), DEFAULT_MARGIN_MODEL, "other_days"));
    // 2 pair-lots × 3,20,000 + 1 single × 2,50,000 = 8,90,000 > 8,00,000.
    expect(p.legs.map((l) => l.marginNeeded?.toNumber())).toEqual([570_000, 320_000]);
    expect(p.marginNeeded.toNumber()).toBe(890_000);
    expect(p.legs[0].warnings).toEqual(["margin shortfall: needs ₹8,90,000, ₹8,00,000 available"]);
  });

  it("warns when a wing has fewer lots than its short leg", () => {
    const { legs, strategy } = setup(
      [
        { action: "BUY", type: "CE", lots: 1 },
        { action: "SELL", type: "CE", lots: 2 },
      ],
      FIXED,
    );
    const p = planned(planAccount(legs, strategy, account(), DEFAULT_MARGIN_MODEL, "other_days"));
    expect(p.legs[0].warnings).toEqual(["fewer lots than leg 2 (SELL NIFTY24NOV2626001CE): partly unhedged"]);
  });

  it("still plans without a margin table, flagging the legs as unchecked", () => {
    const { legs, strategy } = setup([{ action: "SELL", type: "PE", lots: 1 }], FIXED);
    const leg = planned(planAccount(legs, strategy, account(), { grades: {}, margins: {} }, "other_days")).legs[0];
    expect(leg.marginNeeded).toBeNull();
    expect(leg.warnings).toEqual(["no margin requirements are set for NIFTY: margin not checked"]);
  });

  it("refuses resolved legs that do not belong to the strategy, and an empty leg list", () => {
    const { legs, strategy } = setup(
      [
        { action: "BUY", type: "CE" },
        { action: "SELL", type: "CE" },
      ],
      FIXED,
    );
    expect(
      skipped(
        planAccount(
          legs,
          { ...strategy, legs: strategy.legs.slice(0, 1) },
          account(),
          DEFAULT_MARGIN_MODEL,
          "other_days",
        ),
      ).reason,
    ).toBe("the resolved legs do not belong to this strategy");
    expect(skipped(planAccount([], strategy, account(), DEFAULT_MARGIN_MODEL, "other_days")).reason).toBe(
      "the strategy has no legs to place",
    );
  });

  it("refuses a non-positive multiplier and a zero max", () => {
    const { legs, strategy } = setup([{ action: "BUY", type: "CE" }], FIXED);
    expect(
      skipped(planAccount(legs, strategy, account({ lotMultiplier: D(0) }), DEFAULT_MARGIN_MODEL, "other_days")).reason,
    ).toMatch(/must be greater than zero/);
    expect(
      skipped(planAccount(legs, strategy, account({ maxLotsPerLeg: 0 }), DEFAULT_MARGIN_MODEL, "other_days")).reason,
    ).toBe("max lots per leg is 0");
    expect(
      skipped(planAccount(legs, strategy, account({ maxLotsPerLeg: 2.5 }), DEFAULT_MARGIN_MODEL, "other_days")).status,
    ).toBe("skipped");
  });
});

describe("slicing and phases", () => {
  it.each([
    [1, [65]],
    [27, [1755]],
    [28, [1755, 65]],
    // 100 lots = 6,500 units = 3 × 1,755 + 1,235 (the brief's "1560" would make 105 lots).
    [100, [1755, 1755, 1755, 1235]],
  ])("NIFTY %d lots (lot 65, freeze 1755 ⇒ 27 lots per slice) → %j", (lots, slices) => {
    const { legs, strategy } = setup([{ action: "SELL", type: "CE", lots }], FIXED);
    const leg = planned(
      planAccount(legs, strategy, account({ available: 100_000_000 }), DEFAULT_MARGIN_MODEL, "other_days"),
    ).legs[0];
    expect(leg.slices).toEqual(slices);
    expect(leg.quantity).toBe(lots * 65);
    for (const q of leg.slices) expect(q % 65 === 0 && q <= 1755).toBe(true);
  });

  it("sends an unknown-freeze order as one slice", () => {
    const { legs, strategy } = setup([{ action: "SELL", type: "CE", lots: 40, freezeQty: null }], FIXED);
    expect(
      planned(planAccount(legs, strategy, account({ available: 100_000_000 }), DEFAULT_MARGIN_MODEL, "other_days"))
        .legs[0].slices,
    ).toEqual([2600]);
  });

  it("puts every BUY leg in phase 1 and every SELL leg in phase 2, whatever their order", () => {
    const { legs, strategy } = setup(
      [
        { action: "SELL", type: "CE" },
        { action: "BUY", type: "CE" },
        { action: "SELL", type: "FUT" },
        { action: "BUY", type: "PE" },
      ],
      FIXED,
    );
    const p = planned(planAccount(legs, strategy, account(), DEFAULT_MARGIN_MODEL, "other_days"));
    expect(p.legs.map((l) => [l.legIndex, l.action, l.phase])).toEqual([
      [0, "SELL", 2],
      [1, "BUY", 1],
      [2, "SELL", 2],
      [3, "BUY", 1],
    ]);
    expect(p.legs.every((l) => l.product === "NRML")).toBe(true);
  });
});
