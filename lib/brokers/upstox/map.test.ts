/** Upstox's words and codes in the contract's terms: statuses, products, timestamps and error classes. */
import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { InstrumentMaster } from "@/lib/brokers/instruments";
import { BrokerAuthError, BrokerRejectedError, BrokerValidationError, RateLimitedError } from "@/lib/errors";
import { mapFunds, mapOrders, mapProduct, mapStatus, parseIstTimestamp, upstoxProduct } from "./map";
import { brokerError, classifyError } from "./wire";

const envelope = (code: string, message: string, property: string | null = null) => ({
  status: "error",
  errors: [{ error_code: code, errorCode: code, message, property_path: property, invalid_value: null }],
});

describe("upstox mappings", () => {
  it("statuses: final words map exactly, everything else is still working", () => {
    expect(mapStatus("complete")).toBe("complete");
    expect(mapStatus("rejected")).toBe("rejected");
    expect(mapStatus("cancelled")).toBe("cancelled");
    expect(mapStatus("cancelled after market order")).toBe("cancelled");
    expect(mapStatus("trigger pending")).toBe("trigger_pending");
    for (const w of ["open", "open pending", "validation pending", "put order req received", "modify pending", "x"])
      expect(mapStatus(w)).toBe("open");
  });

  it("products: I is MIS; D is NRML on derivatives and CNC on equity", () => {
    expect(mapProduct("I", "NSE_FO")).toBe("MIS");
    expect(mapProduct("D", "NSE_FO")).toBe("NRML");
    expect(mapProduct("D", "BSE_FO")).toBe("NRML");
    expect(mapProduct("D", "NSE_EQ")).toBe("CNC");
    expect([upstoxProduct("MIS"), upstoxProduct("NRML"), upstoxProduct("CNC")]).toEqual(["I", "D", "D"]);
  });

  it("timestamps are IST", () => {
    expect(parseIstTimestamp("2026-12-08 09:15:02")?.toISOString()).toBe("2026-12-08T03:45:02.000Z");
    expect(parseIstTimestamp("08-Dec-2026 09:15")).toBeNull();
  });

  it("orders: partial fills, average price, rejection reason and an unlisted instrument's own text", () => {
    const empty = new InstrumentMaster([], "2026-12-07");
    const [partial, refused] = mapOrders(
      [
        {
          order_id: "2612080001",
          exchange: "NFO",
          instrument_token: "NSE_FO|1",
          trading_symbol: "NIFTY FUT 29 DEC 26",
          product: "D",
          order_type: "LIMIT",
          transaction_type: "SELL",
          quantity: 130,
          filled_quantity: 65,
          pending_quantity: 65,
          price: 26000.5,
          trigger_price: 0,
          average_price: 26000.5,
          status: "open",
          status_message: null,
          tag: "s1",
          order_timestamp: "2026-12-08 10:00:00",
        },
        {
          order_id: "2612080002",
          exchange: "NFO",
          instrument_token: "NSE_FO|1",
          trading_symbol: "NIFTY FUT 29 DEC 26",
          product: "I",
          order_type: "MARKET",
          transaction_type: "BUY",
          quantity: 65,
          filled_quantity: 0,
          pending_quantity: 0,
          price: 0,
          trigger_price: 0,
          average_price: 0,
          status: "rejected",
          status_message: "Insufficient margin",
          tag: null,
          order_timestamp: "2026-12-08 10:00:01",
        },
      ],
      empty,
    );
    expect(partial).toMatchObject({ filledQuantity: 65, pendingQuantity: 65, status: "open", product: "NRML" });
    expect(partial.averagePrice?.eq(new Decimal("26000.5"))).toBe(true);
    expect(refused).toMatchObject({ status: "rejected", rejectionReason: "Insufficient margin", averagePrice: null });
    expect(refused.symbol).toBe("NIFTY FUT 29 DEC 26");
  });

  it("funds: available margin is cash (collateral is inside it), P&L from the positions", () => {
    const f = mapFunds(
      { equity: { used_margin: 215000, available_margin: 785000.5 } },
      { realised: new Decimal(10), unrealised: new Decimal(-19.5) },
    );
    expect(f.availableMargin.eq(f.cash.plus(f.collateral))).toBe(true);
    expect(f.cash.toString()).toBe("785000.5");
    expect(f.utilised.toString()).toBe("215000");
  });

  it("errors: status first, then Upstox's code and property path", () => {
    expect(brokerError(classifyError(401, envelope("UDAPI100050", "Invalid token used to access API")))).toBeInstanceOf(
      BrokerAuthError,
    );
    expect(brokerError(classifyError(429, envelope("UDAPI10005", "Too Many Request Sent")))).toBeInstanceOf(
      RateLimitedError,
    );
    expect(classifyError(500, envelope("UDAPI100500", "Something went wrong")).kind).toBe("unavailable");
    expect(classifyError(502, "<html>bad gateway</html>").kind).toBe("unavailable");
    expect(classifyError(400, envelope("UDAPI100010", "Unknown order id")).kind).toBe("not_found");
    const v = brokerError(classifyError(400, envelope("UDAPI100038", "Invalid input", "quantity")));
    expect(v).toBeInstanceOf(BrokerValidationError);
    expect(
      brokerError(classifyError(400, envelope("UDAPI100020", "Quantity must be in multiples of lot size"))),
    ).toBeInstanceOf(BrokerRejectedError);
  });
});
