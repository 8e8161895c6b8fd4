import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { tradingHolidaySet } from "./calendar";
import { DEFAULT_INSTRUMENT_SETTINGS, expiriesFor, monthlyExpiriesFor } from "./instruments";
import { resolveLegs, type MarketSnapshot } from "./resolve-legs";
import type { OptionLegDefinition, StrategyLeg } from "./strategy";

const D = (v: Decimal.Value) => new Decimal(v);
const TODAY = "2026-11-18"; // a Wednesday; NIFTY's next expiry is the holiday-shifted monthly 2026-11-23
const h = tradingHolidaySet();

function snapshot(over: Partial<MarketSnapshot> = {}): MarketSnapshot {
  const lists = (u: string) => ({ options: expiriesFor(u, TODAY, 16, h), futures: monthlyExpiriesFor(u, TODAY, 3, h) });
  return {
    spot: { NIFTY: D("26012.4"), SENSEX: D("85437"), BANKNIFTY: D("59049.99") },
    expiries: { NIFTY: lists("NIFTY"), SENSEX: lists("SENSEX"), BANKNIFTY: lists("BANKNIFTY") },
    instruments: DEFAULT_INSTRUMENT_SETTINGS,
    ...over,
  };
}

const opt = (over: Partial<OptionLegDefinition> = {}): OptionLegDefinition => ({
  underlying: "NIFTY",
  instrument: "options",
  expiry: "current_week",
  action: "SELL",
  optionType: "CE",
  strike: { kind: "ATM" },
  lots: 1,
  orderType: { kind: "MARKET" },
  ...over,
});

function one(leg: StrategyLeg, snap: MarketSnapshot = snapshot()) {
  const r = resolveLegs({ legs: [leg] }, snap, TODAY);
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.legs[0];
}

function errorsOf(legs: StrategyLeg[], snap: MarketSnapshot = snapshot()) {
  const r = resolveLegs({ legs }, snap, TODAY);
  if (r.ok) throw new Error("expected errors");
  return r.errors;
}

describe("strike selection", () => {
  it.each([
    ["NIFTY", "CE", { kind: "ATM" }, 26000],
    ["NIFTY", "CE", { kind: "ITM", n: 2 }, 25900],
    ["NIFTY", "CE", { kind: "OTM", n: 3 }, 26150],
    ["NIFTY", "PE", { kind: "ATM" }, 26000],
    ["NIFTY", "PE", { kind: "ITM", n: 2 }, 26100],
    ["NIFTY", "PE", { kind: "OTM", n: 3 }, 25850],
    ["SENSEX", "CE", { kind: "OTM", n: 1 }, 85500],
    ["SENSEX", "PE", { kind: "ITM", n: 1 }, 85500],
    ["SENSEX", "PE", { kind: "OTM", n: 4 }, 85000],
    ["BANKNIFTY", "CE", { kind: "ITM", n: 1 }, 58900],
  ] as const)("%s %s %j → %d", (underlying, optionType, strike, want) => {
    const leg = one(
      opt({ underlying, optionType, strike, expiry: underlying === "BANKNIFTY" ? "current_month" : "current_week" }),
    );
    expect(leg.strike?.toNumber()).toBe(want);
  });

  it("accepts an exact strike on the grid and refuses one off it", () => {
    expect(one(opt({ strike: { kind: "exact", strike: D(24550) } })).symbol).toBe("NIFTY23NOV2624550CE");
    expect(errorsOf([opt({ strike: { kind: "exact", strike: D(24560) } })])[0]).toMatchObject({
      legIndex: 0,
      code: "invalid_strike",
    });
  });

  it("refuses an offset that lands at or below zero", () => {
    const snap = snapshot({ spot: { NIFTY: D(100) } });
    expect(errorsOf([opt({ optionType: "CE", strike: { kind: "ITM", n: 3 } })], snap)[0].code).toBe("invalid_strike");
  });

  it("selects premium-near from the option-chain quotes", () => {
    const quotes = { NIFTY23NOV2626200CE: D(62), NIFTY23NOV2626250CE: D(49.5), NIFTY23NOV2626300CE: D(38) };
    const leg = one(opt({ strike: { kind: "premium_near", targetPremium: D(50) } }), snapshot({ quotes }));
    expect(leg.symbol).toBe("NIFTY23NOV2626250CE");
    expect(leg.referencePrice?.toNumber()).toBe(49.5);
    expect(errorsOf([opt({ strike: { kind: "premium_near", targetPremium: D(50) } })])[0].code).toBe(
      "no_premium_quotes",
    );
  });

  it("needs a positive spot for ATM-relative strikes (never a zero price)", () => {
    expect(errorsOf([opt()], snapshot({ spot: {} }))[0].code).toBe("missing_spot");
    expect(errorsOf([opt()], snapshot({ spot: { NIFTY: D(0) } }))[0].code).toBe("missing_spot");
  });
});

describe("contract details", () => {
  it("resolves symbol, exchange, expiry, lot size, freeze and slice size", () => {
    const n = one(opt());
    expect(n).toMatchObject({
      legIndex: 0,
      underlying: "NIFTY",
      symbol: "NIFTY23NOV2626000CE",
      exchange: "NFO",
      expiry: "2026-11-23",
      lotSize: 65,
      freezeQty: 1800,
      sliceLots: 27,
      optionType: "CE",
      instrument: "options",
      warnings: [],
    });
    const s = one(opt({ underlying: "sensex", optionType: "PE", expiry: "next_week" }));
    expect(s).toMatchObject({
      symbol: "SENSEX26NOV2685400PE",
      exchange: "BFO",
      expiry: "2026-11-26",
      lotSize: 20,
      freezeQty: 1000,
      sliceLots: 50,
    });
  });

  it("resolves futures from the monthly list and refuses weekly choices for them", () => {
    const f = one({
      underlying: "NIFTY",
      instrument: "futures",
      expiry: "next_month",
      action: "BUY",
      lots: 1,
      orderType: { kind: "MARKET" },
    });
    expect(f).toMatchObject({ symbol: "NIFTY29DEC26FUT", expiry: "2026-12-29", strike: null, optionType: null });
    const e = errorsOf([
      {
        underlying: "NIFTY",
        instrument: "futures",
        expiry: "next_week",
        action: "BUY",
        lots: 1,
        orderType: { kind: "MARKET" },
      },
    ]);
    expect(e[0].code).toBe("expiry_unavailable");
  });

  it("refuses weekly choices on a monthly-only underlying", () => {
    expect(errorsOf([opt({ underlying: "BANKNIFTY", expiry: "next_week" })])[0]).toMatchObject({
      code: "expiry_unavailable",
    });
  });

  it("takes the lot size of the contract's month (a revision applies from next month)", () => {
    const instruments = {
      ...DEFAULT_INSTRUMENT_SETTINGS,
      NIFTY: { ...DEFAULT_INSTRUMENT_SETTINGS.NIFTY, lotSize: 75, nextMonthLotSize: 65 },
    };
    expect(one(opt({ expiry: "current_month" }), snapshot({ instruments })).lotSize).toBe(75);
    expect(one(opt({ expiry: "next_month" }), snapshot({ instruments })).lotSize).toBe(65);
  });

  // After November's monthly (2026-11-23) the December series is current although it is still November.
  it.each([
    ["2026-11-18", "current_week", "2026-11-23", 75],
    ["2026-11-18", "next_week", "2026-12-01", 65],
    ["2026-11-25", "current_week", "2026-12-01", 75],
    ["2026-11-25", "current_month", "2026-12-29", 75],
    ["2026-11-25", "next_month", "2027-01-25", 65],
  ] as const)(
    "on %s a %s contract (%s) has lot size %i under a pending 75 → 65 revision",
    (today, expiry, date, lotSize) => {
      const instruments = {
        ...DEFAULT_INSTRUMENT_SETTINGS,
        NIFTY: { ...DEFAULT_INSTRUMENT_SETTINGS.NIFTY, lotSize: 75, nextMonthLotSize: 65 },
      };
      const r = resolveLegs({ legs: [opt({ expiry })] }, snapshot({ instruments, holidays: h }), today);
      expect(r.ok && [r.legs[0].expiry, r.legs[0].lotSize]).toEqual([date, lotSize]);
    },
  );

  it("lets a valid broker lot size win, treats freeze 1 as unknown and ignores invalid values", () => {
    const sym = "NIFTY23NOV2626000CE";
    const override = one(opt(), snapshot({ symbolInfo: { [sym]: { lotSize: 75, freezeQty: 1800 } } }));
    expect(override).toMatchObject({
      lotSize: 75,
      freezeQty: 1800,
      sliceLots: 24,
      freezeSources: { broker: 1800, settings: 1800 },
    });
    expect(override.warnings).toEqual(["broker lot size 75 differs from the settings' 65; using the broker's"]);
    expect(one(opt(), snapshot({ symbolInfo: { [sym]: { lotSize: 65, freezeQty: 1 } } }))).toMatchObject({
      lotSize: 65,
      freezeQty: 1800,
      sliceLots: 27,
      warnings: [],
    });
    expect(one(opt(), snapshot({ symbolInfo: { [sym]: { lotSize: 0, freezeQty: 30 } } }))).toMatchObject({
      lotSize: 65,
      freezeQty: 1800,
    });
    expect(one(opt(), snapshot({ symbolInfo: { [sym]: { lotSize: 1.5, freezeQty: null } } }))).toMatchObject({
      lotSize: 65,
      freezeQty: 1800,
    });
  });

  it("slices at the smaller of the broker's and the settings' freeze quantity, showing both", () => {
    const sym = "NIFTY23NOV2626000CE";
    // An admin lowered NIFTY's freeze to 650 while the broker still reports 1,800: the admin's value applies.
    const lowered = { ...DEFAULT_INSTRUMENT_SETTINGS, NIFTY: { ...DEFAULT_INSTRUMENT_SETTINGS.NIFTY, freezeQty: 650 } };
    const admin = one(
      opt(),
      snapshot({ instruments: lowered, symbolInfo: { [sym]: { lotSize: 65, freezeQty: 1800 } } }),
    );
    expect(admin).toMatchObject({ freezeQty: 650, sliceLots: 10, freezeSources: { broker: 1800, settings: 650 } });
    expect(admin.warnings).toEqual(["freeze quantity: broker 1800, settings 650; the smaller (650) applies"]);
    // The broker already knows a revision the settings do not: the broker's smaller value applies.
    const broker = one(opt(), snapshot({ symbolInfo: { [sym]: { lotSize: 65, freezeQty: 1300 } } }));
    expect(broker).toMatchObject({ freezeQty: 1300, sliceLots: 20, freezeSources: { broker: 1300, settings: 1800 } });
  });

  it("leaves orders unsliced, with a warning, when no freeze quantity is known", () => {
    const instruments = {
      ...DEFAULT_INSTRUMENT_SETTINGS,
      NIFTY: { ...DEFAULT_INSTRUMENT_SETTINGS.NIFTY, freezeQty: 1 },
    };
    const leg = one(opt(), snapshot({ instruments }));
    expect([leg.freezeQty, leg.sliceLots]).toEqual([null, null]);
    expect(leg.warnings.join()).toMatch(/unknown: orders will not be sliced/);
  });

  it("refuses a seeded freeze quantity below one lot", () => {
    const instruments = {
      ...DEFAULT_INSTRUMENT_SETTINGS,
      NIFTY: { ...DEFAULT_INSTRUMENT_SETTINGS.NIFTY, freezeQty: 50 },
    };
    expect(errorsOf([opt()], snapshot({ instruments }))[0].code).toBe("freeze_below_lot");
  });
});

describe("order prices", () => {
  const sym = "NIFTY23NOV2626000CE";
  it("computes protected limits from the contract's LTP: BUY up, SELL down, to the tick", () => {
    const quotes = { [sym]: D("101.3") };
    const buy = one(
      opt({ action: "BUY", orderType: { kind: "PROTECTED_LIMIT", bandPercent: D(1) } }),
      snapshot({ quotes }),
    );
    expect([buy.priceType, buy.price?.toString(), buy.referencePrice?.toString()]).toEqual([
      "LIMIT",
      "102.35",
      "101.3",
    ]);
    const sell = one(
      opt({ action: "SELL", orderType: { kind: "PROTECTED_LIMIT", bandPercent: D(1) } }),
      snapshot({ quotes }),
    );
    expect(sell.price?.toString()).toBe("100.25");
  });
  it("refuses a protected limit without a positive quote", () => {
    expect(errorsOf([opt({ orderType: { kind: "PROTECTED_LIMIT", bandPercent: D(2) } })])[0].code).toBe(
      "missing_reference_price",
    );
    expect(
      errorsOf(
        [opt({ orderType: { kind: "PROTECTED_LIMIT", bandPercent: D(2) } })],
        snapshot({ quotes: { [sym]: D(0) } }),
      )[0].code,
    ).toBe("missing_reference_price");
  });
  it("keeps explicit limits on the tick grid and MARKET unpriced", () => {
    expect(one(opt({ orderType: { kind: "LIMIT", price: D("99.95") } }))).toMatchObject({ priceType: "LIMIT" });
    expect(errorsOf([opt({ orderType: { kind: "LIMIT", price: D("99.97") } })])[0].code).toBe("limit_price_off_tick");
    expect(one(opt())).toMatchObject({ priceType: "MARKET", price: null, referencePrice: null });
  });
});

describe("resolveLegs", () => {
  it("reports every failing leg at once, numbered for humans", () => {
    const errors = errorsOf([
      opt(),
      opt({ underlying: "BANKEX" }),
      opt({ underlying: "FINNIFTY" }),
      opt({ orderType: { kind: "LIMIT", price: D("1.01") } }),
    ]);
    expect(errors.map((e) => [e.legIndex, e.code])).toEqual([
      [1, "unknown_underlying"],
      [2, "missing_expiries"],
      [3, "limit_price_off_tick"],
    ]);
    expect(errors[0].message).toMatch(/^leg 2: /);
  });
  it("keeps leg indices of the definition on the resolved legs", () => {
    const r = resolveLegs({ legs: [opt({ action: "BUY", strike: { kind: "OTM", n: 4 } }), opt()] }, snapshot(), TODAY);
    expect(r.ok && r.legs.map((l) => [l.legIndex, l.action, l.strike?.toNumber()])).toEqual([
      [0, "BUY", 26200],
      [1, "SELL", 26000],
    ]);
  });
});
