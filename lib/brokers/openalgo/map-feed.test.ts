import { describe, expect, it } from "vitest";
import { mapMarketData } from "./map-feed";

const AT = new Date("2026-11-23T04:30:00.000Z");
const frame = (data: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  type: "market_data",
  symbol: "NIFTY08DEC2624500CE",
  exchange: "NFO",
  mode: 1,
  data,
  broker: "zerodha",
  ...extra,
});

describe("mapMarketData", () => {
  it("maps an LTP tick: the price as a decimal string, the exchange time, nothing invented", () => {
    const t = mapMarketData(frame({ ltp: 101.55, ltt: 1_795_400_000_000, timestamp: 1_795_400_000_100 }), AT);
    expect(t).toEqual({
      exchange: "NFO",
      symbol: "NIFTY08DEC2624500CE",
      ltp: "101.55",
      prevClose: null,
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
      exchangeTs: new Date(1_795_400_000_000).toISOString(),
      receivedAt: AT.toISOString(),
    });
  });

  it("maps a depth tick: five levels with sizes, best bid/ask from level 0, padding dropped", () => {
    const level = (price: number, quantity: number, orders: number) => ({ price, quantity, orders });
    const t = mapMarketData(
      frame(
        {
          ltp: 100,
          timestamp: 1_795_400_000_000,
          open: 95,
          high: 104.5,
          low: 94,
          close: 98.25,
          volume: 123_450,
          oi: 987_600,
          depth: {
            buy: [level(99.95, 75, 2), level(99.9, 150, 3), level(0, 0, 0)],
            sell: [level(100.05, 300, 4)],
          },
        },
        { mode: 3 },
      ),
      AT,
    )!;
    expect(t.depth).toEqual({
      buy: [
        { price: "99.95", quantity: 75, orders: 2 },
        { price: "99.9", quantity: 150, orders: 3 },
      ],
      sell: [{ price: "100.05", quantity: 300, orders: 4 }],
    });
    expect(t).toMatchObject({ bid: "99.95", bidQty: 75, ask: "100.05", askQty: 300 });
    expect(t).toMatchObject({ open: "95", high: "104.5", low: "94", prevClose: "98.25", volume: 123_450, oi: 987_600 });
  });

  it("takes best bid/ask from quote fields when no book came, and 0 means none", () => {
    const t = mapMarketData(frame({ ltp: "250.5", bid: "250.45", ask: 0, bid_qty: 40, ask_qty: 10, close: 0 }), AT)!;
    expect(t).toMatchObject({ ltp: "250.5", bid: "250.45", bidQty: 40, ask: null, askQty: null, prevClose: null });
  });

  it("reads exchange times in epoch seconds as such", () => {
    const t = mapMarketData(frame({ ltp: 10, ltt: 1_795_400_000 }), AT)!;
    expect(t.exchangeTs).toBe(new Date(1_795_400_000_000).toISOString());
    expect(mapMarketData(frame({ ltp: 10 }), AT)!.exchangeTs).toBeNull();
  });

  it("never writes a price in exponent notation", () => {
    expect(mapMarketData(frame({ ltp: 1e-7 }), AT)!.ltp).toBe("0.0000001");
    expect(mapMarketData(frame({ ltp: 12345678901234 }), AT)!.ltp).toBe("12345678901234");
  });

  it("skips frames that are not ticks or carry no price", () => {
    expect(mapMarketData(frame({ ltp: 0 }), AT)).toBeNull();
    expect(mapMarketData(frame({}), AT)).toBeNull();
    expect(mapMarketData(frame({ ltp: "abc" }), AT)).toBeNull();
    expect(mapMarketData({ type: "pong" }, AT)).toBeNull();
    expect(mapMarketData({ ...frame({ ltp: 1 }), symbol: "" }, AT)).toBeNull();
  });

  it("ignores malformed optional fields instead of dropping the tick", () => {
    const t = mapMarketData(frame({ ltp: 5, volume: "lots", oi: -3, depth: { buy: [{ price: "x" }], sell: 7 } }), AT)!;
    expect(t).toMatchObject({ ltp: "5", volume: null, oi: null, depth: null, bid: null });
  });
});
