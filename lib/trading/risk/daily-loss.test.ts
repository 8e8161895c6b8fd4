import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { accountDayPnl, dailyLimitBreach } from "./daily-loss";
import { netPremium, openQuantity, type RiskPosition } from "./run-book";

const d = (v: Decimal.Value) => new Decimal(v);
const pos = (
  symbol: string,
  netQty: number,
  avg: number | null,
  realised: number | null,
  bought = 0,
  sold = 0,
): RiskPosition => ({
  accountId: "a1",
  exchange: "NFO",
  symbol,
  product: "NRML",
  legIndex: null,
  netQty,
  avgPrice: avg === null ? null : d(avg),
  realisedPnl: realised === null ? null : d(realised),
  boughtQty: bought,
  soldQty: sold,
});

describe("an account's P&L for the day", () => {
  it("is today's realised P&L plus the open positions' unrealised P&L", () => {
    // Realised ₹5,000 over all time, ₹3,000 of it before today; an open long of 65 at 100, now 80.
    const r = accountDayPnl({
      all: [pos("X", 65, 100, 5000), pos("Y", 0, null, 0)],
      beforeToday: [pos("X", 65, 100, 3000)],
      ltps: new Map([["NFO:X", d(80)]]),
    });
    expect(r).toEqual({ pnl: d(2000 - 1300), unpriced: [] });
  });

  it("is unknown when an open position has no usable price", () => {
    expect(accountDayPnl({ all: [pos("X", 65, 100, 0)], beforeToday: [], ltps: new Map() })).toEqual({
      pnl: null,
      unpriced: ["NFO:X"],
    });
  });

  it("breaches at −limit and below", () => {
    expect(dailyLimitBreach(d(-9999.99), d(10000)).breached).toBe(false);
    expect(dailyLimitBreach(d(-10000), d(10000))).toEqual({
      breached: true,
      message: "the account's P&L today -₹10,000 reached its daily loss limit of ₹10,000",
    });
  });
});

describe("a run's premium and quantity", () => {
  it("nets the entry premium of open shorts and longs, and takes each account's largest open leg", () => {
    const legs = [pos("CE", -65, 120, 0, 0, 65), pos("PE", -65, 100, 0, 0, 65), pos("W", 65, 20, 0, 65, 0)];
    expect(netPremium(legs)?.toNumber()).toBe(65 * 200);
    expect(openQuantity([...legs, { ...pos("CE", -130, 120, 0, 0, 130), accountId: "a2" }])).toBe(195);
    expect(netPremium([pos("CE", -65, null, 0, 0, 65)])).toBeNull();
  });
});
