import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { planTicket, ticketSchema, type TicketAccount } from "./ticket";

const nifty = { lotSize: 65, freezeQty: 1755, tickSize: new Decimal("0.05"), ltp: new Decimal("101.30"), instrumentType: "CE" };
const acct = (id: string, mult = "1", max: number | null = null): TicketAccount => ({ id, name: id.toUpperCase(), lotMultiplier: new Decimal(mult), maxLotsPerLeg: max });
const ticket = (over: Record<string, unknown> = {}) =>
  ticketSchema.parse({ symbol: "NIFTY25NOV2526000CE", exchange: "NFO", action: "BUY", lots: 28, product: "NRML", priceType: "PROTECTED_LIMIT", bandPercent: "2", ...over });

describe("planTicket", () => {
  it("sizes lots × multiplier per account, slices below freeze, protects the price", () => {
    const r = planTicket(ticket(), nifty, [acct("a"), acct("b", "0.5"), acct("c", "2", 40)]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const legs = r.preview.accounts.map((a) => (a.status === "planned" ? [a.accountId, a.legs[0].lots, a.legs[0].slices] : [a.accountId, a.status]));
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
    expect(r.ok && r.preview.accounts[0]).toMatchObject({ status: "skipped", reason: expect.stringMatching(/rounds to zero lots/) });
  });

  it("keeps CNC for cash-segment tickets and refuses mismatched products", () => {
    const eq = { lotSize: 1, freezeQty: null, tickSize: new Decimal("0.05"), ltp: new Decimal("812.5"), instrumentType: "EQ" };
    const r = planTicket(ticket({ symbol: "SBIN", exchange: "NSE", product: "CNC", lots: 10, priceType: "MARKET" }), eq, [acct("a")]);
    expect(r.ok && r.preview.accounts[0].status === "planned" && r.preview.accounts[0].legs[0]).toMatchObject({ product: "CNC", quantity: 10, slices: [10], priceType: "MARKET" });
    expect(r.ok && r.preview.legs[0].warnings[0]).toMatch(/Freeze quantity unknown/);
    expect(ticketSchema.safeParse({ symbol: "SBIN", exchange: "NSE", action: "BUY", lots: 1, product: "NRML", priceType: "MARKET" }).success).toBe(false);
    expect(ticketSchema.safeParse({ symbol: "X", exchange: "NFO", action: "BUY", lots: 1, product: "CNC", priceType: "MARKET" }).success).toBe(false);
  });

  it("refuses a protected limit without a quote and a limit off the tick", () => {
    expect(planTicket(ticket(), { ...nifty, ltp: null }, [acct("a")])).toMatchObject({ ok: false, field: "symbol" });
    expect(planTicket(ticket({ priceType: "LIMIT", price: "100.03" }), nifty, [acct("a")])).toMatchObject({ ok: false, field: "price" });
    expect(ticketSchema.safeParse({ symbol: "X", exchange: "NFO", action: "BUY", lots: 1, product: "MIS", priceType: "LIMIT" }).error?.issues[0].path).toEqual(["price"]);
  });

  it("a SELL ticket is phase 2 (hedges first when combined)", () => {
    const r = planTicket(ticket({ action: "SELL", priceType: "MARKET" }), nifty, [acct("a")]);
    expect(r.ok && r.preview.accounts[0].status === "planned" && r.preview.accounts[0].legs[0].phase).toBe(2);
  });
});
