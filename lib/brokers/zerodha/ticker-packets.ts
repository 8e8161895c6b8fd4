/**
 * Kite ticker binary messages → typed packets (docs/brokers/zerodha.md "Market data stream"). A message is a 2-byte
 * packet count, then per packet a 2-byte length and the packet; every field is a big-endian integer and prices are in
 * paise (÷ 100; ÷ 10^7 on CDS, ÷ 10^4 on BCD), turned into Decimals here. The packet's length tells its layout.
 * A one-byte message is Kite's heartbeat. Packets of unknown lengths are skipped, a truncated message is refused.
 */
import Decimal from "decimal.js";

export interface TickerLevel {
  quantity: number;
  price: Decimal;
  orders: number;
}

export interface TickerPacket {
  token: number;
  ltp: Decimal;
  /** Quote and full packets. */
  ohlc: { open: Decimal; high: Decimal; low: Decimal; close: Decimal } | null;
  /** Quote and full packets of tradable instruments (indices have none). */
  volume: number | null;
  totalBuyQuantity: number | null;
  totalSellQuantity: number | null;
  /** Full packets of tradable instruments. */
  oi: number | null;
  /** Full packets: the exchange's time of the tick, epoch seconds. */
  exchangeTs: number | null;
  /** Full packets of tradable instruments: five levels per side, padding included. */
  depth: { buy: TickerLevel[]; sell: TickerLevel[] } | null;
}

const CDS = 3;
const BCD = 6;

function unitOf(token: number): number {
  const segment = token & 0xff;
  return segment === CDS ? 10_000_000 : segment === BCD ? 10_000 : 100;
}

/** The packets of one binary message; an empty list for a heartbeat. Throws on a message shorter than it says. */
export function parseTickerMessage(message: Buffer): TickerPacket[] {
  if (message.length < 2) return [];
  const count = message.readUInt16BE(0);
  const out: TickerPacket[] = [];
  let at = 2;
  for (let i = 0; i < count; i++) {
    if (at + 2 > message.length) throw new Error("truncated ticker message");
    const len = message.readUInt16BE(at);
    if (at + 2 + len > message.length) throw new Error("truncated ticker message");
    const packet = parsePacket(message.subarray(at + 2, at + 2 + len));
    if (packet) out.push(packet);
    at += 2 + len;
  }
  return out;
}

function parsePacket(b: Buffer): TickerPacket | null {
  if (![8, 28, 32, 44, 184].includes(b.length)) return null;
  const int = (at: number) => b.readInt32BE(at);
  const token = b.readUInt32BE(0);
  const unit = unitOf(token);
  const price = (at: number) => new Decimal(int(at)).div(unit);
  const packet: TickerPacket = {
    token,
    ltp: price(4),
    ohlc: null,
    volume: null,
    totalBuyQuantity: null,
    totalSellQuantity: null,
    oi: null,
    exchangeTs: null,
    depth: null,
  };
  if (b.length === 8) return packet;
  if (b.length === 28 || b.length === 32) {
    // Index packets: ltp, high, low, open, close, change [, exchange time].
    packet.ohlc = { high: price(8), low: price(12), open: price(16), close: price(20) };
    if (b.length === 32) packet.exchangeTs = int(28);
    return packet;
  }
  packet.volume = int(16);
  packet.totalBuyQuantity = int(20);
  packet.totalSellQuantity = int(24);
  packet.ohlc = { open: price(28), high: price(32), low: price(36), close: price(40) };
  if (b.length === 44) return packet;
  packet.oi = int(48);
  packet.exchangeTs = int(60);
  const level = (i: number): TickerLevel => {
    const at = 64 + i * 12;
    return { quantity: int(at), price: price(at + 4), orders: b.readInt16BE(at + 8) };
  };
  packet.depth = { buy: [0, 1, 2, 3, 4].map(level), sell: [5, 6, 7, 8, 9].map(level) };
  return packet;
}
