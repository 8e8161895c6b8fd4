import { describe, expect, it } from "vitest";
import { parseTickerMessage } from "./ticker-packets";

/** A message of packets given as lists of big-endian int32s. */
function message(...packets: number[][]): Buffer {
  const parts = [Buffer.from([0, packets.length])];
  for (const ints of packets) {
    const p = Buffer.alloc(ints.length * 4);
    ints.forEach((v, i) => p.writeInt32BE(v, i * 4));
    parts.push(Buffer.from([p.length >> 8, p.length & 0xff]), p);
  }
  return Buffer.concat(parts);
}

const NFO_TOKEN = 12345 * 256 + 2;
const INDEX_TOKEN = 256265; // NIFTY 50: 1001 × 256 + 9
const CDS_TOKEN = 777 * 256 + 3;

describe("parseTickerMessage", () => {
  it("reads a heartbeat as no packets", () => {
    expect(parseTickerMessage(Buffer.from([0]))).toEqual([]);
  });

  it("reads ltp, index and quote packets in paise, and CDS prices in 10^-7 rupees", () => {
    const [ltp, index, quote, cds] = parseTickerMessage(
      message(
        [NFO_TOKEN, 12_345],
        [INDEX_TOKEN, 2_450_055, 2_460_000, 2_440_000, 2_445_000, 2_441_000, 9_055, 1_765_170_000],
        [NFO_TOKEN, 10_005, 75, 10_000, 130_000, 500, 650, 9_900, 10_100, 9_800, 9_950],
        [CDS_TOKEN, 835_012_345],
      ),
    );
    expect(ltp.token).toBe(NFO_TOKEN);
    expect(ltp.ltp.toFixed()).toBe("123.45");
    expect(ltp.ohlc).toBeNull();
    expect(index.ltp.toFixed()).toBe("24500.55");
    expect(index.ohlc!.high.toFixed()).toBe("24600");
    expect(index.ohlc!.open.toFixed()).toBe("24450");
    expect(index.ohlc!.close.toFixed()).toBe("24410");
    expect(index.exchangeTs).toBe(1_765_170_000);
    expect(index.volume).toBeNull();
    expect(quote).toMatchObject({ volume: 130_000, totalBuyQuantity: 500, totalSellQuantity: 650, oi: null });
    expect(quote.ohlc!.close.toFixed()).toBe("99.5");
    expect(cds.ltp.toFixed()).toBe("83.5012345");
  });

  it("reads a full packet's OI, time and five levels a side", () => {
    const full = Buffer.alloc(184);
    const ints = [NFO_TOKEN, 10_005, 75, 10_000, 130_000, 500, 650, 9_900, 10_100, 9_800, 9_950, 1_765_170_001, 4_200];
    ints.forEach((v, i) => full.writeInt32BE(v, i * 4));
    full.writeInt32BE(1_765_170_002, 60);
    full.writeInt32BE(65, 64);
    full.writeInt32BE(10_000, 68);
    full.writeInt16BE(3, 72);
    full.writeInt32BE(130, 64 + 5 * 12);
    full.writeInt32BE(10_010, 68 + 5 * 12);
    const msg = Buffer.concat([Buffer.from([0, 1, 0, 184]), full]);
    const [p] = parseTickerMessage(msg);
    expect(p.oi).toBe(4_200);
    expect(p.exchangeTs).toBe(1_765_170_002);
    expect(p.depth!.buy).toHaveLength(5);
    expect(p.depth!.buy[0]).toMatchObject({ quantity: 65, orders: 3 });
    expect(p.depth!.buy[0].price.toFixed()).toBe("100");
    expect(p.depth!.sell[0].price.toFixed()).toBe("100.1");
    expect(p.depth!.sell[1].quantity).toBe(0);
  });

  it("refuses a message shorter than its header says", () => {
    expect(() => parseTickerMessage(message([NFO_TOKEN, 1]).subarray(0, 8))).toThrow(/truncated/);
  });
});
