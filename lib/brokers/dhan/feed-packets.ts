/**
 * Dhan Live Market Feed packets → plain values (docs/brokers/dhan.md "Market data stream"). Every packet is
 * little-endian and opens with an 8-byte header: response code (u8), packet length (u16), exchange segment (u8),
 * security id (u32). Prices are float32 rupees, quantities unsigned 32-bit (the last traded quantity 16-bit), times
 * seconds counted in IST wall-clock time.
 */

/** Exchange segment numbers of the feed → the REST API's segment names. */
export const FEED_SEGMENTS: Record<number, string> = {
  0: "IDX_I",
  1: "NSE_EQ",
  2: "NSE_FNO",
  3: "NSE_CURRENCY",
  4: "BSE_EQ",
  5: "MCX_COMM",
  7: "BSE_CURRENCY",
  8: "BSE_FNO",
};
export const SEGMENT_NUMBERS: Record<string, number> = Object.fromEntries(
  Object.entries(FEED_SEGMENTS).map(([n, s]) => [s, Number(n)]),
);

/** Disconnect reasons (packet code 50) and what they mean. */
export const DISCONNECT_REASONS: Record<number, string> = {
  805: "too many connections for this client",
  806: "the client has no data plan",
  807: "access token expired",
  808: "invalid client id",
  809: "authentication failed",
};

export interface FeedLevelRaw {
  bidQty: number;
  askQty: number;
  bidOrders: number;
  askOrders: number;
  bidPrice: number;
  askPrice: number;
}

interface Head {
  segment: number;
  securityId: number;
}

export type FeedPacket =
  | (Head & { kind: "ticker"; ltp: number; ltt: number })
  | (Head & { kind: "prevClose"; prevClose: number; prevOi: number })
  | (Head & { kind: "oi"; oi: number })
  | (Head & {
      kind: "quote";
      ltp: number;
      ltt: number;
      volume: number;
      totalSell: number;
      totalBuy: number;
      open: number;
      dayClose: number;
      high: number;
      low: number;
    })
  | (Head & {
      kind: "full";
      ltp: number;
      ltt: number;
      volume: number;
      totalSell: number;
      totalBuy: number;
      oi: number;
      open: number;
      dayClose: number;
      high: number;
      low: number;
      levels: FeedLevelRaw[];
    })
  | (Head & { kind: "disconnect"; reason: number })
  | (Head & { kind: "other"; code: number });

/** Smallest size of each response code's packet. */
const SIZES: Record<number, number> = { 1: 16, 2: 16, 4: 50, 5: 12, 6: 16, 8: 162, 50: 10 };

/** The packets in one binary message (Dhan may put several in one frame); throws on a truncated one. */
export function decodeFeed(data: Buffer): FeedPacket[] {
  const out: FeedPacket[] = [];
  let at = 0;
  while (at + 8 <= data.length) {
    const code = data.readUInt8(at);
    const declared = data.readUInt16LE(at + 1);
    const size = Math.max(declared, SIZES[code] ?? 8);
    if (at + size > data.length) throw new RangeError(`Dhan feed packet ${code} cut short`);
    out.push(decodeOne(data.subarray(at, at + size), code));
    at += size;
  }
  if (at !== data.length) throw new RangeError("Dhan feed frame with trailing bytes");
  return out;
}

function decodeOne(b: Buffer, code: number): FeedPacket {
  const head = { segment: b.readUInt8(3), securityId: b.readUInt32LE(4) };
  switch (code) {
    case 1: // index packets share the ticker's layout
    case 2:
      return { ...head, kind: "ticker", ltp: b.readFloatLE(8), ltt: b.readUInt32LE(12) };
    case 6:
      return { ...head, kind: "prevClose", prevClose: b.readFloatLE(8), prevOi: b.readUInt32LE(12) };
    case 5:
      return { ...head, kind: "oi", oi: b.readUInt32LE(8) };
    case 4:
      return {
        ...head,
        kind: "quote",
        ltp: b.readFloatLE(8),
        ltt: b.readUInt32LE(14),
        volume: b.readUInt32LE(22),
        totalSell: b.readUInt32LE(26),
        totalBuy: b.readUInt32LE(30),
        open: b.readFloatLE(34),
        dayClose: b.readFloatLE(38),
        high: b.readFloatLE(42),
        low: b.readFloatLE(46),
      };
    case 8: {
      const levels: FeedLevelRaw[] = [];
      for (let i = 0; i < 5; i++) {
        const at = 62 + i * 20;
        levels.push({
          bidQty: b.readUInt32LE(at),
          askQty: b.readUInt32LE(at + 4),
          bidOrders: b.readUInt16LE(at + 8),
          askOrders: b.readUInt16LE(at + 10),
          bidPrice: b.readFloatLE(at + 12),
          askPrice: b.readFloatLE(at + 16),
        });
      }
      return {
        ...head,
        kind: "full",
        ltp: b.readFloatLE(8),
        ltt: b.readUInt32LE(14),
        volume: b.readUInt32LE(22),
        totalSell: b.readUInt32LE(26),
        totalBuy: b.readUInt32LE(30),
        oi: b.readUInt32LE(34),
        open: b.readFloatLE(46),
        dayClose: b.readFloatLE(50),
        high: b.readFloatLE(54),
        low: b.readFloatLE(58),
        levels,
      };
    }
    case 50:
      return { ...head, kind: "disconnect", reason: b.readUInt16LE(8) };
    default:
      return { ...head, kind: "other", code };
  }
}
