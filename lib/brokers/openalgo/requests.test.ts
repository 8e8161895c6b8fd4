import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import type { PlaceOrderRequest } from "@/lib/brokers/types";
import { invalidRequest, modifySchema, placeSchema } from "./requests";

const market: PlaceOrderRequest = {
  symbol: "NIFTY25NOV25FUT",
  exchange: "NFO",
  action: "BUY",
  quantity: 65,
  priceType: "MARKET",
  product: "NRML",
  strategy: "s",
};
const fields = (input: unknown) => {
  const r = placeSchema.safeParse(input);
  return r.success ? {} : (invalidRequest(r.error, "order").fields ?? {});
};

describe("order requests are checked before sending", () => {
  it("accepts a plain MARKET order and priced LIMIT / SL orders", () => {
    expect(placeSchema.safeParse(market).success).toBe(true);
    expect(placeSchema.safeParse({ ...market, priceType: "LIMIT", price: new Decimal("101.05") }).success).toBe(true);
    expect(
      placeSchema.safeParse({ ...market, priceType: "SL", price: new Decimal(101), triggerPrice: new Decimal(100) })
        .success,
    ).toBe(true);
  });
  it("names the missing price or trigger", () => {
    expect(fields({ ...market, priceType: "LIMIT" })).toEqual({ price: ["LIMIT and SL orders need a price"] });
    expect(fields({ ...market, priceType: "SL-M" })).toEqual({
      triggerPrice: ["SL and SL-M orders need a trigger price"],
    });
  });
  it("refuses fractional or non-positive quantities, plain-number prices and an empty strategy", () => {
    expect(Object.keys(fields({ ...market, quantity: 1.5 }))).toEqual(["quantity"]);
    expect(Object.keys(fields({ ...market, quantity: 0 }))).toEqual(["quantity"]);
    expect(Object.keys(fields({ ...market, priceType: "LIMIT", price: 101.05 }))).toContain("price");
    expect(Object.keys(fields({ ...market, strategy: " " }))).toEqual(["strategy"]);
    expect(Object.keys(fields({ ...market, exchange: "nfo" }))).toEqual(["exchange"]);
  });
  it("requires the whole order restated on modify", () => {
    const r = modifySchema.safeParse({
      orderId: "1",
      symbol: "X",
      exchange: "NSE",
      action: "BUY",
      product: "MIS",
      priceType: "LIMIT",
      quantity: 1,
      strategy: "s",
    });
    expect(r.success).toBe(false);
  });
});
