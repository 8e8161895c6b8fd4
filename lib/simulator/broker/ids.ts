/**
 * Order and trade ids in OpenAlgo's sandbox formats (contract §6): orders `YYMMDD` (IST) + 8 digits, trades
 * `TRADE-YYYYMMDD-HHMMSS-xxxxxxxx`. One source per broker, so ids are unique across its instances.
 */
import { istDateOf } from "@/lib/trading/calendar";

const IST_OFFSET_MS = 19_800_000;

export class IdSource {
  private orderSeq: number;
  private tradeSeq = 0;

  constructor(seed: number) {
    // A seeded starting point makes ids look like a broker's; with the date prefix they cannot repeat within a day
    // until 10^8 orders.
    this.orderSeq = Math.floor((Math.abs(seed) % 9_000) * 10_000);
  }

  orderId(nowMs: number): string {
    this.orderSeq = (this.orderSeq + 1) % 100_000_000;
    return istDateOf(nowMs).slice(2).replace(/-/g, "") + String(this.orderSeq).padStart(8, "0");
  }

  tradeId(nowMs: number): string {
    const iso = new Date(nowMs + IST_OFFSET_MS).toISOString();
    const stamp = `${iso.slice(0, 10).replace(/-/g, "")}-${iso.slice(11, 19).replace(/:/g, "")}`;
    this.tradeSeq += 1;
    // Knuth's multiplicative hash spreads consecutive numbers over the 8 hex digits.
    return `TRADE-${stamp}-${(Math.imul(this.tradeSeq, 0x9e3779b1) >>> 0).toString(16).padStart(8, "0")}`;
  }
}
