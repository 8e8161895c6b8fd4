import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_MARGIN_MODEL,
  DEFAULT_QUALITY_GRADES,
  DEFAULT_UNDERLYING_MARGINS,
  gradeFor,
  marginModelSchema,
  marginPerLot,
  marginsFor,
  qualityGradeSchema,
  underlyingMarginsSchema,
  usableFunds,
  type MarginKind,
  type MarketCondition,
} from "./margin-model";

const rupees = (d: Decimal): number => d.toNumber();

describe("seeded grades", () => {
  it("match the documented grades: A 95 %, B 65 %, C 36 % of available margin, plus a cash buyer grade", () => {
    expect(Object.values(DEFAULT_QUALITY_GRADES).map((g) => [g.id, g.percent.toNumber(), g.source])).toEqual([
      ["A", 95, "available"],
      ["B", 65, "available"],
      ["C", 36, "available"],
      ["BUYER", 50, "cash"],
    ]);
  });
  it("are looked up exactly, never by fallback", () => {
    expect(gradeFor(DEFAULT_MARGIN_MODEL, "B")?.percent.toNumber()).toBe(65);
    expect(gradeFor(DEFAULT_MARGIN_MODEL, "b")).toBeUndefined();
    expect(gradeFor(DEFAULT_MARGIN_MODEL, "toString")).toBeUndefined();
  });
});

describe("seeded per-lot margins", () => {
  const table: [string, MarginKind, MarketCondition, number][] = [
    ["NIFTY", "single_sell", "expiry_day", 205_000],
    ["NIFTY", "single_sell", "other_days", 250_000],
    ["NIFTY", "pair_sell", "expiry_day", 250_000],
    ["NIFTY", "pair_sell", "other_days", 320_000],
    ["NIFTY", "futures", "expiry_day", 215_000],
    ["NIFTY", "futures", "other_days", 215_000],
    ["NIFTY", "option_buy", "other_days", 20_000],
    ["BANKNIFTY", "pair_sell", "other_days", 320_000],
    ["SENSEX", "single_sell", "expiry_day", 180_000],
    ["SENSEX", "single_sell", "other_days", 220_000],
    ["SENSEX", "pair_sell", "expiry_day", 225_000],
    ["SENSEX", "pair_sell", "other_days", 290_000],
    ["SENSEX", "futures", "other_days", 185_000],
    ["SENSEX", "option_buy", "expiry_day", 20_000],
  ];
  for (const [u, kind, cond, want] of table) {
    it(`${u} ${kind} ${cond} = ₹${want}`, () => {
      const m = marginsFor(DEFAULT_MARGIN_MODEL, u);
      expect(m).toBeDefined();
      expect(rupees(marginPerLot(m!, kind, cond))).toBe(want);
    });
  }
  it("FINNIFTY and MIDCPNIFTY default to NIFTY's figures; lookups are case-insensitive; unknown is undefined", () => {
    for (const u of ["FINNIFTY", "MIDCPNIFTY"]) {
      const m = DEFAULT_UNDERLYING_MARGINS[u];
      expect(Object.values(m).map(rupees)).toEqual(Object.values(DEFAULT_UNDERLYING_MARGINS.NIFTY).map(rupees));
    }
    expect(marginsFor(DEFAULT_MARGIN_MODEL, "sensex")).toBe(DEFAULT_UNDERLYING_MARGINS.SENSEX);
    expect(marginsFor(DEFAULT_MARGIN_MODEL, "BANKEX")).toBeUndefined();
  });
});

describe("usableFunds", () => {
  const funds = { availableMargin: new Decimal(1_000_000), cash: new Decimal(400_000) };
  it("is source × grade %: the worked example gives ₹6,50,000", () => {
    expect(rupees(usableFunds(DEFAULT_QUALITY_GRADES.B, funds))).toBe(650_000);
    expect(rupees(usableFunds(DEFAULT_QUALITY_GRADES.A, funds))).toBe(950_000);
    expect(rupees(usableFunds(DEFAULT_QUALITY_GRADES.C, funds))).toBe(360_000);
  });
  it("uses cash for a cash grade", () => {
    expect(rupees(usableFunds(DEFAULT_QUALITY_GRADES.BUYER, funds))).toBe(200_000);
  });
  it("treats a negative source as zero", () => {
    expect(
      rupees(usableFunds(DEFAULT_QUALITY_GRADES.A, { availableMargin: new Decimal(-5), cash: new Decimal(0) })),
    ).toBe(0);
  });
});

describe("schemas", () => {
  it("parse form strings and JSON numbers into Decimals", () => {
    const g = qualityGradeSchema.parse({ id: "scalp-1", label: "Scalp", percent: "12.5", source: "cash" });
    expect(g.percent).toBeInstanceOf(Decimal);
    expect(g.percent.toString()).toBe("12.5");
    const m = underlyingMarginsSchema.parse({
      singleSellExpiryDay: "205000",
      singleSellOtherDays: 250000,
      pairSellExpiryDay: "250000.50",
      pairSellOtherDays: new Decimal(320000),
      futures: 215000,
      optionBuyPremiumPerLot: "20000",
    });
    expect(m.pairSellExpiryDay.toString()).toBe("250000.5");
    expect(m.futures).toBeInstanceOf(Decimal);
  });
  it("reject out-of-range grades and zero, negative or malformed margins", () => {
    for (const percent of [0, -1, 101, "abc", "1e3"]) {
      expect(qualityGradeSchema.safeParse({ id: "X", label: "X", percent, source: "available" }).success).toBe(false);
    }
    expect(qualityGradeSchema.safeParse({ id: "bad id", label: "X", percent: 10, source: "available" }).success).toBe(
      false,
    );
    expect(qualityGradeSchema.safeParse({ id: "X", label: "X", percent: 10, source: "collateral" }).success).toBe(
      false,
    );
    const base = {
      singleSellExpiryDay: 1,
      singleSellOtherDays: 1,
      pairSellExpiryDay: 1,
      pairSellOtherDays: 1,
      futures: 1,
      optionBuyPremiumPerLot: 1,
    };
    expect(underlyingMarginsSchema.safeParse(base).success).toBe(true);
    for (const bad of [0, -1, "1,000", "12.345", Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(underlyingMarginsSchema.safeParse({ ...base, futures: bad }).success).toBe(false);
    }
  });
  it("round-trips the defaults and insists grades are stored under their own ids", () => {
    const plain = {
      grades: Object.fromEntries(
        Object.entries(DEFAULT_QUALITY_GRADES).map(([k, g]) => [k, { ...g, percent: g.percent.toString() }]),
      ),
      margins: Object.fromEntries(
        Object.entries(DEFAULT_UNDERLYING_MARGINS).map(([k, m]) => [
          k,
          Object.fromEntries(Object.entries(m).map(([f, v]) => [f, v.toString()])),
        ]),
      ),
    };
    const parsed = marginModelSchema.parse(plain);
    expect(parsed.grades.B.percent.toNumber()).toBe(65);
    expect(parsed.margins.SENSEX.pairSellOtherDays.toNumber()).toBe(290_000);
    expect(marginModelSchema.safeParse({ ...plain, grades: { Z: plain.grades.A } }).success).toBe(false);
    expect(marginModelSchema.safeParse({ ...plain, margins: { nifty: plain.margins.NIFTY } }).success).toBe(false);
  });
});

describe("underlyingMarginsSchema bounds", () => {
  it("refuses per-lot amounts beyond ₹1,000 crore (the stored precision) with a field error", () => {
    const valid = {
      singleSellExpiryDay: "1",
      singleSellOtherDays: "1",
      pairSellExpiryDay: "1",
      pairSellOtherDays: "1",
      futures: "1",
      optionBuyPremiumPerLot: "1",
    };
    expect(underlyingMarginsSchema.safeParse({ ...valid, futures: "10000000000" }).success).toBe(true);
    for (const futures of [9_223_372_036_854_776_000, "10000000000.01", 1e308]) {
      const r = underlyingMarginsSchema.safeParse({ ...valid, futures });
      expect(r.error?.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toEqual([
        "futures: must be at most ₹1,000 crore",
      ]);
    }
  });
});
