import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { needsTradeFills, withTradeFills } from "@/lib/trading/order-fills";

const order = (
  orderId: string,
  extra: Partial<{ filledQuantity: number; averagePrice: Decimal | null; fillsReported: boolean }> = {},
) => ({
  orderId,
  filledQuantity: 0,
  averagePrice: null as Decimal | null,
  ...extra,
});
const trade = (orderId: string, quantity: number, price: string) => ({
  orderId,
  quantity,
  averagePrice: new Decimal(price),
});

describe("withTradeFills", () => {
  it("gives a live row without fill details the quantity-weighted average and quantity of its trades", () => {
    const [o] = withTradeFills(
      [order("1", { fillsReported: false })],
      [trade("1", 65, "100.10"), trade("1", 130, "100.40"), trade("2", 5, "9")],
    );
    expect(o.averagePrice?.toString()).toBe("100.3");
    expect(o.filledQuantity).toBe(195);
  });

  it("keeps what the broker reported and leaves orders without trades alone", () => {
    const reported = order("1", { filledQuantity: 65, averagePrice: new Decimal("99.95") });
    const complete = order("2", { filledQuantity: 65 });
    const unfilled = order("3", { fillsReported: false });
    const out = withTradeFills([reported, complete, unfilled], [trade("1", 65, "100"), trade("2", 65, "101.255")]);
    expect(out[0]).toBe(reported);
    expect(out[1]).toEqual({ ...complete, averagePrice: new Decimal("101.26") });
    expect(out[2]).toBe(unfilled);
  });

  it("asks for the trade book only when a row could use it", () => {
    expect(needsTradeFills([order("1", { filledQuantity: 1, averagePrice: new Decimal(1) })])).toBe(false);
    expect(needsTradeFills([order("1")])).toBe(false);
    expect(needsTradeFills([order("1", { filledQuantity: 1 })])).toBe(true);
    expect(needsTradeFills([order("1", { fillsReported: false })])).toBe(true);
  });
});
