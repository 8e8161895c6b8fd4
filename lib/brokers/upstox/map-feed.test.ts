/** Upstox feed entries → ticks: each mode's fields, zero prices as none, unreadable entries dropped. */
import { describe, expect, it } from "vitest";
import { mapFeed } from "./map-feed";

const at = new Date("2026-12-08T04:00:00.000Z");
const ltpc = { ltp: 101.5, ltt: "1796702400000", ltq: "75", cp: 99 };
const full = {
  fullFeed: {
    marketFF: {
      ltpc,
      marketLevel: {
        bidAskQuote: [
          { bidQ: "150", bidP: 101.45, askQ: "75", askP: 101.55 },
          { bidQ: "0", bidP: 0, askQ: "60", askP: 101.6 },
        ],
      },
      marketOHLC: {
        ohlc: [
          { interval: "I1", open: 101, high: 102, low: 100.5, close: 101.5 },
          { interval: "1d", open: 98, high: 104, low: 97.25, close: 101.5 },
        ],
      },
      vtt: "123450",
      oi: 98765,
    },
  },
};
const item = (mode: 1 | 2 | 3) => ({ symbol: "NIFTY29DEC2624500CE", exchange: "NFO", mode });

describe("mapFeed", () => {
  it("maps LTP mode to the last price, previous close and exchange time only", () => {
    expect(mapFeed({ ltpc }, item(1), at)).toEqual({
      exchange: "NFO",
      symbol: "NIFTY29DEC2624500CE",
      ltp: "101.5",
      prevClose: "99",
      open: null,
      high: null,
      low: null,
      bid: null,
      bidQty: null,
      ask: null,
      askQty: null,
      depth: null,
      volume: null,
      oi: null,
      exchangeTs: new Date(1796702400000).toISOString(),
      receivedAt: at.toISOString(),
    });
  });

  it("maps quote mode to the day candle, volume and OI, without the book", () => {
    expect(mapFeed(full, item(2), at)).toMatchObject({
      open: "98",
      high: "104",
      low: "97.25",
      volume: 123450,
      oi: 98765,
      depth: null,
      bid: null,
    });
  });

  it("maps depth mode's book without empty levels, best first", () => {
    expect(mapFeed(full, item(3), at)).toMatchObject({
      bid: "101.45",
      bidQty: 150,
      ask: "101.55",
      askQty: 75,
      depth: {
        buy: [{ price: "101.45", quantity: 150, orders: null }],
        sell: [
          { price: "101.55", quantity: 75, orders: null },
          { price: "101.6", quantity: 60, orders: null },
        ],
      },
    });
  });

  it("reads index feeds and drops entries without a usable price", () => {
    const index = { fullFeed: { indexFF: { ltpc: { ltp: 24510.3, cp: 0 }, marketOHLC: { ohlc: [] } } } };
    expect(mapFeed(index, item(2), at)).toMatchObject({ ltp: "24510.3", prevClose: null, open: null, volume: null });
    expect(mapFeed({ ltpc: { ltp: 0 } }, item(1), at)).toBeNull();
    expect(mapFeed({ marketInfo: {} }, item(1), at)).toBeNull();
    expect(mapFeed("garbage", item(1), at)).toBeNull();
  });
});
