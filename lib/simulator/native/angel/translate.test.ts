/** The Angel front-end's translation of engine books into Angel's rows. */
import { describe, expect, it } from "vitest";
import type { AngelMaster, AngelScrip } from "./master";
import { angelTime, orderBookRows, positionRows, rmsLimits, tradeBookRows } from "./translate";

const scrip: AngelScrip = {
  token: "40001",
  symbol: "NIFTY08DEC2626000CE",
  name: "NIFTY",
  expiry: "08DEC2026",
  strike: "2600000.000000",
  lotsize: "65",
  instrumenttype: "OPTIDX",
  exch_seg: "NFO",
  tick_size: "5.000000",
};
const master: AngelMaster = {
  rows: [scrip],
  byToken: () => undefined,
  bySymbol: (symbol, exchange) => (symbol === "NIFTY08DEC2626000CE" && exchange === "NFO" ? scrip : undefined),
};
const order = (o: Record<string, unknown>) => ({
  action: "BUY",
  exchange: "NFO",
  symbol: "NIFTY08DEC2626000CE",
  price: "120.00",
  pricetype: "LIMIT",
  product: "NRML",
  quantity: "130",
  timestamp: "2026-12-08 09:20:31",
  trigger_price: "0.00",
  ...o,
});

describe("angel front-end translation", () => {
  it("joins partial fills from the trade book into filledshares, unfilledshares and averageprice", () => {
    const rows = orderBookRows(
      master,
      [order({ orderid: "1", order_status: "open" })],
      [
        { orderid: "1", quantity: "65", average_price: "120.00" },
        { orderid: "2", quantity: "65", average_price: "99.00" },
      ],
    );
    expect(rows[0]).toMatchObject({
      orderid: "1",
      tradingsymbol: "NIFTY08DEC2626000CE",
      symboltoken: "40001",
      producttype: "CARRYFORWARD",
      ordertype: "LIMIT",
      status: "open",
      filledshares: "65",
      unfilledshares: "65",
      averageprice: 120,
      strikeprice: 26000,
      optiontype: "CE",
      expirydate: "08DEC2026",
      updatetime: "08-Dec-2026 09:20:31",
    });
  });

  it("a cancelled order has nothing unfilled; a stop order is of the STOPLOSS variety", () => {
    const [row] = orderBookRows(master, [order({ orderid: "3", order_status: "cancelled", pricetype: "SL" })], []);
    expect(row).toMatchObject({
      unfilledshares: "0",
      cancelsize: "130",
      variety: "STOPLOSS",
      ordertype: "STOPLOSS_LIMIT",
    });
  });

  it("trades, positions (signed netqty) and RMS limits (availablecash before margin in use)", () => {
    const [t] = tradeBookRows(master, [
      {
        orderid: "1",
        symbol: "NIFTY08DEC2626000CE",
        exchange: "NFO",
        action: "SELL",
        product: "MIS",
        quantity: "65",
        average_price: "101.5",
        trade_value: "6597.5",
        timestamp: "2026-12-08 10:00:01",
      },
    ]);
    expect(t).toMatchObject({ fillsize: "65", fillprice: 101.5, filltime: "10:00:01", producttype: "INTRADAY" });
    const [p] = positionRows(master, [
      {
        symbol: "NIFTY08DEC2626000CE",
        exchange: "NFO",
        product: "NRML",
        quantity: "-65",
        average_price: "101.5",
        ltp: "99",
        pnl: "162.5",
      },
    ]);
    expect(p).toMatchObject({ netqty: "-65", sellqty: "65", buyqty: "0", sellavgprice: "101.50", pnl: "162.50" });
    expect(
      rmsLimits({
        availablecash: "785000",
        utiliseddebits: "215000",
        collateral: "50000",
        m2mrealized: 0,
        m2munrealized: "-19.5",
      }),
    ).toMatchObject({
      net: "835000.00",
      availablecash: "1000000.00",
      utiliseddebits: "215000.00",
      m2munrealized: "-19.50",
    });
    expect(angelTime("garbled")).toBe("garbled");
  });
});
