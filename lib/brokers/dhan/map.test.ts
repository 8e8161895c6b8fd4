/**
 * Dhan answer mapping, on rows shaped as DhanHQ v2 documents them: statuses, products, partial fills, funds, positions,
 * quotes, the error classes, IST times and the host mapping.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { InstrumentMaster } from "@/lib/brokers/instruments";
import { BrokerUnavailableError } from "@/lib/errors";
import { dhanHosts } from "./hosts";
import { mapFunds, mapOrder, mapPositions, mapTrades, quoteEntries, toDepth, toQuote } from "./map";
import { parseDhanMaster } from "./master";
import { classifyDhanError, istTime, statusFromDhan } from "./wire";

const master = new InstrumentMaster(
  parseDhanMaster(readFileSync(path.join(__dirname, "fixtures/api-scrip-master-detailed.sample.csv"), "utf8")),
  "2026-12-07",
);
const weekly = master.symbol("NIFTY08DEC2624500CE", "NFO")!;

const order = (o: Record<string, unknown>) => ({
  dhanClientId: "1000000001",
  orderId: "112111182198",
  correlationId: "strat-1",
  orderStatus: "PENDING",
  transactionType: "SELL",
  exchangeSegment: "NSE_FNO",
  productType: "MARGIN",
  orderType: "LIMIT",
  validity: "DAY",
  tradingSymbol: "NIFTY-Dec2026-24500-CE",
  securityId: weekly.token,
  quantity: 130,
  disclosedQuantity: 0,
  price: 112.5,
  triggerPrice: 0,
  createTime: "2026-12-07 10:15:23",
  omsErrorDescription: "",
  remainingQuantity: 130,
  averageTradedPrice: 0,
  filledQty: 0,
  ...o,
});

describe("Dhan orders", () => {
  it("maps a working order to the weekly contract by segment + security id, keeping Dhan's word", () => {
    const o = mapOrder(master, order({}));
    expect(o).toMatchObject({
      symbol: "NIFTY08DEC2624500CE",
      exchange: "NFO",
      action: "SELL",
      product: "NRML",
      priceType: "LIMIT",
      status: "open",
      brokerStatus: "PENDING",
      pendingQuantity: 130,
      averagePrice: null,
      strategy: "strat-1",
    });
    expect(o.price.eq("112.5")).toBe(true);
    expect(o.placedAt?.toISOString()).toBe("2026-12-07T04:45:23.000Z");
  });

  it("partial fills: filled, pending and the average price from the row", () => {
    const o = mapOrder(master, order({ orderStatus: "PART_TRADED", filledQty: 65, averageTradedPrice: 111.95 }));
    expect(o).toMatchObject({ status: "open", filledQuantity: 65, pendingQuantity: 65 });
    expect(o.averagePrice?.eq("111.95")).toBe(true);
  });

  it("rejections carry Dhan's reason; products and types map back", () => {
    const o = mapOrder(
      master,
      order({ orderStatus: "REJECTED", omsErrorDescription: "RMS:Margin Exceeds", productType: "INTRADAY" }),
    );
    expect(o).toMatchObject({ status: "rejected", rejectionReason: "RMS:Margin Exceeds", product: "MIS" });
    expect(mapOrder(master, order({ orderType: "STOP_LOSS_MARKET", productType: "CNC" }))).toMatchObject({
      priceType: "SL-M",
      product: "CNC",
    });
  });

  it("statuses: TRANSIT/PENDING/PART_TRADED work, TRADED completes, EXPIRED is cancelled, unknown stays open", () => {
    expect(
      ["TRANSIT", "PENDING", "PART_TRADED", "TRADED", "REJECTED", "CANCELLED", "EXPIRED", "CLOSED"].map(statusFromDhan),
    ).toEqual(["open", "open", "open", "complete", "rejected", "cancelled", "cancelled", "open"]);
  });

  it("an unreadable row is a bad_response, never a guess", () => {
    const e = (() => {
      try {
        mapOrder(master, { orderId: 1 });
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(BrokerUnavailableError);
    expect((e as BrokerUnavailableError).reason).toBe("bad_response");
  });

  it("trades: one row per exchange trade, the only-filter keeps the asked ids", () => {
    const t = {
      orderId: "1",
      exchangeTradeId: "15",
      transactionType: "BUY",
      exchangeSegment: "NSE_EQ",
      productType: "CNC",
      tradingSymbol: "SBIN",
      securityId: "3045",
      tradedQuantity: 3,
      tradedPrice: 950.05,
      createTime: "2026-12-07 10:00:00",
      exchangeTime: "2026-12-07 10:00:01",
    };
    const trades = mapTrades(master, [t, { ...t, orderId: "2" }], new Set(["1"]));
    expect(trades).toHaveLength(1);
    expect(trades[0]).toMatchObject({ symbol: "SBIN", exchange: "NSE", quantity: 3, tradeId: "15" });
    expect(trades[0].tradeValue.eq("2850.15")).toBe(true);
  });
});

describe("Dhan funds, positions and quotes", () => {
  it("funds: available balance includes collateral; cash excludes it; P&L from the positions", () => {
    const f = mapFunds(
      { availabelBalance: 150000.5, collateralAmount: 50000, utilizedAmount: 20000, sodLimit: 170000 },
      { realised: new Decimal(10), unrealised: new Decimal(-5) },
    );
    expect([f.availableMargin, f.cash, f.collateral, f.utilised].map(String)).toEqual([
      "150000.5",
      "100000.5",
      "50000",
      "20000",
    ]);
    expect(f.availableMargin.eq(f.cash.plus(f.collateral))).toBe(true);
  });

  it("positions: signed net quantity, P&L = realised + unrealised, LTP derived from the unrealised P&L", () => {
    const [p] = mapPositions(master, [
      {
        tradingSymbol: "NIFTY-Dec2026-24500-CE",
        securityId: weekly.token,
        exchangeSegment: "NSE_FNO",
        productType: "INTRADAY",
        costPrice: 100,
        netQty: -130,
        realizedProfit: 50,
        unrealizedProfit: 650,
      },
    ]);
    expect(p).toMatchObject({ symbol: "NIFTY08DEC2624500CE", quantity: -130, product: "MIS" });
    expect(p.pnl.eq(700)).toBe(true);
    expect(p.ltp.eq(95)).toBe(true);
  });

  it("quotes: last price, OHLC with the previous close, best bid/ask, depth without padding", () => {
    const q = quoteEntries({
      status: "success",
      data: {
        NSE_FNO: {
          [weekly.token]: {
            last_price: 112.5,
            ohlc: { open: 100, close: 98.4, high: 120, low: 95 },
            volume: 1000,
            oi: 5000,
            buy_quantity: 650,
            sell_quantity: 130,
            depth: {
              buy: [
                { price: 112.45, quantity: 650, orders: 3 },
                { price: 0, quantity: 0, orders: 0 },
              ],
              sell: [{ price: 112.55, quantity: 130, orders: 1 }],
            },
          },
        },
      },
    }).get(`NSE_FNO:${weekly.token}`)!;
    const quote = toQuote(q);
    expect([quote.ltp, quote.prevClose, quote.bid, quote.ask].map(String)).toEqual([
      "112.5",
      "98.4",
      "112.45",
      "112.55",
    ]);
    const depth = toDepth(q);
    expect(depth.bids).toHaveLength(1);
    expect(depth).toMatchObject({ totalBuyQuantity: 650, totalSellQuantity: 130 });
  });
});

describe("Dhan errors, times and hosts", () => {
  it("classifies by Dhan's error code first, then by HTTP status", () => {
    const e = (code: string, status = 400) =>
      classifyDhanError(status, { errorType: "x", errorCode: code, errorMessage: "m" });
    expect(["DH-901", "DH-904", "DH-905", "DH-906", "DH-907", "DH-908"].map((c) => e(c).kind)).toEqual([
      "auth",
      "rate_limited",
      "validation",
      "rejected",
      "not_found",
      "unavailable",
    ]);
    expect(e("DH-906").message).toBe("DH-906: m");
    expect(classifyDhanError(429, undefined).kind).toBe("rate_limited");
    expect(classifyDhanError(502, "<html>").kind).toBe("unavailable");
  });

  it("reads Dhan's IST wall-clock times", () => {
    expect(istTime("2026-12-08T09:00:00")?.toISOString()).toBe("2026-12-08T03:30:00.000Z");
    expect(istTime("0001-01-01 00:00:00")).toBeNull();
    expect(istTime("NA")).toBeNull();
  });

  it("maps the real API root to Dhan's three hosts, any other root to one server", () => {
    expect(dhanHosts("https://api.dhan.co/v2/")).toEqual({
      api: "https://api.dhan.co/v2",
      auth: "https://auth.dhan.co",
      master: "https://images.dhan.co/api-data/api-scrip-master-detailed.csv",
    });
    expect(dhanHosts("http://127.0.0.1:5140/dhan/v2")).toEqual({
      api: "http://127.0.0.1:5140/dhan/v2",
      auth: "http://127.0.0.1:5140/dhan/auth",
      master: "http://127.0.0.1:5140/dhan/api-data/api-scrip-master-detailed.csv",
    });
  });
});
