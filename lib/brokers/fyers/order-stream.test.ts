/** Order-socket frames → OrderUpdate: the raw keys, the status number and its fallback, unreadable frames. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InstrumentMaster } from "@/lib/brokers/instruments";
import { BrokerUnavailableError } from "@/lib/errors";
import { parseMaster } from "./master";
import { mapSocketOrder } from "./order-stream";

const master = new InstrumentMaster(
  parseMaster("NSE_FO", JSON.parse(readFileSync(join(__dirname, "fixtures", "NSE_FO_sym_master.json"), "utf8"))),
  "2026-12-07",
);

const frame = (o: Record<string, unknown>) => ({
  id: "26120800000007",
  symbol: "NSE:NIFTY26D0824500CE",
  exchange: 10,
  segment: 11,
  qty: 130,
  qty_filled: 65,
  qty_remaining: 65,
  price_limit: 120.5,
  price_stop: 0,
  price_traded: 119.85,
  ord_type: 1,
  tran_side: -1,
  product_type: "INTRADAY",
  org_ord_status: 6,
  ord_status: 22,
  oms_msg: "",
  ...o,
});

describe("mapSocketOrder", () => {
  it("maps a partly filled working order through the master, with its average price as a decimal", () => {
    const u = mapSocketOrder(master, frame({}));
    expect(u).toMatchObject({
      orderId: "26120800000007",
      symbol: "NIFTY08DEC2624500CE",
      exchange: "NFO",
      action: "SELL",
      quantity: 130,
      filledQuantity: 65,
      pendingQuantity: 65,
      priceType: "LIMIT",
      product: "MIS",
      status: "open",
      brokerStatus: "pending",
      rejectionReason: null,
      mode: "live",
    });
    expect(u.averagePrice?.toFixed(2)).toBe("119.85");
    expect(u.price.toFixed(2)).toBe("120.50");
  });

  it("reads the status number first and folds the OMS code only when it is missing", () => {
    expect(mapSocketOrder(master, frame({ org_ord_status: 2, ord_status: 22, qty_filled: 130 })).status).toBe(
      "complete",
    );
    const rejected = mapSocketOrder(
      master,
      frame({ org_ord_status: undefined, ord_status: 92, qty_filled: 0, oms_msg: "RMS:Margin Exceeds" }),
    );
    expect(rejected).toMatchObject({ status: "rejected", rejectionReason: "RMS:Margin Exceeds", pendingQuantity: 0 });
    expect(mapSocketOrder(master, frame({ org_ord_status: undefined, ord_status: 91 })).status).toBe("cancelled");
    expect(mapSocketOrder(master, frame({ org_ord_status: undefined, ord_status: 11 })).status).toBe("open");
  });

  it("refuses a frame without an id or any status", () => {
    expect(() => mapSocketOrder(master, frame({ id: undefined }))).toThrow(BrokerUnavailableError);
    expect(() => mapSocketOrder(master, frame({ org_ord_status: undefined, ord_status: undefined }))).toThrow(
      BrokerUnavailableError,
    );
    expect(() => mapSocketOrder(master, "orders")).toThrow(BrokerUnavailableError);
  });
});
