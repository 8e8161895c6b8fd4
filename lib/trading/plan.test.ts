import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { expiriesFor, monthlyExpiriesFor, tradingHolidaySet } from "./calendar";
import { DEFAULT_INSTRUMENT_SETTINGS } from "./instruments";
import { DEFAULT_MARGIN_MODEL } from "./margin-model";
import { intentsForAccountPlan } from "./intents";
import type { AccountInput } from "./plan-account";
import { marketConditionsFor, planRun, runTotals, type RunPlanInput } from "./plan";
import type { MarketSnapshot } from "./resolve-legs";
import type { OptionLegDefinition, StrategyDefinition } from "./strategy";

const D = (v: Decimal.Value) => new Decimal(v);
const h = tradingHolidaySet();

function snapshot(today: string): MarketSnapshot {
  const lists = (u: string) => ({ options: expiriesFor(u, today, 16, h), futures: monthlyExpiriesFor(u, today, 3, h) });
  return {
    spot: { NIFTY: D("25987.15"), SENSEX: D("85020") },
    expiries: { NIFTY: lists("NIFTY"), SENSEX: lists("SENSEX") },
    instruments: DEFAULT_INSTRUMENT_SETTINGS,
  };
}

const sell = (optionType: "CE" | "PE", underlying = "NIFTY"): OptionLegDefinition => ({
  underlying,
  instrument: "options",
  expiry: "current_week",
  action: "SELL",
  optionType,
  strike: { kind: "ATM" },
  lots: 1,
  orderType: { kind: "MARKET" },
});

const straddle = (gradeId: string): StrategyDefinition => ({
  product: "NRML",
  sizing: { kind: "grade", gradeId },
  marketCondition: "auto",
  legs: [sell("CE"), sell("PE")],
});

const acct = (id: string, available: number): AccountInput => ({
  id,
  name: id,
  funds: { availableMargin: D(available), cash: D(available / 2) },
  lotMultiplier: D(1),
  maxLotsPerLeg: null,
});

const input = (over: Partial<RunPlanInput>): RunPlanInput => ({
  strategy: straddle("B"),
  snapshot: snapshot("2026-11-18"),
  today: "2026-11-18",
  accounts: [acct("ravi", 1_000_000)],
  marginModel: DEFAULT_MARGIN_MODEL,
  ...over,
});

describe("planRun", () => {
  it("previews the worked example across accounts, with skips and totals", () => {
    const r = planRun(input({ accounts: [acct("ravi", 1_000_000), acct("priya", 300_000), acct("amit", 5_000_000)] }));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const { preview } = r;
    expect(preview.conditions).toEqual({ NIFTY: "other_days" });
    expect(preview.legs.map((l) => l.symbol)).toEqual(["NIFTY23NOV2626000CE", "NIFTY23NOV2626000PE"]);
    expect(preview.accounts.map((a) => (a.status === "planned" ? a.legs.map((l) => l.quantity) : a.status))).toEqual([[130, 130], "skipped", [650, 650]]);
    const priya = preview.accounts[1];
    expect(priya.status === "skipped" && priya.reason).toMatch(/grade B leaves ₹1,95,000, one lot needs ₹3,20,000/);
    expect(preview.totals).toMatchObject({ accounts: 3, accountsPlanned: 2, accountsSkipped: 1, orders: 4, quantity: 1560 });
    expect(preview.totals.marginNeeded.toNumber()).toBe(640_000 + 3_200_000);
  });

  it("uses the expiry-day rates when auto finds today in the expiry list", () => {
    const today = "2026-11-23"; // NIFTY's holiday-shifted monthly expiry (a Monday)
    const r = planRun(input({ strategy: straddle("A"), snapshot: snapshot(today), today }));
    expect(r.ok && r.preview.conditions).toEqual({ NIFTY: "expiry_day" });
    const a = r.ok ? r.preview.accounts[0] : undefined;
    expect(a?.status === "planned" && a.legs[0].lots).toBe(3); // ₹9,50,000 ÷ ₹2,50,000
  });

  it("fails the whole run on a leg that cannot be resolved", () => {
    const strategy: StrategyDefinition = { ...straddle("B"), legs: [sell("CE"), { ...sell("PE"), expiry: "next_month" }] };
    const r = planRun(input({ strategy, snapshot: { ...snapshot("2026-11-18"), expiries: { NIFTY: { options: ["2026-11-23", "2026-11-24"] } } } }));
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map((e) => [e.legIndex, e.code])).toEqual([[1, "expiry_unavailable"]]);
  });

  it("turns a 4-leg iron condor into hedge-first intents with the wings sized like the shorts", () => {
    const wing = (optionType: "CE" | "PE"): OptionLegDefinition => ({ ...sell(optionType), action: "BUY", strike: { kind: "OTM", n: 4 } });
    const strategy: StrategyDefinition = { ...straddle("A"), legs: [sell("CE"), sell("PE"), wing("CE"), wing("PE")] };
    const r = planRun(input({ strategy, accounts: [acct("big", 40_000_000)] }));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const plan = r.preview.accounts[0];
    if (plan.status !== "planned") throw new Error(plan.reason);
    // ₹3,80,00,000 ÷ ₹3,20,000 = 118 lots = 7,670 units = 4 × 1,755 + 650.
    expect(plan.legs.map((l) => [l.symbol, l.lots, l.slices.length, l.phase])).toEqual([
      ["NIFTY23NOV2626000CE", 118, 5, 2],
      ["NIFTY23NOV2626000PE", 118, 5, 2],
      ["NIFTY23NOV2626200CE", 118, 5, 1],
      ["NIFTY23NOV2625800PE", 118, 5, 1],
    ]);
    const intents = intentsForAccountPlan("run-42", plan);
    expect(intents).toHaveLength(20);
    expect(intents.slice(0, 10).every((i) => i.action === "BUY" && i.phase === 1)).toBe(true);
    expect(intents.slice(10).every((i) => i.action === "SELL" && i.phase === 2)).toBe(true);
    expect(intents.map((i) => i.quantity).slice(0, 5)).toEqual([1755, 1755, 1755, 1755, 650]);
    expect(new Set(intents.map((i) => i.intentId)).size).toBe(20);
    expect(r.preview.totals.orders).toBe(20);
  });

  it("refuses no accounts and an account selected twice", () => {
    expect(planRun(input({ accounts: [] }))).toMatchObject({ ok: false, errors: [{ code: "no_accounts" }] });
    expect(planRun(input({ accounts: [acct("a", 1), acct("a", 2)] }))).toMatchObject({ ok: false, errors: [{ code: "duplicate_account" }] });
  });
});

describe("marketConditionsFor", () => {
  it("judges each underlying by its own expiry list", () => {
    const today = "2026-11-19"; // a SENSEX (Thursday) weekly expiry, not a NIFTY one
    const strategy: StrategyDefinition = { ...straddle("B"), legs: [sell("CE"), sell("PE", "sensex")] };
    expect(marketConditionsFor(strategy, snapshot(today), today)).toEqual({ NIFTY: "other_days", SENSEX: "expiry_day" });
    expect(marketConditionsFor({ ...strategy, marketCondition: "expiry_day" }, snapshot(today), today)).toEqual({ NIFTY: "expiry_day", SENSEX: "expiry_day" });
  });
});

describe("runTotals", () => {
  it("counts slices as orders and ignores skipped accounts", () => {
    const totals = runTotals([
      { status: "skipped", accountId: "x", accountName: "x", reason: "r", warnings: [] },
      {
        status: "planned",
        accountId: "y",
        accountName: "y",
        marginSource: "available",
        marginAvailable: D(0),
        marginNeeded: D(5),
        warnings: [],
        legs: [{ slices: [1755, 1755, 1755, 1235], quantity: 6500 } as never, { slices: [65], quantity: 65 } as never],
      },
    ]);
    expect(totals).toMatchObject({ accounts: 2, accountsPlanned: 1, accountsSkipped: 1, orders: 5, quantity: 6565 });
  });
});
