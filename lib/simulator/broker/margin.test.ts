import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import type { Instrument } from "@/lib/simulator/types";
import { groupMargin, marginGroupKey, type MarginLeg } from "./margin";

const NOW = Date.UTC(2026, 10, 25, 5, 0); // 25 Nov 2026 10:30 IST
const EXPIRY_TS = Date.UTC(2026, 11, 1, 10, 0); // 1 Dec 2026 15:30 IST

function inst(
  symbol: string,
  type: Instrument["instrumenttype"],
  exchange: Instrument["exchange"] = "NFO",
): Instrument {
  const derivative = type !== "EQ" && type !== "INDEX";
  return {
    symbol,
    brsymbol: symbol,
    name: "NIFTY",
    exchange,
    brexchange: exchange,
    token: "1",
    instrumenttype: type,
    expiry: derivative ? "01-DEC-26" : "",
    expiryTs: derivative ? EXPIRY_TS : null,
    strike: -1,
    lotsize: derivative ? 65 : 1,
    freezeQty: derivative ? 1755 : 1,
    tickSize: 0.05,
    underlying: derivative ? "NIFTY" : symbol,
  };
}

function leg(i: Instrument, product: string, o: Partial<Omit<MarginLeg, "inst" | "product">>): MarginLeg {
  return {
    inst: i,
    product,
    qty: 0,
    avg: new Decimal(0),
    buyQty: 0,
    buyValue: new Decimal(0),
    sellQty: 0,
    sellValue: new Decimal(0),
    ...o,
  };
}

describe("groupMargin", () => {
  it("charges futures per lot whichever side", () => {
    const fut = inst("NIFTY01DEC26FUT", "FUT");
    expect(groupMargin([leg(fut, "NRML", { qty: -130, avg: new Decimal(26000) })], NOW).toNumber()).toBe(430000);
    expect(groupMargin([leg(fut, "NRML", { qty: 65, avg: new Decimal(26000) })], NOW).toNumber()).toBe(215000);
  });

  it("takes the worse of the all-buys and all-sells scenarios for working orders", () => {
    const ce = inst("NIFTY01DEC2626000CE", "CE");
    // Long 1 lot at 100 with a working SELL of 2 lots: the sell side would be short 1 lot naked.
    const m = groupMargin(
      [leg(ce, "NRML", { qty: 65, avg: new Decimal(100), sellQty: 130, sellValue: new Decimal(130 * 90) })],
      NOW,
    );
    expect(m.toNumber()).toBe(250000);
    // A working BUY to cover a short does not add margin beyond the short's.
    const cover = groupMargin(
      [leg(ce, "NRML", { qty: -65, avg: new Decimal(100), buyQty: 65, buyValue: new Decimal(65 * 110) })],
      NOW,
    );
    expect(cover.toNumber()).toBe(250000);
  });

  it("values equity exposure by leverage, and CNC sells of held shares block nothing", () => {
    const sbin = inst("SBIN", "EQ", "NSE");
    expect(groupMargin([leg(sbin, "MIS", { qty: -10, avg: new Decimal(800) })], NOW).toNumber()).toBe(1600);
    expect(groupMargin([leg(sbin, "CNC", { qty: 10, avg: new Decimal(800) })], NOW).toNumber()).toBe(8000);
    expect(groupMargin([leg(sbin, "CNC", { qty: 0, sellQty: 5, sellValue: new Decimal(4000) })], NOW).toNumber()).toBe(
      0,
    );
    expect(groupMargin([leg(sbin, "MIS", { buyQty: 5, buyValue: new Decimal(4000) })], NOW).toNumber()).toBe(800);
  });

  it("groups all F&O of an underlying together and equities per symbol and product", () => {
    expect(marginGroupKey(inst("NIFTY01DEC2626000CE", "CE"), "MIS")).toBe(
      marginGroupKey(inst("NIFTY01DEC26FUT", "FUT"), "NRML"),
    );
    expect(marginGroupKey(inst("SBIN", "EQ", "NSE"), "MIS")).not.toBe(marginGroupKey(inst("SBIN", "EQ", "NSE"), "CNC"));
  });
});
