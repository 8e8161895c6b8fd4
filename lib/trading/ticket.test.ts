import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { DEFAULT_INSTRUMENT_SETTINGS } from "./instruments";
import { DEFAULT_MARGIN_MODEL } from "./margin-model";
import {
  planTicket as planTicketWith,
  ticketSchema,
  type Ticket,
  type TicketAccount,
  type TicketInstrument,
} from "./ticket";

const nifty = {
  lotSize: 65,
  freezeQty: 1755,
  tickSize: new Decimal("0.05"),
  ltp: new Decimal("101.30"),
  instrumentType: "CE",
};
const funds = { availableMargin: new Decimal("1000000"), cash: new Decimal("400000") };
const acct = (id: string, mult = "1", max: number | null = null, f = funds): TicketAccount => ({
  id,
  name: id.toUpperCase(),
  lotMultiplier: new Decimal(mult),
  maxLotsPerLeg: max,
  funds: f,
});
// The seeded instrument settings on 2025-11-18 (a NIFTY25NOV25 contract is of the current series).
const reference = { instruments: DEFAULT_INSTRUMENT_SETTINGS, marginModel: DEFAULT_MARGIN_MODEL, today: "2025-11-18" };
const planTicket = (t: Ticket, i: TicketInstrument, a: readonly TicketAccount[]) => planTicketWith(t, i, a, reference);
const ticket = (over: Record<string, unknown> = {}) =>
  ticketSchema.parse({
    symbol: "NIFTY25NOV2526000CE",
    exchange: "NFO",
    action: "BUY",
    lots: 28,
    product: "NRML",
    priceType: "PROTECTED_LIMIT",
    bandPercent: "2",
    ...over,
  });

describe("planTicket", () => {
  it("sizes lots × multiplier per account, slices below freeze, protects the price", () => {
    const rich = { availableMargin: new Decimal("50000000"), cash: new Decimal("50000000") };
    const r = planTicket(ticket(), nifty, [
      acct("a", "1", null, rich),
      acct("b", "0.5", null, rich),
      acct("c", "2", 40, rich),
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const legs = r.preview.accounts.map((a) =>
      a.status === "planned" ? [a.accountId, a.legs[0].lots, a.legs[0].slices] : [a.accountId, a.status],
    );
    expect(legs).toEqual([
      ["a", 28, [1755, 65]],
      ["b", 14, [910]],
      ["c", 40, [1755, 845]],
    ]);
    // 101.30 × 1.02 = 103.326 → BUY rounds up to the tick.
    expect(r.preview.legs[0].price?.toString()).toBe("103.35");
    expect(r.preview.accounts[2].warnings).toEqual(["Capped at 40 lots by the account's limit"]);
    expect(r.preview.totals.orders).toBe(5);
  });

  it("skips an account whose multiplier floors the lots to zero", () => {
    const r = planTicket(ticket({ lots: 1 }), nifty, [acct("a", "0.5")]);
    expect(r.ok && r.preview.accounts[0]).toMatchObject({
      status: "skipped",
      reason: expect.stringMatching(/rounds to zero lots/),
    });
  });

  it("keeps CNC for cash-segment tickets and refuses mismatched products", () => {
    const eq = {
      lotSize: 1,
      freezeQty: null,
      tickSize: new Decimal("0.05"),
      ltp: new Decimal("812.5"),
      instrumentType: "EQ",
    };
    const r = planTicket(
      ticket({ symbol: "SBIN", exchange: "NSE", product: "CNC", lots: 10, priceType: "MARKET" }),
      eq,
      [acct("a")],
    );
    expect(r.ok && r.preview.accounts[0].status === "planned" && r.preview.accounts[0].legs[0]).toMatchObject({
      product: "CNC",
      quantity: 10,
      slices: [10],
      priceType: "MARKET",
    });
    expect(r.ok && r.preview.legs[0].warnings[0]).toMatch(/Freeze quantity unknown/);
    expect(
      ticketSchema.safeParse({
        symbol: "SBIN",
        exchange: "NSE",
        action: "BUY",
        lots: 1,
        product: "NRML",
        priceType: "MARKET",
      }).success,
    ).toBe(false);
    expect(
      ticketSchema.safeParse({
        symbol: "X",
        exchange: "NFO",
        action: "BUY",
        lots: 1,
        product: "CNC",
        priceType: "MARKET",
      }).success,
    ).toBe(false);
  });

  it("refuses a protected limit without a quote and a limit off the tick", () => {
    expect(planTicket(ticket(), { ...nifty, ltp: null }, [acct("a")])).toMatchObject({ ok: false, field: "symbol" });
    expect(planTicket(ticket({ priceType: "LIMIT", price: "100.03" }), nifty, [acct("a")])).toMatchObject({
      ok: false,
      field: "price",
    });
    expect(
      ticketSchema.safeParse({
        symbol: "X",
        exchange: "NFO",
        action: "BUY",
        lots: 1,
        product: "MIS",
        priceType: "LIMIT",
      }).error?.issues[0].path,
    ).toEqual(["price"]);
  });

  it("a SELL ticket is phase 2 (hedges first when combined)", () => {
    const r = planTicket(ticket({ action: "SELL", priceType: "MARKET" }), nifty, [acct("a")]);
    expect(r.ok && r.preview.accounts[0].status === "planned" && r.preview.accounts[0].legs[0].phase).toBe(2);
  });

  // OpenAlgo reports freeze_qty 1 when it does not know it (the adapter maps that to null): the instrument settings'
  // freeze quantity (and lot size) apply, as for strategy legs — never one order above the exchange's freeze.
  it.each([
    [
      "NIFTY, broker freeze unknown → settings' 1,800 (27 lots)",
      "NIFTY25NOV2526000CE",
      "NFO",
      { lotSize: 65, freezeQty: null },
      40,
      [1755, 845],
      1800,
    ],
    [
      "NIFTY, broker freeze 1 → settings' 1,800",
      "NIFTY25NOV2526000CE",
      "NFO",
      { lotSize: 65, freezeQty: 1 },
      40,
      [1755, 845],
      1800,
    ],
    [
      "NIFTY future, broker freeze unknown",
      "NIFTY25NOV25FUT",
      "NFO",
      { lotSize: 65, freezeQty: null },
      28,
      [1755, 65],
      1800,
    ],
    [
      "SENSEX, broker freeze unknown → settings' 1,000",
      "SENSEX20NOV2585000PE",
      "BFO",
      { lotSize: 20, freezeQty: null },
      60,
      [1000, 200],
      1000,
    ],
    [
      "a smaller broker freeze wins over the settings'",
      "NIFTY25NOV2526000CE",
      "NFO",
      { lotSize: 65, freezeQty: 1300 },
      40,
      [1300, 1300],
      1300,
    ],
    [
      "a broker freeze below one lot is not a limit",
      "NIFTY25NOV2526000CE",
      "NFO",
      { lotSize: 65, freezeQty: 50 },
      30,
      [1755, 195],
      1800,
    ],
  ] as const)("%s", (_label, symbol, exchange, sizes, lots, slices, freezeQty) => {
    const r = planTicket(ticket({ symbol, exchange, lots, priceType: "MARKET" }), { ...nifty, ...sizes }, [acct("a")]);
    if (!r.ok) throw new Error(r.message);
    const plan = r.preview.accounts[0];
    expect(plan.status === "planned" && plan.legs[0].slices).toEqual(slices);
    expect(r.preview.legs[0]).toMatchObject({ freezeQty });
  });

  it("an admin's smaller freeze quantity wins over the broker's larger one, and the preview shows both", () => {
    const lowered = { ...DEFAULT_INSTRUMENT_SETTINGS, NIFTY: { ...DEFAULT_INSTRUMENT_SETTINGS.NIFTY, freezeQty: 650 } };
    const r = planTicketWith(ticket({ lots: 40, priceType: "MARKET" }), { ...nifty, freezeQty: 1800 }, [acct("a")], {
      ...reference,
      instruments: lowered,
    });
    if (!r.ok) throw new Error(r.message);
    expect(r.preview.accounts[0].status === "planned" && r.preview.accounts[0].legs[0].slices).toEqual([
      650, 650, 650, 650,
    ]);
    expect(r.preview.legs[0]).toMatchObject({
      freezeQty: 650,
      sliceLots: 10,
      freezeSources: { broker: 1800, settings: 650 },
      warnings: ["freeze quantity: broker 1800, settings 650; the smaller (650) applies"],
    });
  });

  it("estimates margin as strategies do: per-lot rates for index derivatives, full value for cash symbols", () => {
    // NIFTY option BUY: the premium per lot (₹20,000) × 28 lots, paid from cash (₹4 lakh of ₹10 lakh available).
    const buy = planTicket(ticket(), nifty, [acct("a")]);
    expect(buy.ok && buy.preview.accounts[0]).toMatchObject({
      marginSource: "cash",
      warnings: [expect.stringMatching(/^Margin shortfall: needs ₹5,60,000(\.00)?, ₹4,00,000(\.00)? available$/)],
    });
    expect(
      buy.ok &&
        buy.preview.accounts[0].status === "planned" &&
        buy.preview.accounts[0].legs[0].marginNeeded?.toString(),
    ).toBe("560000");
    // SELL on a non-expiry day: the single-sell rate ₹2,50,000 × 2 lots, against available margin.
    const sell = planTicket(ticket({ action: "SELL", lots: 2, priceType: "MARKET" }), nifty, [acct("a")]);
    expect(sell.ok && sell.preview.accounts[0]).toMatchObject({ marginSource: "available", warnings: [] });
    expect(
      sell.ok &&
        sell.preview.accounts[0].status === "planned" && [
          sell.preview.accounts[0].marginNeeded.toString(),
          sell.preview.accounts[0].marginAvailable.toString(),
        ],
    ).toEqual(["500000", "1000000"]);
    expect(sell.ok && sell.preview.totals.marginNeeded.toString()).toBe("500000");
    // Equity: price × quantity (LTP for a market order).
    const eq = {
      lotSize: 1,
      freezeQty: null,
      tickSize: new Decimal("0.05"),
      ltp: new Decimal("812.5"),
      instrumentType: "EQ",
    };
    const cash = planTicket(
      ticket({ symbol: "SBIN", exchange: "NSE", product: "CNC", lots: 10, priceType: "MARKET" }),
      eq,
      [acct("a")],
    );
    expect(
      cash.ok && cash.preview.accounts[0].status === "planned" && cash.preview.accounts[0].marginNeeded.toString(),
    ).toBe("8125");
  });

  it("falls back on the settings' lot size of the contract's series when the broker's is unusable", () => {
    const revised = {
      ...DEFAULT_INSTRUMENT_SETTINGS,
      NIFTY: { ...DEFAULT_INSTRUMENT_SETTINGS.NIFTY, lotSize: 75, nextMonthLotSize: 65 },
    };
    const plan = (symbol: string) => {
      const r = planTicketWith(
        ticket({ symbol, lots: 2, priceType: "MARKET" }),
        { ...nifty, lotSize: 0, freezeQty: null },
        [acct("a")],
        { ...reference, instruments: revised },
      );
      return r.ok && r.preview.accounts[0].status === "planned" ? r.preview.accounts[0].legs[0].quantity : r;
    };
    expect(plan("NIFTY25NOV2526000CE")).toBe(150);
    expect(plan("NIFTY30DEC2526000CE")).toBe(130);
  });

  it("keeps broker-only sizes for symbols the settings do not list, and refuses a settings freeze below one lot", () => {
    const stock = planTicket(
      ticket({ symbol: "RELIANCE25NOV251500CE", lots: 3, priceType: "MARKET" }),
      { ...nifty, lotSize: 500, freezeQty: null },
      [acct("a")],
    );
    expect(
      stock.ok && stock.preview.accounts[0].status === "planned" && stock.preview.accounts[0].legs[0].slices,
    ).toEqual([1500]);
    expect(stock.ok && stock.preview.legs[0].warnings[0]).toMatch(/Freeze quantity unknown/);
    const tiny = { ...DEFAULT_INSTRUMENT_SETTINGS, NIFTY: { ...DEFAULT_INSTRUMENT_SETTINGS.NIFTY, freezeQty: 50 } };
    const r = planTicketWith(ticket({ lots: 2, priceType: "MARKET" }), { ...nifty, freezeQty: null }, [acct("a")], {
      ...reference,
      instruments: tiny,
    });
    expect(r).toMatchObject({ ok: false, field: "symbol", message: expect.stringMatching(/smaller than one lot/) });
  });
});

describe("ticketSchema on malformed prices", () => {
  it("answers a field error, never a TypeError, for a LIMIT price that is not a positive decimal", () => {
    for (const price of ["-1", "abc", "1e5", "", " ", "1".repeat(31), -5, "0"]) {
      const r = ticketSchema.safeParse({
        symbol: "NIFTY25NOV2526000CE",
        exchange: "NFO",
        action: "BUY",
        lots: 1,
        product: "NRML",
        priceType: "LIMIT",
        price,
      });
      expect(r.success).toBe(false);
      expect(r.error?.issues.map((i) => i.path.join("."))).toContain("price");
    }
  });
});
