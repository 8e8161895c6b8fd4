import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InstrumentMaster } from "@/lib/brokers/instruments";
import { kiteTime, mapFunds, mapOrder, mapPositions, marginsSchema, orderStatusOf, ordersSchema } from "./map";
import { chainStrikes } from "./map-market";
import { kiteRecords, masterRows, parseKiteCsv } from "./master";
import { placeParams, tagOf } from "./requests";
import Decimal from "decimal.js";

const master = new InstrumentMaster(
  masterRows(kiteRecords(parseKiteCsv(readFileSync(join(__dirname, "fixtures", "instruments-sample.csv"), "utf8")))),
  "2026-12-07",
);

const row = (o: Record<string, unknown>) =>
  ordersSchema.parse([
    {
      order_id: "261208000000001",
      status: "OPEN",
      status_message: null,
      order_timestamp: "2026-12-08 09:18:57",
      exchange: "NFO",
      tradingsymbol: "NIFTY26D0824500CE",
      instrument_token: 10266370,
      order_type: "LIMIT",
      transaction_type: "SELL",
      product: "NRML",
      quantity: 130,
      price: 101.5,
      trigger_price: 0,
      average_price: 0,
      filled_quantity: 0,
      pending_quantity: 130,
      tag: "straddle1",
      ...o,
    },
  ])[0];

describe("Kite answers → contract types", () => {
  it.each([
    ["OPEN", "open"],
    ["COMPLETE", "complete"],
    ["REJECTED", "rejected"],
    ["CANCELLED", "cancelled"],
    ["CANCELLED AMO", "cancelled"],
    ["TRIGGER PENDING", "trigger_pending"],
    ["VALIDATION PENDING", "open"],
    ["PUT ORDER REQ RECEIVED", "open"],
    ["MODIFY PENDING", "open"],
  ])("status %s → %s", (word, status) => expect(orderStatusOf(word)).toBe(status));

  it("an order row: MirrorDesk symbol, IST time, partial fill, tag as strategy", () => {
    const o = mapOrder(row({ filled_quantity: 65, pending_quantity: 65, average_price: 100.25 }), master);
    expect(o).toMatchObject({
      symbol: "NIFTY08DEC2624500CE",
      exchange: "NFO",
      status: "open",
      brokerStatus: "OPEN",
      filledQuantity: 65,
      pendingQuantity: 65,
      strategy: "straddle1",
      rejectionReason: null,
      brokerTimestamp: "2026-12-08 09:18:57",
    });
    expect(o.averagePrice!.toString()).toBe("100.25");
    expect(o.placedAt!.toISOString()).toBe("2026-12-08T03:48:57.000Z");
  });

  it("a rejection keeps Kite's text; nothing filled means no average price and nothing pending", () => {
    const o = mapOrder(row({ status: "REJECTED", status_message: "Insufficient funds", pending_quantity: 0 }), master);
    expect(o).toMatchObject({
      status: "rejected",
      rejectionReason: "Insufficient funds",
      pendingQuantity: 0,
      averagePrice: null,
    });
  });

  it("times the SDK turned into local Dates read back as IST", () => {
    const sdkDate = new Date("2026-12-08 09:18:57");
    expect(kiteTime(sdkDate)).toEqual({ text: "2026-12-08 09:18:57", at: new Date("2026-12-08T03:48:57.000Z") });
    expect(kiteTime("09:18:57").at).toBeNull();
  });

  it("funds: net is cash + collateral; cash excludes collateral", () => {
    const f = mapFunds(
      marginsSchema.parse({
        equity: {
          net: 750000.5,
          available: { collateral: 150000, cash: 900000 },
          utilised: { debits: 300000, m2m_realised: -1200.5, m2m_unrealised: 300 },
        },
      }),
    );
    expect(f.availableMargin.toString()).toBe("750000.5");
    expect(f.cash.toString()).toBe("600000.5");
    expect(f.collateral.toString()).toBe("150000");
    expect(f.utilised.toString()).toBe("300000");
    expect(f.realisedPnl.toString()).toBe("-1200.5");
  });

  it("positions keep Kite's signed quantity", () => {
    const [p] = mapPositions(
      {
        net: [
          {
            tradingsymbol: "SENSEX26D1085000CE",
            exchange: "BFO",
            instrument_token: 1,
            product: "MIS",
            quantity: -40,
            average_price: 210,
            last_price: 190,
            pnl: 800,
          },
        ],
      },
      master,
    );
    expect(p).toMatchObject({ symbol: "SENSEX10DEC2685000CE", exchange: "BFO", product: "MIS", quantity: -40 });
  });

  it("placement fields: Kite's symbol, decimal text prices, market protection, tag rules", () => {
    const nifty = master.symbol("NIFTY29DEC2624500CE", "NFO")!;
    const base = {
      symbol: nifty.symbol,
      exchange: "NFO" as const,
      action: "BUY" as const,
      quantity: 65,
      product: "NRML" as const,
      strategy: "Hedge-1 / A",
    };
    expect(placeParams({ ...base, priceType: "LIMIT", price: new Decimal("101.05") }, nifty)).toMatchObject({
      tradingsymbol: "NIFTY26DEC24500CE",
      exchange: "NFO",
      price: "101.05",
      tag: "Hedge-1 / A",
    });
    expect(placeParams({ ...base, priceType: "MARKET" }, nifty)).toMatchObject({ market_protection: -1 });
    expect(() => placeParams({ ...base, priceType: "SL", price: new Decimal(1) }, nifty)).toThrow(/trigger/);
    expect(tagOf("a".repeat(30))).toHaveLength(20);
    expect(placeParams({ ...base, priceType: "LIMIT", price: new Decimal(5) }, nifty)).not.toHaveProperty(
      "market_protection",
    );
  });

  it("chain strikes: the listed strike nearest the LTP, n each side", () => {
    const strikes = [24400, 24500, 24600, 24700, 24800].map((s) => new Decimal(s));
    const { atm, picked } = chainStrikes(strikes, new Decimal("24640"), 1);
    expect(atm.toNumber()).toBe(24600);
    expect(picked.map((s) => s.toNumber())).toEqual([24500, 24600, 24700]);
  });
});
