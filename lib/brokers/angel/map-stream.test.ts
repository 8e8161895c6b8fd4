import { describe, expect, it } from "vitest";
import { feedTick, readPacket } from "./map-stream";

/** A packet written field by field at the documented offsets (little-endian, prices in paise). */
function packet(mode: 1 | 2 | 3): Buffer {
  const b = Buffer.alloc({ 1: 51, 2: 123, 3: 379 }[mode]);
  b.writeUInt8(mode, 0);
  b.writeUInt8(2, 1);
  b.write("43210", 2, "latin1");
  b.writeBigInt64LE(7n, 27);
  b.writeBigInt64LE(1_796_700_000_000n, 35);
  b.writeBigInt64LE(12_345n, 43);
  if (mode === 1) return b;
  b.writeBigInt64LE(65n, 51);
  b.writeBigInt64LE(12_300n, 59);
  b.writeBigInt64LE(98_765n, 67);
  b.writeDoubleLE(1_300, 75);
  b.writeDoubleLE(650, 83);
  b.writeBigInt64LE(12_000n, 91);
  b.writeBigInt64LE(12_500n, 99);
  b.writeBigInt64LE(11_900n, 107);
  b.writeBigInt64LE(0n, 115);
  if (mode === 2) return b;
  b.writeBigInt64LE(1_796_700_000n, 123);
  b.writeBigInt64LE(4_200n, 131);
  // One bid level, then two ask levels (the rest zero-filled).
  b.writeUInt16LE(1, 147);
  b.writeBigInt64LE(130n, 149);
  b.writeBigInt64LE(12_340n, 157);
  b.writeUInt16LE(3, 165);
  for (const [i, qty, price] of [
    [5, 65n, 12_350n],
    [6, 195n, 12_355n],
  ] as const) {
    b.writeUInt16LE(0, 147 + i * 20);
    b.writeBigInt64LE(qty, 149 + i * 20);
    b.writeBigInt64LE(price, 157 + i * 20);
    b.writeUInt16LE(1, 165 + i * 20);
  }
  return b;
}

describe("readPacket", () => {
  it("reads the LTP packet: token up to its NUL, price from paise, nothing else invented", () => {
    const p = readPacket(packet(1))!;
    expect(p).toMatchObject({ mode: 1, exchangeType: 2, token: "43210", exchangeTime: 1_796_700_000_000 });
    const t = feedTick(p, "NFO", "NIFTY08DEC2624500CE", new Date(0));
    expect(t).toMatchObject({ ltp: "123.45", open: null, volume: null, oi: null, depth: null, bid: null });
    expect(t.exchangeTs).toBe(new Date(1_796_700_000_000).toISOString());
  });

  it("reads the Quote packet; a zero close is no price", () => {
    const t = readPacket(packet(2))!.tick;
    expect(t).toMatchObject({ ltp: "123.45", open: "120", high: "125", low: "119", prevClose: null, volume: 98_765 });
    expect([t.oi, t.depth]).toEqual([null, null]);
  });

  it("reads the SnapQuote packet: OI and the book, dropping zero-filled levels", () => {
    const t = readPacket(packet(3))!.tick;
    expect(t.oi).toBe(4_200);
    expect(t.depth).toEqual({
      buy: [{ price: "123.4", quantity: 130, orders: 3 }],
      sell: [
        { price: "123.5", quantity: 65, orders: 1 },
        { price: "123.55", quantity: 195, orders: 1 },
      ],
    });
    expect([t.bid, t.bidQty, t.ask, t.askQty]).toEqual(["123.4", 130, "123.5", 65]);
  });

  it("refuses short packets, unknown modes and packets without a price", () => {
    expect(readPacket(packet(3).subarray(0, 200))).toBeNull();
    const four = packet(1);
    four.writeUInt8(4, 0);
    expect(readPacket(four)).toBeNull();
    const free = packet(1);
    free.writeBigInt64LE(0n, 43);
    expect(readPacket(free)).toBeNull();
  });
});
