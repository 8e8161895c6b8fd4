/**
 * Dhan stream mapping on hand-built frames shaped as DhanHQ v2 documents them: binary feed packets (header, byte
 * offsets, float32 prices, IST trade times, several packets in one frame, truncation) and JSON order alerts (codes,
 * title-case statuses, partial fills, rejections).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { InstrumentMaster } from "@/lib/brokers/instruments";
import { BrokerUnavailableError } from "@/lib/errors";
import { decodeFeed } from "./feed-packets";
import { type Subscribed, tickOf } from "./map-feed";
import { mapOrderAlert } from "./map-order-alert";
import { parseDhanMaster } from "./master";

const master = new InstrumentMaster(
  parseDhanMaster(readFileSync(path.join(__dirname, "fixtures/api-scrip-master-detailed.sample.csv"), "utf8")),
  "2026-12-07",
);
const weekly = master.symbol("NIFTY08DEC2624500CE", "NFO")!;
const at = new Date("2026-12-08T04:00:00Z");
/** 09:30:00 IST on 2026-12-08, as the feed counts it (UTC epoch seconds + 19 800). */
const LTT = Date.UTC(2026, 11, 8, 4, 0, 0) / 1000 + 19_800;

function head(code: number, size: number, segment: number, id: number): Buffer {
  const b = Buffer.alloc(size);
  b.writeUInt8(code, 0);
  b.writeUInt16LE(size, 1);
  b.writeUInt8(segment, 3);
  b.writeUInt32LE(id, 4);
  return b;
}

describe("feed packets", () => {
  it("reads prev close, OI and quote packets into a mode-2 tick", () => {
    const prev = head(6, 16, 2, 41234);
    prev.writeFloatLE(101.3, 8);
    const oi = head(5, 12, 2, 41234);
    oi.writeUInt32LE(650_000, 8);
    const q = head(4, 50, 2, 41234);
    q.writeFloatLE(104.35, 8);
    q.writeUInt32LE(LTT, 14);
    q.writeUInt32LE(1_234_500, 22);
    q.writeFloatLE(99.8, 34);
    q.writeFloatLE(106.05, 42);
    q.writeFloatLE(98.1, 46);
    const packets = decodeFeed(Buffer.concat([prev, oi, q]));
    expect(packets.map((p) => p.kind)).toEqual(["prevClose", "oi", "quote"]);
    expect(packets[2]).toMatchObject({ segment: 2, securityId: 41234 });
    const sub: Subscribed = { exchange: "NFO", symbol: weekly.symbol, prevClose: null, oi: null };
    const ticks = packets.map((p) => tickOf(p, sub, at));
    expect(ticks.slice(0, 2)).toEqual([null, null]);
    expect(ticks[2]).toEqual({
      exchange: "NFO",
      symbol: weekly.symbol,
      ltp: "104.35",
      prevClose: "101.3",
      open: "99.8",
      high: "106.05",
      low: "98.1",
      bid: null,
      bidQty: null,
      ask: null,
      askQty: null,
      depth: null,
      volume: 1_234_500,
      oi: 650_000,
      exchangeTs: "2026-12-08T04:00:00.000Z",
      receivedAt: at.toISOString(),
    });
  });

  it("reads a full packet's book (padding levels dropped) and a ticker's price only", () => {
    const f = head(8, 162, 1, 1333);
    f.writeFloatLE(1520.5, 8);
    f.writeUInt32LE(LTT, 14);
    f.writeUInt32LE(9_000, 22);
    f.writeFloatLE(1500, 46);
    f.writeUInt32LE(40, 62);
    f.writeUInt32LE(25, 66);
    f.writeUInt16LE(3, 70);
    f.writeUInt16LE(2, 72);
    f.writeFloatLE(1520.45, 74);
    f.writeFloatLE(1520.55, 78);
    const sub: Subscribed = { exchange: "NSE", symbol: "RELIANCE", prevClose: "1510", oi: null };
    const tick = tickOf(decodeFeed(f)[0], sub, at)!;
    expect(tick.depth).toEqual({
      buy: [{ price: "1520.45", quantity: 40, orders: 3 }],
      sell: [{ price: "1520.55", quantity: 25, orders: 2 }],
    });
    expect(tick).toMatchObject({ bid: "1520.45", bidQty: 40, ask: "1520.55", askQty: 25, prevClose: "1510", oi: 0 });
    const t = head(2, 16, 1, 1333);
    t.writeFloatLE(1520.6, 8);
    t.writeUInt32LE(LTT, 12);
    expect(tickOf(decodeFeed(t)[0], sub, at)).toMatchObject({ ltp: "1520.6", prevClose: null, volume: null });
  });

  it("reads a disconnect reason, and refuses a truncated packet", () => {
    const x = head(50, 10, 0, 0);
    x.writeUInt16LE(807, 8);
    expect(decodeFeed(x)).toEqual([{ kind: "disconnect", segment: 0, securityId: 0, reason: 807 }]);
    expect(() => decodeFeed(head(4, 50, 1, 1).subarray(0, 30))).toThrow(RangeError);
  });
});

const alert = (data: Record<string, unknown>) => ({
  Type: "order_alert",
  Data: {
    Exchange: "NSE",
    Segment: "D",
    SecurityId: weekly.token,
    OrderNo: "1124091136546",
    Product: "M",
    TxnType: "S",
    OrderType: "LMT",
    Quantity: 130,
    TradedQty: 0,
    RemainingQuantity: 130,
    Price: 104.5,
    TradedPrice: 0,
    AvgTradedPrice: 0,
    Status: "Pending",
    ReasonDescription: "CONFIRMED",
    Symbol: "NIFTY-Dec2026-24500-CE",
    ...data,
  },
});

describe("order alerts", () => {
  it("maps codes and a partial fill through the master", () => {
    const u = mapOrderAlert(
      master,
      alert({ Status: "Part_Traded", TradedQty: 65, RemainingQuantity: 65, AvgTradedPrice: 104.45 }),
    );
    expect(u).toMatchObject({
      orderId: "1124091136546",
      symbol: weekly.symbol,
      exchange: "NFO",
      action: "SELL",
      priceType: "LIMIT",
      product: "NRML",
      quantity: 130,
      filledQuantity: 65,
      pendingQuantity: 65,
      status: "open",
      brokerStatus: "PART_TRADED",
      rejectionReason: null,
    });
    expect(u.averagePrice!.toFixed()).toBe("104.45");
  });

  it("maps a fill, a rejection with its reason, and refuses an alert it cannot read", () => {
    const done = mapOrderAlert(
      master,
      alert({ Status: "Traded", TradedQty: 130, RemainingQuantity: 0, AvgTradedPrice: 104.4 }),
    );
    expect(done).toMatchObject({ status: "complete", filledQuantity: 130, pendingQuantity: 0 });
    const rejected = mapOrderAlert(master, alert({ Status: "Rejected", ReasonDescription: "RMS: margin shortfall" }));
    expect(rejected).toMatchObject({
      status: "rejected",
      rejectionReason: "RMS: margin shortfall",
      averagePrice: null,
    });
    expect(() => mapOrderAlert(master, { Type: "order_alert", Data: { OrderNo: "1" } })).toThrow(
      BrokerUnavailableError,
    );
  });
});
