import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { phaseOf, type OptionLegDefinition, type StrategyDefinition } from "@/lib/trading/strategy";
import { reversedDefinition } from "./invert";

const leg = (action: "BUY" | "SELL", optionType: "CE" | "PE", offset: number): OptionLegDefinition => ({
  underlying: "NIFTY",
  instrument: "options",
  expiry: "current_week",
  action,
  optionType,
  strike: offset === 0 ? { kind: "ATM" } : { kind: "OTM", n: offset },
  lots: 2,
  orderType: { kind: "PROTECTED_LIMIT", bandPercent: new Decimal(1) },
});

// A short iron fly: ATM sells with OTM wings.
const ironFly: StrategyDefinition = {
  product: "MIS",
  sizing: { kind: "grade", gradeId: "B" },
  marketCondition: "auto",
  squareOffAt: "15:05",
  legs: [leg("SELL", "CE", 0), leg("SELL", "PE", 0), leg("BUY", "CE", 4), leg("BUY", "PE", 4)],
};

describe("reversedDefinition", () => {
  it("flips every leg's action and keeps everything else", () => {
    const reversed = reversedDefinition(ironFly);
    expect(reversed.legs.map((l) => l.action)).toEqual(["BUY", "BUY", "SELL", "SELL"]);
    expect(reversed.legs.map((l) => ({ ...l, action: "x" }))).toEqual(ironFly.legs.map((l) => ({ ...l, action: "x" })));
    expect({ ...reversed, legs: [] }).toEqual({ ...ironFly, legs: [] });
  });

  it("leaves the definition it was given alone, and twice is the original", () => {
    const before = JSON.stringify(ironFly);
    const twice = reversedDefinition(reversedDefinition(ironFly));
    expect(JSON.stringify(ironFly)).toBe(before);
    expect(twice).toEqual(ironFly);
  });

  it("the former SELL legs become the hedges the planner sends first", () => {
    const phases = reversedDefinition(ironFly).legs.map((l) => phaseOf(l.action));
    expect(phases).toEqual([1, 1, 2, 2]);
  });
});
