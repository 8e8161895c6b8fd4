import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { DEFAULT_MARGIN_MODEL } from "./margin-model";
import type { AccountInput } from "./plan-account";
import { fundsVerdict, strategyNeed, type StrategyNeed } from "./readiness-funds";
import { legOfSymbol } from "./resolve-legs";
import type { StrategyDefinition, StrategyLeg } from "./strategy";

const d = (v: Decimal.Value) => new Decimal(v);
const option = (action: "BUY" | "SELL", optionType: "CE" | "PE", lots = 1): StrategyLeg => ({
  underlying: "NIFTY",
  instrument: "options",
  expiry: "current_week",
  action,
  optionType,
  strike: { kind: "ATM" },
  lots,
  orderType: { kind: "MARKET" },
});
/** A NIFTY short straddle (sized once as a pair: ₹3,20,000 per lot on other days). */
const straddle = (sizing: StrategyDefinition["sizing"], lots = 1): StrategyDefinition => ({
  product: "NRML",
  sizing,
  marketCondition: "other_days",
  legs: [option("SELL", "CE", lots), option("SELL", "PE", lots)],
});
const legs = ["NIFTY08DEC2626000CE", "NIFTY08DEC2626000PE"].map((symbol, legIndex) =>
  legOfSymbol({ legIndex, symbol, exchange: "NFO", action: "SELL", lotSize: 65, freezeQty: 1800 }),
);
const account = (availableMargin: Decimal.Value, multiplier = 1): AccountInput => ({
  id: "a",
  name: "acct",
  funds: { availableMargin: d(availableMargin), cash: d(availableMargin) },
  lotMultiplier: d(multiplier),
  maxLotsPerLeg: null,
});
const need = (strategy: StrategyDefinition, a = account(1_000_000)) =>
  strategyNeed({
    name: "Straddle",
    strategy,
    legs,
    conditions: "other_days",
    account: a,
    marginModel: DEFAULT_MARGIN_MODEL,
  });

describe("a strategy's need in an account", () => {
  it("fixed lots: the planned entry's margin, scaled by the account's multiplier", () => {
    expect(need(straddle({ kind: "fixed" }))).toEqual({
      name: "Straddle",
      need: d(320_000),
      source: "available",
      note: null,
    });
    expect(need(straddle({ kind: "fixed" }, 2), account(1_000_000, 1.5)).need).toEqual(d(960_000));
  });

  it("a grade: the funds at which the grade sizes one lot (₹3,20,000 ÷ 65 % for grade B)", () => {
    const n = need(straddle({ kind: "grade", gradeId: "B" }));
    expect(n.need).toEqual(d(492_308));
    expect(n.source).toBe("available");
    expect(n.note).toContain("grade B (65 %)");
  });

  it("no estimate when the plan cannot be made (a multiplier rounding to zero lots, an unknown grade)", () => {
    expect(need(straddle({ kind: "fixed" }), account(1_000_000, 0.5))).toMatchObject({ need: null });
    expect(need(straddle({ kind: "grade", gradeId: "NOPE" }))).toMatchObject({
      need: null,
      note: "grade NOPE does not exist",
    });
  });
});

describe("the funds verdict", () => {
  const funds = (available: Decimal.Value, cash: Decimal.Value = available) => ({
    availableMargin: d(available),
    cash: d(cash),
  });
  const n = (
    name: string,
    amount: Decimal.Value | null,
    source: StrategyNeed["source"] = "available",
  ): StrategyNeed => ({
    name,
    need: amount === null ? null : d(amount),
    source,
    note: amount === null ? "zero lots" : null,
  });

  it("green with headroom, listing what each strategy needs", () => {
    const v = fundsVerdict(funds(2_000_000), [n("Straddle", 320_000), n("Condor", 180_000)]);
    expect(v).toEqual({
      check: "funds",
      status: "GREEN",
      detail: "Margin ₹20,00,000 available; strategies need ₹5,00,000 (Straddle ₹3,20,000, Condor ₹1,80,000)",
      fix: null,
    });
  });

  it("red when short, with the amount to add", () => {
    const v = fundsVerdict(funds(100_000), [n("Straddle", 320_000)]);
    expect(v.status).toBe("RED");
    expect(v.fix).toBe(
      "Add at least ₹2,20,000 more margin to the account before the open, or lower the strategies' lots.",
    );
  });

  it("amber below 10 % headroom (exactly 10 % is enough)", () => {
    expect(fundsVerdict(funds(351_999), [n("Straddle", 320_000)]).status).toBe("AMBER");
    expect(fundsVerdict(funds(352_000), [n("Straddle", 320_000)]).status).toBe("GREEN");
  });

  it("measures cash-sourced needs against cash, and says which strategies could not be estimated", () => {
    expect(fundsVerdict(funds(1_000_000, 10_000), [n("Buyer", 40_000, "cash")]).status).toBe("RED");
    const v = fundsVerdict(funds(1_000_000), [n("Straddle", 320_000), n("Odd", null)]);
    expect(v.status).toBe("AMBER");
    expect(v.detail).toContain("not estimated: Odd: zero lots");
  });

  it("green with no armed strategy in the account", () => {
    expect(fundsVerdict(funds(0), []).status).toBe("GREEN");
  });
});
