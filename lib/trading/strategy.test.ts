import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { phaseOf, strategyDefinitionSchema, type StrategyDefinition } from "./strategy";

const straddle = {
  product: "NRML",
  sizing: { kind: "grade", gradeId: "B" },
  marketCondition: "auto",
  legs: [
    {
      underlying: "nifty",
      instrument: "options",
      expiry: "current_week",
      action: "SELL",
      optionType: "CE",
      strike: { kind: "ATM" },
      lots: 1,
      orderType: { kind: "PROTECTED_LIMIT", bandPercent: "2" },
    },
    {
      underlying: "NIFTY",
      instrument: "options",
      expiry: "current_week",
      action: "SELL",
      optionType: "PE",
      strike: { kind: "premium_near", targetPremium: 85.5 },
      lots: 1,
      orderType: { kind: "LIMIT", price: "101.05" },
    },
    {
      underlying: "BANKNIFTY",
      instrument: "futures",
      expiry: "current_month",
      action: "BUY",
      lots: 2,
      orderType: { kind: "MARKET" },
    },
  ],
};

describe("strategyDefinitionSchema", () => {
  it("parses a definition into typed values with Decimal prices and upper-case underlyings", () => {
    const s: StrategyDefinition = strategyDefinitionSchema.parse(straddle);
    expect(s.legs[0].underlying).toBe("NIFTY");
    const pe = s.legs[1];
    expect(pe.instrument === "options" && pe.strike.kind === "premium_near" && pe.strike.targetPremium).toBeInstanceOf(
      Decimal,
    );
    expect(pe.orderType.kind === "LIMIT" && pe.orderType.price.toString()).toBe("101.05");
    expect(s.legs[2].instrument).toBe("futures");
  });
  it.each([
    ["zero lots", { lots: 0 }],
    ["fractional lots", { lots: 1.5 }],
    ["too many lots", { lots: 1001 }],
    ["ITM0", { strike: { kind: "ITM", n: 0 } }],
    ["OTM51", { strike: { kind: "OTM", n: 51 } }],
    ["zero limit price", { orderType: { kind: "LIMIT", price: "0" } }],
    ["a band over 20 %", { orderType: { kind: "PROTECTED_LIMIT", bandPercent: 25 } }],
    ["an unknown option type", { optionType: "XX" }],
    ["a bad expiry choice", { expiry: "far_month" }],
  ])("rejects %s", (_label, patch) => {
    const bad = { ...straddle, legs: [{ ...straddle.legs[0], ...patch }] };
    expect(strategyDefinitionSchema.safeParse(bad).success).toBe(false);
  });
  it("says Required for a missing decimal and names the rule for a bad one", () => {
    const messages = (orderType: object) => {
      const r = strategyDefinitionSchema.safeParse({ ...straddle, legs: [{ ...straddle.legs[0], orderType }] });
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(messages({ kind: "PROTECTED_LIMIT" })).toEqual(["legs.0.orderType.bandPercent: Required"]);
    expect(messages({ kind: "LIMIT", price: "-1" })).toEqual(["legs.0.orderType.price: a non-negative decimal"]);
  });
  it("rejects an empty leg list and an unknown product", () => {
    expect(strategyDefinitionSchema.safeParse({ ...straddle, legs: [] }).success).toBe(false);
    expect(strategyDefinitionSchema.safeParse({ ...straddle, product: "CNC" }).success).toBe(false);
  });
});

describe("phaseOf", () => {
  it("puts BUY legs (hedges) in phase 1 and SELL legs in phase 2", () => {
    expect(phaseOf("BUY")).toBe(1);
    expect(phaseOf("SELL")).toBe(2);
  });
});
