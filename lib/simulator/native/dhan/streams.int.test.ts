/**
 * The simulated Dhan's WebSockets over raw sockets (no MirrorDesk client involved), checked against DhanHQ v2's
 * documented layouts: connection query and refusals, JSON subscribe/unsubscribe requests, little-endian binary
 * packets at their byte offsets, and the JSON login and order alerts of the order-update stream.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type RawData, WebSocket } from "ws";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import { disconnectRedis } from "@/lib/redis";
import type { Exchange } from "@/lib/simulator/types";
import { type DhanSim, startDhanSim } from "@/lib/testing/dhan-kit";
import { scripIndex } from "./scrips";
import { dhanStreams } from "./streams";

const ID = "dstream";
let d: DhanSim;
let token = "";
let base = "";
const open: WebSocket[] = [];

beforeAll(async () => {
  d = await startDhanSim(ID, { rateLimitNow: () => 0 });
  token = (await d.login()).session.accessToken;
  base = d.sim.httpUrl.replace(/^http/, "ws") + "/dhan";
});
afterEach(() => {
  for (const ws of open.splice(0)) ws.terminate();
});
afterAll(async () => {
  await d?.sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

interface Raw {
  ws: WebSocket;
  frames: { binary: boolean; data: Buffer }[];
  closed: Promise<number>;
}

/** Opens a raw socket; resolves with the HTTP status when the handshake is refused instead. */
function connect(url: string): Promise<Raw | number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    open.push(ws);
    const frames: Raw["frames"] = [];
    const closed = new Promise<number>((r) => ws.once("close", (code) => r(code)));
    ws.on("message", (data: RawData, binary) => frames.push({ binary, data: data as Buffer }));
    ws.once("open", () => resolve({ ws, frames, closed }));
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? -1));
    ws.once("error", () => undefined);
  });
}

const feedUrl = (q: Record<string, string>) => `${base}/feed?${new URLSearchParams(q).toString()}`;
const auth = { version: "2", token: "", clientId: ID, authType: "2" };

async function feed(): Promise<Raw> {
  const raw = await connect(feedUrl({ ...auth, token }));
  if (typeof raw === "number") throw new Error(`refused ${raw}`);
  return raw;
}

function scripOf(symbol: string, exchange: Exchange) {
  return scripIndex(d.sim.market).of(d.sim.market.instrument(symbol, exchange)!)!;
}
const request = (code: number, list: { segment: string; securityId: string }[]) =>
  JSON.stringify({
    RequestCode: code,
    InstrumentCount: list.length,
    InstrumentList: list.map((s) => ({ ExchangeSegment: s.segment, SecurityId: s.securityId })),
  });
const packets = (raw: Raw, code: number, securityId: string) =>
  raw.frames.filter((f) => f.binary && f.data[0] === code && f.data.readUInt32LE(4) === Number(securityId));
const f32 = (n: number) => Math.fround(n);
const dhanOrdersOpen = () => dhanStreams(d.sim.broker).orders.size > 0;
function alerts(raw: Raw): { Type: string; Data: Record<string, unknown> & { Status: string } }[] {
  return raw.frames.filter((f) => !f.binary).map((f) => JSON.parse(f.data.toString()));
}

describe("Dhan Live Market Feed (simulated)", () => {
  it("refuses a connection without version=2 and authType=2 at the handshake", async () => {
    expect(await connect(feedUrl({ token, clientId: ID }))).toBe(400);
    expect(await connect(`${base}/nowhere`)).toBe(404);
  });

  it("answers a bad token or client id with a disconnect packet naming the reason, then closes", async () => {
    for (const [q, reason] of [
      [{ ...auth, token: "nope" }, 809],
      [{ ...auth, token, clientId: "someone-else" }, 808],
    ] as const) {
      const raw = (await connect(feedUrl(q))) as Raw;
      await raw.closed;
      expect(raw.frames).toHaveLength(1);
      const p = raw.frames[0].data;
      expect([p.length, p.readUInt8(0), p.readUInt16LE(1), p.readUInt16LE(8)]).toEqual([10, 50, 10, reason]);
    }
  });

  it("sends the previous close, then packets at the documented offsets for each request code", async () => {
    const raw = await feed();
    const opt = d.sim.market.instruments("NFO").find((i) => i.name === "NIFTY" && i.instrumenttype === "CE")!;
    const fut = scripOf(opt.symbol, "NFO");
    const sbin = scripOf("SBIN", "NSE");
    const tcs = scripOf("TCS", "NSE");
    raw.ws.send(request(21, [fut]));
    raw.ws.send(request(17, [sbin]));
    raw.ws.send(request(15, [tcs]));
    await vi.waitFor(() => {
      expect(packets(raw, 8, fut.securityId)).toHaveLength(1);
      expect(packets(raw, 4, sbin.securityId)).toHaveLength(1);
      expect(packets(raw, 2, tcs.securityId)).toHaveLength(1);
    });

    // Full packet: 162 bytes; header, then LTP, volume, OI, OHLC and five 20-byte depth levels from byte 62.
    const q = d.sim.market.quote(opt.symbol, "NFO")!;
    const book = d.sim.market.depth(opt.symbol, "NFO")!;
    const full = packets(raw, 8, fut.securityId)[0].data;
    expect([full.length, full.readUInt16LE(1), full.readUInt8(3)]).toEqual([162, 162, 2]);
    expect(full.readFloatLE(8)).toBe(f32(q.ltp));
    expect(full.readUInt32LE(14)).toBe(Math.floor(q.ts / 1000) + 19_800);
    expect(full.readUInt32LE(22)).toBe(q.volume);
    expect(full.readUInt32LE(34)).toBe(q.oi);
    expect([full.readFloatLE(46), full.readFloatLE(54), full.readFloatLE(58)]).toEqual([
      f32(q.open),
      f32(q.high),
      f32(q.low),
    ]);
    expect(full.readUInt32LE(62)).toBe(book.bids[0].quantity);
    expect(full.readUInt32LE(66)).toBe(book.asks[0].quantity);
    expect(full.readUInt16LE(70)).toBe(book.bids[0].orders);
    expect(full.readFloatLE(74)).toBe(f32(book.bids[0].price));
    expect(full.readFloatLE(78)).toBe(f32(book.asks[0].price));
    expect(full.readFloatLE(62 + 4 * 20 + 12)).toBe(f32(book.bids[4].price));
    const prev = packets(raw, 6, fut.securityId)[0].data;
    expect([prev.length, prev.readFloatLE(8)]).toEqual([16, f32(q.prevClose)]);
    // The previous close comes first.
    expect(raw.frames.findIndex((f) => f.data === prev)).toBeLessThan(raw.frames.findIndex((f) => f.data === full));

    // Quote packet: 50 bytes; LTP, LTQ (u16), LTT, ATP, volume, sell and buy totals, open, close, high, low.
    const sq = d.sim.market.quote("SBIN", "NSE")!;
    const quote = packets(raw, 4, sbin.securityId)[0].data;
    expect([quote.length, quote.readUInt8(3), quote.readFloatLE(8)]).toEqual([50, 1, f32(sq.ltp)]);
    expect(quote.readUInt32LE(14)).toBe(Math.floor(sq.ts / 1000) + 19_800);
    expect(quote.readUInt32LE(22)).toBe(sq.volume);
    expect([quote.readFloatLE(34), quote.readFloatLE(42), quote.readFloatLE(46)]).toEqual([
      f32(sq.open),
      f32(sq.high),
      f32(sq.low),
    ]);
    // Ticker packet: 16 bytes; LTP and LTT.
    const tick = packets(raw, 2, tcs.securityId)[0].data;
    expect([tick.length, tick.readFloatLE(8)]).toEqual([16, f32(d.sim.market.quote("TCS", "NSE")!.ltp)]);
  });

  it("stops an instrument's packets at its unsubscribe code (request code + 1)", async () => {
    const raw = await feed();
    const [sbin, tcs, infy] = ["SBIN", "TCS", "INFY"].map((s) => scripOf(s, "NSE"));
    raw.ws.send(request(15, [sbin, tcs]));
    await vi.waitFor(() => expect(packets(raw, 2, tcs.securityId)).toHaveLength(1));
    raw.ws.send(request(16, [sbin]));
    // A request is handled in order: once INFY's snapshot is back, the unsubscribe was applied before the tick.
    raw.ws.send(request(15, [infy]));
    await vi.waitFor(() => expect(packets(raw, 2, infy.securityId)).toHaveLength(1));
    const before = packets(raw, 2, sbin.securityId).length;
    d.sim.market.tick();
    // A fresh subscription's snapshot marks the end of what that tick sent.
    const nifty = scripOf("NIFTY", "NSE_INDEX");
    raw.ws.send(request(15, [nifty]));
    await vi.waitFor(() => expect(packets(raw, 2, nifty.securityId)).toHaveLength(1));
    expect(packets(raw, 2, tcs.securityId)).toHaveLength(2);
    expect(packets(raw, 2, sbin.securityId)).toHaveLength(before);
  });

  it("closes a connection that sends more than 100 instruments in one message", async () => {
    const raw = await feed();
    const many = scripIndex(d.sim.market).all.slice(0, 101);
    raw.ws.send(request(15, many));
    expect(await raw.closed).toBe(1008);
  });
});

describe("Dhan Live Order Update (simulated)", () => {
  const login = (t: string) => JSON.stringify({ LoginReq: { MsgCode: 42, ClientId: ID, Token: t }, UserType: "SELF" });

  it("closes a login it cannot resolve with 1008", async () => {
    const raw = (await connect(`${base}/order-update`)) as Raw;
    raw.ws.send(login("nope"));
    expect(await raw.closed).toBe(1008);
  });

  it("sends each order event as an order_alert with Dhan's fields and codes", async () => {
    const raw = (await connect(`${base}/order-update`)) as Raw;
    raw.ws.send(login(token));
    await vi.waitFor(() => expect(raw.ws.readyState === raw.ws.OPEN && dhanOrdersOpen()).toBe(true));
    const sbin = scripOf("SBIN", "NSE");
    const res = await fetch(`${d.app.hostUrl}/orders`, {
      method: "POST",
      headers: { "access-token": token, "client-id": ID, "Content-Type": "application/json" },
      body: JSON.stringify({
        dhanClientId: ID,
        correlationId: "raw-1",
        transactionType: "BUY",
        exchangeSegment: "NSE_EQ",
        productType: "INTRADAY",
        orderType: "MARKET",
        validity: "DAY",
        securityId: sbin.securityId,
        quantity: 2,
        price: 0,
      }),
    });
    const { orderId } = (await res.json()) as { orderId: string };
    await vi.waitFor(() => expect(alerts(raw).some((a) => a.Data.Status === "Traded")).toBe(true));
    const traded = alerts(raw).find((a) => a.Data.Status === "Traded")!;
    expect(traded.Type).toBe("order_alert");
    expect(traded.Data).toMatchObject({
      Exchange: "NSE",
      Segment: "E",
      SecurityId: sbin.securityId,
      ClientId: ID,
      OrderNo: orderId,
      Product: "I",
      TxnType: "B",
      OrderType: "MKT",
      Quantity: 2,
      TradedQty: 2,
      RemainingQuantity: 0,
      CorrelationId: "raw-1",
    });
    expect(Number(traded.Data.AvgTradedPrice)).toBeGreaterThan(0);
    expect(traded.Data.LastUpdatedTime).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });
});
