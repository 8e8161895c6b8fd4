import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { tradingHolidaySet } from "./calendar";
import { DEFAULT_INSTRUMENT_SETTINGS, expiriesFor, monthlyExpiriesFor } from "./instruments";
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
    expect(preview.conditions).toEqual({ "NIFTY 2026-11-23": "other_days" });
    expect(preview.legs.map((l) => l.symbol)).toEqual(["NIFTY23NOV2626000CE", "NIFTY23NOV2626000PE"]);
    expect(preview.accounts.map((a) => (a.status === "planned" ? a.legs.map((l) => l.quantity) : a.status))).toEqual([
      [130, 130],
      "skipped",
      [650, 650],
    ]);
    const priya = preview.accounts[1];
    expect(priya.status === "skipped" && priya.reason).toMatch(/grade B leaves ₹1,95,000, one lot needs ₹3,20,000/);
    expect(preview.totals).toMatchObject({
      accounts: 3,
      accountsPlanned: 2,
      accountsSkipped: 1,
      orders: 4,
      quantity: 1560,
    });
    expect(preview.totals.marginNeeded.toNumber()).toBe(640_000 + 3_200_000);
  });

  it("uses the expiry-day rates when auto finds the contract expiring today", () => {
    const today = "2026-11-23"; // NIFTY's holiday-shifted monthly expiry (a Monday)
    const r = planRun(input({ strategy: straddle("A"), snapshot: snapshot(today), today }));
    expect(r.ok && r.preview.conditions).toEqual({ "NIFTY 2026-11-23": "expiry_day" });
    const a = r.ok ? r.preview.accounts[0] : undefined;
    expect(a?.status === "planned" && a.legs[0].lots).toBe(3); // ₹9,50,000 ÷ ₹2,50,000
  });

  it("fails the whole run on a leg that cannot be resolved", () => {
    const strategy: StrategyDefinition = {
      ...straddle("B"),
      legs: [sell("CE"), { ...sell("PE"), expiry: "next_month" }],
    };
    const r = planRun(
      input({
        strategy,
        snapshot: { ...snapshot("2026-11-18"), expiries: { NIFTY: { options: ["2026-11-23", "2026-11-24"] } } },
      }),
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors.map((e) => [e.legIndex, e.code])).toEqual([[1, "expiry_unavailable"]]);
  });

  it("turns a 4-leg iron condor into hedge-first intents with the wings sized like the shorts", () => {
    const wing = (optionType: "CE" | "PE"): OptionLegDefinition => ({
      ...sell(optionType),
      action: "BUY",
      strike: { kind: "OTM", n: 4 },
    });
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
    expect(planRun(input({ accounts: [acct("a", 1), acct("a", 2)] }))).toMatchObject({
      ok: false,
      errors: [{ code: "duplicate_account" }],
    });
  });
});

describe("market condition per contract", () => {
  // The documented figures (docs/trading-facts.md "Margin and lot sizing"): ₹13,00,000 at grade B (65 %) = ₹8,45,000 →
  // a NIFTY short straddle is 2 lots at the other-day ₹3,20,000 per pair, 3 lots at the expiry-day ₹2,50,000.
  // 2026-11-17 is a NIFTY weekly expiry Tuesday; the November monthly is 2026-11-23 and December's 2026-12-29.
  const today = "2026-11-17";
  const at = (expiry: OptionLegDefinition["expiry"]): OptionLegDefinition[] => [
    { ...sell("CE"), expiry },
    { ...sell("PE"), expiry },
  ];
  it.each([
    ["auto", "current_week", "NIFTY 2026-11-17", "expiry_day", 3],
    ["auto", "current_month", "NIFTY 2026-11-23", "other_days", 2],
    ["auto", "next_month", "NIFTY 2026-12-29", "other_days", 2],
    ["expiry_day", "next_month", "NIFTY 2026-12-29", "expiry_day", 3],
    ["other_days", "current_week", "NIFTY 2026-11-17", "other_days", 2],
  ] as const)("%s, a %s straddle (%s) → %s, %i lots", (mode, expiry, contract, condition, lots) => {
    const strategy: StrategyDefinition = { ...straddle("B"), marketCondition: mode, legs: at(expiry) };
    const r = planRun(input({ strategy, snapshot: snapshot(today), today, accounts: [acct("ravi", 1_300_000)] }));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.preview.conditions).toEqual({ [contract]: condition });
    const plan = r.preview.accounts[0];
    expect(plan.status === "planned" && plan.legs.map((l) => l.lots)).toEqual([lots, lots]);
  });

  it("judges each contract by its own expiry, not by whether today is some expiry of its underlying", () => {
    const day = "2026-11-19"; // a SENSEX (Thursday) weekly expiry, not a NIFTY one
    const sensex = (optionType: "CE" | "PE"): OptionLegDefinition => ({ ...sell(optionType, "SENSEX") });
    const strategy: StrategyDefinition = {
      ...straddle("B"),
      legs: [sell("CE"), { ...sensex("PE"), expiry: "next_week" }, sensex("CE")],
    };
    const r = planRun(input({ strategy, snapshot: snapshot(day), today: day }));
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.preview.conditions).toEqual({
      "NIFTY 2026-11-23": "other_days",
      "SENSEX 2026-11-26": "other_days",
      "SENSEX 2026-11-19": "expiry_day",
    });
    expect(marketConditionsFor("expiry_day", r.preview.legs, day)).toEqual({
      "NIFTY 2026-11-23": "expiry_day",
      "SENSEX 2026-11-26": "expiry_day",
      "SENSEX 2026-11-19": "expiry_day",
    });
  });
});

describe("adjustments: planRun with legIndexes", () => {
  const wing = (optionType: "CE" | "PE", n = 4): OptionLegDefinition => ({
    ...sell(optionType),
    action: "BUY",
    strike: { kind: "OTM", n },
  });
  // Legs 0–1: the existing NIFTY short straddle; 2–3: its wings added later; 4: a new SENSEX short; 5: a BUY with
  // no short of its type on its underlying.
  const strategy: StrategyDefinition = {
    ...straddle("B"),
    legs: [
      sell("CE"),
      sell("PE"),
      wing("CE"),
      wing("PE"),
      { ...sell("CE", "SENSEX"), orderType: { kind: "PROTECTED_LIMIT", bandPercent: D(2) } },
      { ...wing("CE"), underlying: "SENSEX", optionType: "PE" },
    ],
  };
  // ₹10,00,000 at grade B = ₹6,50,000: the straddle is 2 pair-lots at ₹3,20,000 (other days, 2026-11-18).
  it.each([
    ["an added CE wing takes its short's lots", [2], [[2, "BUY", 2, "wing"]]],
    [
      "both wings follow their shorts",
      [2, 3],
      [
        [2, "BUY", 2, "wing"],
        [3, "BUY", 2, "wing"],
      ],
    ],
    // The existing straddle spends nothing: a new short is sized from the whole budget (₹6,50,000 ÷ ₹2,20,000).
    ["a new short is sized from the whole budget", [4], [[4, "SELL", 2, "single_sell"]]],
    // A SENSEX PE BUY with no SENSEX PE short is a plain buy: cash ₹5,00,000 × 65 % ÷ ₹20,000 per lot.
    ["a BUY without a short stays a plain buy", [5], [[5, "BUY", 16, "option_buy"]]],
  ] as const)("%s", (_label, legIndexes, want) => {
    const r = planRun(
      input({
        strategy,
        legIndexes,
        snapshot: { ...snapshot("2026-11-18"), quotes: { SENSEX19NOV2685000CE: D(300) } },
      }),
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    expect(r.preview.legs.map((l) => l.legIndex)).toEqual(legIndexes);
    const plan = r.preview.accounts[0];
    if (plan.status !== "planned") throw new Error(plan.reason);
    expect(plan.legs.map((l) => [l.legIndex, l.action, l.lots, l.marginKind])).toEqual(want);
  });

  it("needs no quote for the context legs, and refuses an unknown leg", () => {
    // Leg 4 is a protected limit without a quote: fine while it is context, an error once it is placed.
    expect(planRun(input({ strategy, legIndexes: [2] })).ok).toBe(true);
    expect(planRun(input({ strategy, legIndexes: [4] }))).toMatchObject({
      ok: false,
      errors: [{ legIndex: 4, code: "missing_reference_price" }],
    });
    expect(planRun(input({ strategy, legIndexes: [9] }))).toMatchObject({
      ok: false,
      errors: [{ code: "unknown_leg" }],
    });
  });

  it("skips an account whose existing short now sizes to zero, naming that short", () => {
    const r = planRun(input({ strategy, legIndexes: [2], accounts: [acct("small", 400_000)] }));
    const plan = r.ok ? r.preview.accounts[0] : undefined;
    expect(plan?.status === "skipped" && plan.reason).toMatch(
      /^zero lots — leg 1 \(SELL NIFTY23NOV2626000CE\) \+ leg 2 \(SELL NIFTY23NOV2626000PE\) as a pair/,
    );
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
