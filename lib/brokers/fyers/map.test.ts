/** Fyers' answers → contract shapes: statuses, types, products, times, funds, quotes and depth. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { InstrumentMaster } from "@/lib/brokers/instruments";
import { BrokerUnavailableError } from "@/lib/errors";
import {
  mapDepth,
  mapFunds,
  mapHoldings,
  mapOrderBook,
  mapPositions,
  mapQuoteValue,
  mapTradeBook,
  orderStatus,
  parseFyersTime,
} from "./map";
import { parseMaster } from "./master";
import { classify } from "./wire";

const master = new InstrumentMaster(
  parseMaster("NSE_FO", JSON.parse(readFileSync(join(__dirname, "fixtures", "NSE_FO_sym_master.json"), "utf8"))),
  "2026-12-07",
);

const row = (o: Record<string, unknown>) => ({
  id: "26120800000001",
  symbol: "NSE:NIFTY26D0824500CE",
  exchange: 10,
  segment: 11,
  qty: 130,
  filledQty: 0,
  remainingQuantity: 130,
  limitPrice: 120.5,
  stopPrice: 0,
  tradedPrice: 0,
  type: 1,
  side: -1,
  productType: "INTRADAY",
  status: 6,
  message: "",
  orderDateTime: "08-Dec-2026 09:15:02",
  ...o,
});

describe("fyers order mapping", () => {
  it("folds Fyers' status numbers into the contract's statuses", () => {
    expect([1, 2, 4, 5, 6, 7, 99].map((s) => orderStatus(s, 1, 0))).toEqual([
      "cancelled",
      "complete",
      "open",
      "rejected",
      "open",
      "cancelled",
      "open",
    ]);
    expect(orderStatus(6, 4, 0)).toBe("trigger_pending");
    expect(orderStatus(6, 3, 0)).toBe("trigger_pending");
    expect(orderStatus(6, 4, 65)).toBe("open");
  });

  it("maps a row through the master, with partial fills, average price and the IST time", () => {
    const [o] = mapOrderBook(master, {
      orderBook: [row({ filledQty: 65, remainingQuantity: 65, tradedPrice: 119.95 })],
    });
    expect(o).toMatchObject({
      orderId: "26120800000001",
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
      strategy: null,
    });
    expect(o.averagePrice!.toFixed()).toBe("119.95");
    expect(o.price.toFixed()).toBe("120.5");
    expect(o.placedAt!.toISOString()).toBe("2026-12-08T03:45:02.000Z");
    const [r] = mapOrderBook(master, { orderBook: [row({ status: 5, message: "RMS:Margin Exceeds" })] });
    expect(r).toMatchObject({
      status: "rejected",
      rejectionReason: "RMS:Margin Exceeds",
      pendingQuantity: 0,
      averagePrice: null,
    });
    expect(mapOrderBook(master, { orderBook: [row({})] }, new Set(["other"]))).toEqual([]);
  });

  it("maps products, order types, trades and signed positions", () => {
    const [m] = mapOrderBook(master, { orderBook: [row({ productType: "MARGIN", type: 3, side: 1 })] });
    expect(m).toMatchObject({ product: "NRML", priceType: "SL-M", action: "BUY", status: "trigger_pending" });
    const [t] = mapTradeBook(master, {
      tradeBook: [
        {
          orderNumber: "1",
          tradeNumber: "T1",
          symbol: "NSE:NIFTY26DECFUT",
          exchange: 10,
          segment: 11,
          side: 1,
          productType: "CNC",
          tradedQty: 65,
          tradePrice: 26128.1,
          tradeValue: 1698326.5,
          orderDateTime: "08-Dec-2026 10:00:00",
        },
      ],
    });
    expect(t).toMatchObject({ orderId: "1", tradeId: "T1", symbol: "NIFTY29DEC26FUT", product: "CNC", quantity: 65 });
    expect(t.tradeValue.toFixed()).toBe("1698326.5");
    const [p] = mapPositions(master, {
      netPositions: [
        {
          symbol: "NSE:NIFTY26DEC24500PE",
          exchange: 10,
          segment: 11,
          productType: "MARGIN",
          netQty: -65,
          netAvg: 80.25,
          ltp: 70,
          pl: 666.25,
        },
      ],
    });
    expect(p).toMatchObject({ symbol: "NIFTY29DEC2624500PE", quantity: -65, product: "NRML" });
  });

  it("maps holdings with their cost as the average price", () => {
    const [h] = mapHoldings(master, {
      holdings: [{ symbol: "NSE:SBIN-EQ", exchange: 10, segment: 10, quantity: 10, costPrice: 800, ltp: 880, pl: 800 }],
    });
    expect(h).toMatchObject({ symbol: "SBIN-EQ", exchange: "NSE", product: "CNC", quantity: 10 });
    expect([h.averagePrice!.toFixed(), h.pnl.toFixed(), h.pnlPercent.toFixed()]).toEqual(["800", "800", "10"]);
  });

  it("keeps an unlisted ticker readable instead of dropping the row", () => {
    const [o] = mapOrderBook(master, { orderBook: [row({ symbol: "NSE:OLDSTOCK-EQ", exchange: 10, segment: 10 })] });
    expect(o).toMatchObject({ symbol: "OLDSTOCK-EQ", exchange: "NSE" });
  });

  it("refuses an unreadable book as a bad response", () => {
    expect(() => mapOrderBook(master, { orderBook: [{ id: 1 }] })).toThrow(BrokerUnavailableError);
  });

  it("reads Fyers' times as IST and nothing else", () => {
    expect(parseFyersTime("31-Dec-2026 23:59:59")!.toISOString()).toBe("2026-12-31T18:29:59.000Z");
    expect(parseFyersTime("2026-12-31 23:59:59")).toBeNull();
  });
});

describe("fyers funds, quotes, depth and errors", () => {
  it("cash = available balance − collaterals; margin = cash + collateral", () => {
    const line = (id: number, v: number) => ({ id, title: `t${id}`, equityAmount: v, commodityAmount: 0 });
    const f = mapFunds(
      { fund_limit: [line(2, 215000), line(4, 1200.5), line(5, 15000), line(10, 800000)] },
      new Decimal(-19.5),
    );
    expect(
      [f.cash, f.collateral, f.availableMargin, f.utilised, f.realisedPnl, f.unrealisedPnl].map((d) => d.toFixed()),
    ).toEqual(["785000", "15000", "800000", "215000", "1200.5", "-19.5"]);
  });

  it("quotes and depth: zero bids and padding levels are absent", () => {
    const q = mapQuoteValue({
      lp: 10.5,
      open_price: 10,
      high_price: 11,
      low_price: 9,
      prev_close_price: 10,
      bid: 0,
      ask: 10.55,
      volume: 1200,
    });
    expect(q.bid).toBeNull();
    expect(q.ask!.toFixed()).toBe("10.55");
    const d = mapDepth({
      ltp: 10,
      totalbuyqty: 5,
      totalsellqty: 0,
      bids: [
        { price: 9.95, volume: 5 },
        { price: 0, volume: 0 },
      ],
      ask: [],
    });
    expect(d.bids).toHaveLength(1);
    expect(d.asks).toEqual([]);
  });

  it("classifies Fyers' error envelopes", () => {
    expect(classify(401, { s: "error", code: -16, message: "Could not authenticate the user" }).kind).toBe("auth");
    expect(classify(400, { s: "error", code: -8, message: "Your token has expired" }).kind).toBe("auth");
    expect(classify(429, { s: "error", code: 429, message: "request limit reached" }).kind).toBe("rate_limited");
    expect(classify(400, { s: "error", code: -50, message: "Invalid input" }).kind).toBe("validation");
    expect(classify(400, { s: "error", code: -99, message: "RMS: margin" }).kind).toBe("rejected");
    expect(classify(502, undefined).kind).toBe("unavailable");
    expect(classify(200, "<html>").kind).toBe("unavailable");
  });
});
