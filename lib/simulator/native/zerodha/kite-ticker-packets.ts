/**
 * Kite's ticker binary messages as the simulator writes them (docs/brokers/zerodha.md "Market data stream"): one
 * message = a 2-byte packet count, then per packet a 2-byte length and the packet. Every field is a big-endian
 * integer; prices are in paise (rupees × 100; × 10^7 on CDS, × 10^4 on BCD). Packet sizes tell the mode: 8 (ltp),
 * 28/32 (index quote/full), 44/184 (quote/full).
 */
import type { Depth, Quote } from "@/lib/simulator/types";

export type KiteTickerMode = "ltp" | "quote" | "full";

/** Segment ids in an instrument token's low byte that change the price unit or the packet layout. */
const CDS = 3;
const BCD = 6;
const INDICES = 9;

/** The one-byte message Kite sends when it has had nothing else to send for a second. */
export const HEARTBEAT = Buffer.from([0]);

function priceUnit(token: number): number {
  const segment = token & 0xff;
  return segment === CDS ? 10_000_000 : segment === BCD ? 10_000 : 100;
}

/** Writes big-endian int32s, one after the other. */
class Packet {
  readonly buf: Buffer;
  private at = 0;
  constructor(size: number) {
    this.buf = Buffer.alloc(size);
  }
  int(v: number): this {
    this.buf.writeInt32BE(Math.trunc(v), this.at);
    this.at += 4;
    return this;
  }
  short(v: number): this {
    this.buf.writeInt16BE(Math.trunc(v), this.at);
    this.at += 2;
    return this;
  }
  skip(n: number): this {
    this.at += n;
    return this;
  }
}

/** One instrument's packet at `mode`; `depth` is used by the full mode of tradable instruments. */
export function tickPacket(token: number, mode: KiteTickerMode, quote: Quote, depth?: Depth): Buffer {
  const unit = priceUnit(token);
  const p = (rupees: number) => Math.round(rupees * unit);
  const seconds = Math.floor(quote.ts / 1000);
  if (mode === "ltp") return new Packet(8).int(token).int(p(quote.ltp)).buf;
  if ((token & 0xff) === INDICES) {
    const out = new Packet(mode === "full" ? 32 : 28)
      .int(token)
      .int(p(quote.ltp))
      .int(p(quote.high))
      .int(p(quote.low))
      .int(p(quote.open))
      .int(p(quote.prevClose))
      .int(p(quote.ltp) - p(quote.prevClose));
    if (mode === "full") out.int(seconds);
    return out.buf;
  }
  const bids = depth?.bids ?? [];
  const asks = depth?.asks ?? [];
  const totalBuy = depth ? bids.reduce((s, l) => s + l.quantity, 0) : quote.bidQty;
  const totalSell = depth ? asks.reduce((s, l) => s + l.quantity, 0) : quote.askQty;
  const out = new Packet(mode === "full" ? 184 : 44)
    .int(token)
    .int(p(quote.ltp))
    // The market model has no per-trade quantity or VWAP: 0 and the LTP stand in (as in the OpenAlgo stream).
    .int(0)
    .int(p(quote.ltp))
    .int(quote.volume)
    .int(totalBuy)
    .int(totalSell)
    .int(p(quote.open))
    .int(p(quote.high))
    .int(p(quote.low))
    .int(p(quote.prevClose));
  if (mode === "quote") return out.buf;
  out.int(seconds).int(quote.oi).int(quote.oi).int(quote.oi).int(seconds);
  for (const side of [bids, asks])
    for (let i = 0; i < 5; i++) {
      const level = side[i];
      out
        .int(level?.quantity ?? 0)
        .int(level ? p(level.price) : 0)
        .short(level?.orders ?? 0)
        .skip(2);
    }
  return out.buf;
}

/** One binary message carrying `packets`. */
export function tickerMessage(packets: readonly Buffer[]): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(packets.length);
  const parts: Buffer[] = [head];
  for (const packet of packets) {
    const len = Buffer.alloc(2);
    len.writeUInt16BE(packet.length);
    parts.push(len, packet);
  }
  return Buffer.concat(parts);
}
