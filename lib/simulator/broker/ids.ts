/**
 * Order and trade ids in OpenAlgo's sandbox formats (docs/openalgo.md "Sandbox behaviour"): orders `YYMMDD` (IST) + 8
 * digits, trades `TRADE-YYYYMMDD-HHMMSS-xxxxxxxx`. One source per broker, so ids are unique across its instances.
 *
 * Order ids never repeat within a day, across restarts too: a reconciler links broker order ids to intents, so an
 * id handed out again after a restart would look like an order that is already someone else's. The 8 digits are
 * never below the milliseconds elapsed since IST midnight (wall clock, at most 86 400 000), so a process started
 * later begins above every id an earlier one issued — unless that one ran more than one order per millisecond ahead
 * of the clock for longer than the restart took.
 */
import { istDateOf } from "@/lib/trading/calendar";

const IST_OFFSET_MS = 19_800_000;
const DAY_MS = 86_400_000;

/** Milliseconds since midnight IST of `wallMs`. */
const istMsOfDay = (wallMs: number) => (((wallMs + IST_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS;

export class IdSource {
  private orderSeq = 0;
  private orderDay = "";
  private tradeSeq = 0;

  /** `wallClock` is real time (never the simulated market clock, which tests set back and freeze). */
  constructor(private readonly wallClock: () => number = Date.now) {}

  orderId(nowMs: number): string {
    const day = istDateOf(nowMs).slice(2).replace(/-/g, "");
    if (day !== this.orderDay) {
      this.orderDay = day;
      this.orderSeq = 0;
    }
    this.orderSeq = Math.max(this.orderSeq + 1, istMsOfDay(this.wallClock())) % 100_000_000;
    return day + String(this.orderSeq).padStart(8, "0");
  }

  tradeId(nowMs: number): string {
    const iso = new Date(nowMs + IST_OFFSET_MS).toISOString();
    const stamp = `${iso.slice(0, 10).replace(/-/g, "")}-${iso.slice(11, 19).replace(/:/g, "")}`;
    this.tradeSeq += 1;
    // Knuth's multiplicative hash spreads consecutive numbers over the 8 hex digits.
    return `TRADE-${stamp}-${(Math.imul(this.tradeSeq, 0x9e3779b1) >>> 0).toString(16).padStart(8, "0")}`;
  }
}
