import { describe, expect, it } from "vitest";
import type { Quote } from "@/lib/simulator/types";
import { invalidModeMessage, parseMode, symbolItems, tickData, withRequestId } from "./ws-protocol";

const quote: Quote = {
  symbol: "SBIN",
  exchange: "NSE",
  ltp: 812.5,
  open: 810,
  high: 815,
  low: 805,
  prevClose: 808,
  bid: 812.45,
  ask: 812.55,
  bidQty: 100,
  askQty: 200,
  volume: 5000,
  oi: 0,
  ts: 1_795_319_170_459,
};

describe("ws protocol", () => {
  it("parses modes like test_mode_normalization.py", () => {
    expect([1, 2, 3, "1", "ltp", "Quote", "DEPTH", undefined].map(parseMode)).toEqual([1, 2, 3, 1, 1, 2, 3, 2]);
    for (const bad of [true, 1.5, null, 0, 4, ""]) expect(parseMode(bad)).toBeUndefined();
    expect(invalidModeMessage(4)).toBe("Invalid mode 4; expected 1 (LTP), 2 (Quote), or 3 (Depth)");
  });

  it("echoes request_id only when the request had one", () => {
    expect(withRequestId({ type: "x" }, { request_id: "r1" })).toEqual({ type: "x", request_id: "r1" });
    expect(Object.keys(withRequestId({ type: "x" }, {}))).toEqual(["type"]);
  });

  it("reads the list and single forms and skips incomplete items", () => {
    expect(symbolItems({ symbols: [{ symbol: "SBIN", exchange: "NSE", mode: 1 }, { symbol: "X" }] })).toEqual([
      { symbol: "SBIN", exchange: "NSE", mode: 1 },
    ]);
    expect(symbolItems({ symbol: "SBIN", exchange: "NSE", mode: 3 })).toEqual([
      { symbol: "SBIN", exchange: "NSE", mode: 3 },
    ]);
    expect(symbolItems({})).toBeUndefined();
  });

  it("builds mode payloads with OpenAlgo's keys in order", () => {
    expect(Object.keys(tickData("SBIN", "NSE", 1, quote))).toEqual([
      "symbol",
      "exchange",
      "mode",
      "timestamp",
      "ltp",
      "ltt",
    ]);
    const q = tickData("SBIN", "NSE", 2, quote);
    expect(Object.keys(q).slice(6)).toEqual([
      "volume",
      "oi",
      "open",
      "high",
      "low",
      "close",
      "last_trade_quantity",
      "average_price",
      "total_buy_quantity",
      "total_sell_quantity",
    ]);
    expect(q.close).toBe(808);
    const level = { price: 812.45, quantity: 10, orders: 2 };
    const d = tickData("SBIN", "NSE", 3, quote, { bids: Array(5).fill(level), asks: Array(5).fill(level), quote });
    expect(d.depth).toEqual({ buy: Array(5).fill(level), sell: Array(5).fill(level) });
    expect(d.total_buy_quantity).toBe(50);
  });
});
