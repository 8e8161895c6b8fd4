/**
 * The simulated Dhan Live Market Feed's binary answers (docs/brokers/dhan.md "Market data stream"): every packet is
 * little-endian and starts with the 8-byte header (response code u8, packet length u16, exchange segment u8, security
 * id u32). Prices are float32 rupees; the last trade time is seconds counted in IST wall-clock time.
 *
 * Written independently of the connector's parser (lib/brokers/dhan/feed-packets.ts) on purpose: the protocol test
 * checks these bytes against the documented offsets, so one side's mistake cannot hide the other's.
 */
import type { Depth, Quote } from "@/lib/simulator/types";

/** Exchange segments as the feed numbers them. */
export const FEED_SEGMENT_CODES: Record<string, number> = {
  IDX_I: 0,
  NSE_EQ: 1,
  NSE_FNO: 2,
  NSE_CURRENCY: 3,
  BSE_EQ: 4,
  MCX_COMM: 5,
  BSE_CURRENCY: 7,
  BSE_FNO: 8,
};

export const RESPONSE = { ticker: 2, quote: 4, oi: 5, prevClose: 6, full: 8, disconnect: 50 } as const;

/** Disconnect reasons the feed sends before it closes a connection. */
export const DISCONNECT = {
  tooManyConnections: 805,
  noDataPlan: 806,
  tokenExpired: 807,
  badClientId: 808,
  authFailed: 809,
};

const IST_OFFSET_S = 19_800;

function packet(code: number, length: number, segment: number, securityId: number): Buffer {
  const b = Buffer.alloc(length);
  b.writeUInt8(code, 0);
  b.writeUInt16LE(length, 1);
  b.writeUInt8(segment, 3);
  b.writeUInt32LE(securityId, 4);
  return b;
}

/** Last trade time as the feed sends it: epoch seconds shifted to IST wall-clock time. */
const ltt = (ms: number) => Math.floor(ms / 1000) + IST_OFFSET_S;

export function tickerPacket(segment: number, securityId: number, q: Quote): Buffer {
  const b = packet(RESPONSE.ticker, 16, segment, securityId);
  b.writeFloatLE(q.ltp, 8);
  b.writeUInt32LE(ltt(q.ts), 12);
  return b;
}

export function prevClosePacket(segment: number, securityId: number, q: Quote): Buffer {
  const b = packet(RESPONSE.prevClose, 16, segment, securityId);
  b.writeFloatLE(q.prevClose, 8);
  // The simulated market keeps no previous day's open interest apart from today's.
  b.writeUInt32LE(q.oi, 12);
  return b;
}

export function oiPacket(segment: number, securityId: number, q: Quote): Buffer {
  const b = packet(RESPONSE.oi, 12, segment, securityId);
  b.writeUInt32LE(q.oi, 8);
  return b;
}

/** Fields shared by quote and full packets from byte 8 to 34. */
function trade(b: Buffer, q: Quote, buyQty: number, sellQty: number): void {
  b.writeFloatLE(q.ltp, 8);
  // The market model keeps no last trade quantity or VWAP: 0 and the last price stand in.
  b.writeUInt16LE(0, 12);
  b.writeUInt32LE(ltt(q.ts), 14);
  b.writeFloatLE(q.ltp, 18);
  b.writeUInt32LE(q.volume, 22);
  b.writeUInt32LE(sellQty, 26);
  b.writeUInt32LE(buyQty, 30);
}

/** Day close is sent only after the session; during it the field is 0. */
export function quotePacket(segment: number, securityId: number, q: Quote, dayClose: number): Buffer {
  const b = packet(RESPONSE.quote, 50, segment, securityId);
  trade(b, q, q.bidQty, q.askQty);
  b.writeFloatLE(q.open, 34);
  b.writeFloatLE(dayClose, 38);
  b.writeFloatLE(q.high, 42);
  b.writeFloatLE(q.low, 46);
  return b;
}

export function fullPacket(segment: number, securityId: number, d: Depth, dayClose: number): Buffer {
  const q = d.quote;
  const b = packet(RESPONSE.full, 162, segment, securityId);
  const sum = (ls: Depth["bids"]) => ls.reduce((s, l) => s + l.quantity, 0);
  trade(b, q, sum(d.bids), sum(d.asks));
  b.writeUInt32LE(q.oi, 34);
  b.writeUInt32LE(q.oi, 38);
  b.writeUInt32LE(q.oi, 42);
  b.writeFloatLE(q.open, 46);
  b.writeFloatLE(dayClose, 50);
  b.writeFloatLE(q.high, 54);
  b.writeFloatLE(q.low, 58);
  for (let i = 0; i < 5; i++) {
    const at = 62 + i * 20;
    const bid = d.bids[i];
    const ask = d.asks[i];
    b.writeUInt32LE(bid?.quantity ?? 0, at);
    b.writeUInt32LE(ask?.quantity ?? 0, at + 4);
    b.writeUInt16LE(bid?.orders ?? 0, at + 8);
    b.writeUInt16LE(ask?.orders ?? 0, at + 10);
    b.writeFloatLE(bid?.price ?? 0, at + 12);
    b.writeFloatLE(ask?.price ?? 0, at + 16);
  }
  return b;
}

export function disconnectPacket(reason: number): Buffer {
  const b = packet(RESPONSE.disconnect, 10, 0, 0);
  b.writeUInt16LE(reason, 8);
  return b;
}
