/**
 * The Fyers front-end's translation of the engine's books and instruments: Fyers tickers (weekly and monthly), fyTokens,
 * the CSV master's columns, order status numbers with fills from the trade book, signed positions, the funds ledger.
 */
import { describe, expect, it } from "vitest";
import { createMarket } from "@/lib/simulator/market/market";
import type { InstanceState } from "@/lib/simulator/types";
import { istInstant } from "@/lib/trading/calendar";
import { fillsByOrder, fyersDateTime, orderRow, positionsBody } from "./accounts";
import { fundsBody } from "./ledger";
import { masterDownload } from "./market-data";
import { symbology } from "./symbols";

const market = createMarket({
  seed: 11,
  clock: { mode: "fixed", startAt: istInstant("2026-12-08", "10:00") },
  alwaysOpen: true,
});
const sym = symbology(market);
const inst = { id: "fy1" } as InstanceState;

describe("fyers symbology of the simulated market", () => {
  it("spells weekly options YYMDD, monthly ones YYMMM, futures YYMMMFUT, indices and equities by name", () => {
    const ticker = (symbol: string, exchange: string) => sym.byOpenAlgo.get(`${exchange}:${symbol}`)?.entry.symTicker;
    expect(ticker("NIFTY08DEC2626000CE", "NFO")).toBe("NSE:NIFTY26D0826000CE");
    expect(ticker("NIFTY29DEC2626000PE", "NFO")).toBe("NSE:NIFTY26DEC26000PE");
    expect(ticker("NIFTY29DEC26FUT", "NFO")).toBe("NSE:NIFTY26DECFUT");
    expect(ticker("NIFTY", "NSE_INDEX")).toBe("NSE:NIFTY50-INDEX");
    expect(ticker("BANKNIFTY", "NSE_INDEX")).toBe("NSE:NIFTYBANK-INDEX");
    expect(ticker("SENSEX", "BSE_INDEX")).toBe("BSE:SENSEX-INDEX");
    expect(ticker("SBIN", "NSE")).toBe("NSE:SBIN-EQ");
    const sensexWeekly = [...sym.byTicker.keys()].find((t) => /^BSE:SENSEX26D10\d+CE$/.test(t));
    expect(sensexWeekly).toBeDefined();
  });

  it("gives fyTokens as exchange, segment, YYMMDD and the exchange token, and expiries at 15:30 IST", () => {
    const fut = sym.byTicker.get("NSE:NIFTY26DECFUT")!;
    expect(fut.entry.fyToken).toBe(`1011261229${fut.instrument.token}`);
    expect(Number(fut.entry.expiryDate) * 1000).toBe(istInstant("2026-12-29", "15:30"));
    expect(fut.entry).toMatchObject({ exchange: 10, segment: 11, exInstType: 11, optType: "XX", underSym: "NIFTY" });
    expect(sym.byTicker.get("NSE:NIFTY50-INDEX")!.entry.fyToken).toBe("101000000026000");
  });

  it("downloads the CSV master with Fyers' 21 header-less columns", () => {
    const csv = String(masterDownload("/sym_details/NSE_FO.csv", sym)!.body).trim().split("\n");
    const line = csv.find((l) => l.includes(",NSE:NIFTY26D0826000CE,"))!.split(",");
    expect(line).toHaveLength(21);
    expect(line[1]).toBe("NIFTY 26 Dec 08 26000 CE");
    expect([line[2], line[3], line[9], line[10], line[11], line[13], line[15], line[16]]).toEqual([
      "14",
      "65",
      "NSE:NIFTY26D0826000CE",
      "10",
      "11",
      "NIFTY",
      "26000.0",
      "CE",
    ]);
    expect(masterDownload("/sym_details/NOPE.csv", sym)).toBeUndefined();
  });
});

describe("fyers account answers from the engine's books", () => {
  const trades = [
    {
      orderid: "A",
      symbol: "NIFTY29DEC26FUT",
      exchange: "NFO",
      action: "BUY",
      product: "NRML",
      quantity: "65",
      average_price: "100.00",
      trade_value: "6500.00",
      timestamp: "2026-12-08 10:00:01",
    },
    {
      orderid: "A",
      symbol: "NIFTY29DEC26FUT",
      exchange: "NFO",
      action: "BUY",
      product: "NRML",
      quantity: "65",
      average_price: "102.00",
      trade_value: "6630.00",
      timestamp: "2026-12-08 10:00:02",
    },
  ];
  const order = (status: string, extra = {}) => ({
    orderid: "A",
    symbol: "NIFTY29DEC26FUT",
    exchange: "NFO",
    action: "BUY",
    product: "NRML",
    quantity: "195",
    pricetype: "LIMIT",
    price: "105.00",
    trigger_price: "0.00",
    order_status: status,
    timestamp: "2026-12-08 10:00:00",
    ...extra,
  });

  it("reports fills and their average from the trade book, and Fyers' status numbers", () => {
    const row = orderRow(inst, sym, order("open"), fillsByOrder(trades));
    expect(row).toMatchObject({ status: 6, filledQty: 130, remainingQuantity: 65, tradedPrice: 101, type: 1, side: 1 });
    expect(row).toMatchObject({
      productType: "MARGIN",
      symbol: "NSE:NIFTY26DECFUT",
      orderDateTime: "08-Dec-2026 10:00:00",
    });
    expect(orderRow(inst, sym, order("cancelled"), new Map())).toMatchObject({ status: 1, remainingQuantity: 0 });
    expect(orderRow(inst, sym, order("rejected", { rejection_reason: "RMS:Margin" }), new Map())).toMatchObject({
      status: 5,
      message: "RMS:Margin",
    });
    expect(orderRow(inst, sym, order("complete"), fillsByOrder(trades)).status).toBe(2);
  });

  it("signs positions and splits realised from unrealised P&L", () => {
    const body = positionsBody(
      sym,
      [
        {
          symbol: "NIFTY29DEC26FUT",
          exchange: "NFO",
          product: "MIS",
          quantity: "-65",
          average_price: "100.00",
          ltp: "90.00",
          pnl: "700.00",
        },
      ],
      [],
    );
    const [p] = body.netPositions as Record<string, number>[];
    expect(p).toMatchObject({
      netQty: -65,
      qty: 65,
      side: -1,
      unrealized_profit: 650,
      realized_profit: 50,
      pl: 700,
      sellQty: 65,
    });
    expect(body.overall).toMatchObject({ count_open: 1, pl_total: 700 });
  });

  it("builds the funds ledger so that available balance = clear balance + collateral", () => {
    const lines = fundsBody({
      availablecash: "785000.00",
      collateral: "15000.00",
      utiliseddebits: "215000.00",
      m2mrealized: "0",
    }).fund_limit as { id: number; equityAmount: number }[];
    const by = (id: number) => lines.find((l) => l.id === id)!.equityAmount;
    expect([by(1), by(2), by(3), by(5), by(10)]).toEqual([1000000, 215000, 785000, 15000, 800000]);
  });

  it("prints engine timestamps as Fyers does", () => {
    expect(fyersDateTime("2027-01-05 15:29:59")).toBe("05-Jan-2027 15:29:59");
  });
});
