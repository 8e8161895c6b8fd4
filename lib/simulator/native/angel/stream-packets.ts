/**
 * SmartStream 2.0 binary ticks as the simulator sends them (docs/brokers/angel.md "Market data stream"): one
 * little-endian packet per (token, mode), 51 bytes for LTP, 123 for Quote, 379 for SnapQuote. Prices are integers
 * in paise; total buy/sell quantities and the OI change are float64.
 */
import type { Depth, Quote } from "@/lib/simulator/types";

export const PACKET_BYTES = { 1: 51, 2: 123, 3: 379 } as const;
export type StreamMode = keyof typeof PACKET_BYTES;

/** SmartStream's exchange types of Angel's segments (the subscribe request's `exchangeType`). */
export const EXCHANGE_TYPES: Record<string, number> = { NSE: 1, NFO: 2, BSE: 3, BFO: 4, MCX: 5, NCDEX: 7, CDS: 13 };

const paise = (rupees: number) => BigInt(Math.round(rupees * 100));

export interface PacketInput {
  mode: StreamMode;
  exchangeType: number;
  token: string;
  sequence: number;
  quote: Quote;
  /** Needed for SnapQuote (the five best levels each side); Quote mode totals use it when present. */
  depth?: Depth;
}

export function encodePacket(p: PacketInput): Buffer {
  const b = Buffer.alloc(PACKET_BYTES[p.mode]);
  const q = p.quote;
  b.writeUInt8(p.mode, 0);
  b.writeUInt8(p.exchangeType, 1);
  // 25 bytes, NUL-padded.
  b.write(p.token.slice(0, 25), 2, "latin1");
  b.writeBigInt64LE(BigInt(p.sequence), 27);
  b.writeBigInt64LE(BigInt(q.ts), 35);
  b.writeBigInt64LE(paise(q.ltp), 43);
  if (p.mode === 1) return b;
  // The market has no per-trade size or VWAP: last traded quantity 0, average price = LTP.
  b.writeBigInt64LE(0n, 51);
  b.writeBigInt64LE(paise(q.ltp), 59);
  b.writeBigInt64LE(BigInt(q.volume), 67);
  const sum = (ls: Depth["bids"]) => ls.reduce((s, l) => s + l.quantity, 0);
  b.writeDoubleLE(p.depth ? sum(p.depth.bids) : q.bidQty, 75);
  b.writeDoubleLE(p.depth ? sum(p.depth.asks) : q.askQty, 83);
  b.writeBigInt64LE(paise(q.open), 91);
  b.writeBigInt64LE(paise(q.high), 99);
  b.writeBigInt64LE(paise(q.low), 107);
  b.writeBigInt64LE(paise(q.prevClose), 115);
  if (p.mode === 2) return b;
  b.writeBigInt64LE(BigInt(Math.floor(q.ts / 1000)), 123);
  b.writeBigInt64LE(BigInt(q.oi), 131);
  b.writeDoubleLE(0, 139);
  // Ten 20-byte levels: five bids (flag 1) then five asks (flag 0), best first; empty levels stay zero.
  const levels = [
    ...pad(p.depth?.bids ?? []).map((l) => ({ ...l, flag: 1 })),
    ...pad(p.depth?.asks ?? []).map((l) => ({ ...l, flag: 0 })),
  ];
  levels.forEach((l, i) => {
    const at = 147 + i * 20;
    if (l.quantity === 0) return;
    b.writeUInt16LE(l.flag, at);
    b.writeBigInt64LE(BigInt(l.quantity), at + 2);
    b.writeBigInt64LE(paise(l.price), at + 10);
    b.writeUInt16LE(Math.min(l.orders, 0xffff), at + 18);
  });
  // Circuit limits ±20 % of the previous close; the 52-week range is the day's (the market keeps no history of it).
  b.writeBigInt64LE(paise(q.prevClose * 1.2), 347);
  b.writeBigInt64LE(paise(q.prevClose * 0.8), 355);
  b.writeBigInt64LE(paise(q.high), 363);
  b.writeBigInt64LE(paise(q.low), 371);
  return b;
}

function pad(levels: Depth["bids"]): Depth["bids"] {
  const out = levels.slice(0, 5);
  while (out.length < 5) out.push({ price: 0, quantity: 0, orders: 0 });
  return out;
}
