import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { premiumNearStrike, premiumTolerancePercent, type PremiumNearInput } from "./premium-near";
import { optionSymbol } from "./symbols";

const D = (v: Decimal.Value) => new Decimal(v);
const EXP = "2026-11-24";

function quotes(type: "CE" | "PE", byStrike: Record<number, Decimal.Value>): Record<string, Decimal> {
  return Object.fromEntries(
    Object.entries(byStrike).map(([k, v]) => [optionSymbol("NIFTY", EXP, Number(k), type), D(v)]),
  );
}

const base = (over: Partial<PremiumNearInput>): PremiumNearInput => ({
  underlying: "NIFTY",
  expiry: EXP,
  optionType: "CE",
  atm: D(26000),
  step: D(50),
  width: 20,
  target: D(50),
  quotes: {},
  ...over,
});

describe("premiumNearStrike", () => {
  it("picks the strike whose premium is nearest the target", () => {
    const q = quotes("CE", { 26000: 180, 26100: 120, 26200: 71, 26300: 48, 26400: 30 });
    const r = premiumNearStrike(base({ quotes: q }));
    expect(r).toMatchObject({ ok: true, warning: null });
    if (r.ok) expect([r.strike.toNumber(), r.premium.toNumber()]).toEqual([26300, 48]);
  });
  it("searches PE strikes below ATM too", () => {
    const q = quotes("PE", { 26000: 150, 25800: 90, 25600: 52.5, 25500: 40 });
    const r = premiumNearStrike(base({ optionType: "PE", quotes: q }));
    expect(r.ok && r.strike.toNumber()).toBe(25600);
  });
  it("breaks a tie in favour of the premium below the target", () => {
    const q = quotes("CE", { 26200: 55, 26250: 45 });
    const r = premiumNearStrike(base({ quotes: q }));
    expect(r.ok && r.strike.toNumber()).toBe(26250);
    const reversed = quotes("PE", { 25800: 45, 25750: 55 });
    const r2 = premiumNearStrike(base({ optionType: "PE", quotes: reversed }));
    expect(r2.ok && r2.strike.toNumber()).toBe(25800);
  });
  it("ignores zero, negative and non-finite quotes and strikes outside the search width", () => {
    const q = quotes("CE", { 26100: 0, 26150: -3, 26200: NaN, 26250: 70, 27100: 50 });
    const r = premiumNearStrike(base({ quotes: q }));
    expect(r.ok && r.strike.toNumber()).toBe(26250);
  });
  it("fails instead of silently falling back to ATM when nothing is quoted", () => {
    expect(premiumNearStrike(base({ quotes: quotes("CE", { 26100: 0 }) }))).toMatchObject({ ok: false });
    expect(premiumNearStrike(base({ quotes: quotes("PE", { 26100: 50 }) }))).toMatchObject({ ok: false });
  });
  it("warns when the best premium is far from the target", () => {
    const r = premiumNearStrike(base({ quotes: quotes("CE", { 26000: 80 }) }));
    expect(r.ok && r.warning).toMatch(/60\.0 % away from the target ₹50\.00/);
    const near = premiumNearStrike(base({ target: D(200), quotes: quotes("CE", { 26000: 215 }) }));
    expect(near.ok && near.warning).toBeNull();
  });
  it("has wider tolerances for cheap targets", () => {
    expect([D(30), D(50), D(100), D(101)].map((t) => premiumTolerancePercent(t).toNumber())).toEqual([20, 15, 15, 10]);
  });
});
