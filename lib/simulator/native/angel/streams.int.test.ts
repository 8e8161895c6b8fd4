/**
 * The simulator's Angel One streams over raw sockets, with no MirrorDesk client: the upgrade's auth, SmartStream's
 * JSON requests, its little-endian packets read at the documented offsets (docs/brokers/angel.md "Market data
 * stream"), the text heartbeat, and the order-status stream's greeting and pushed orders.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { type AngelWorld, browserLogin, startAngelWorld } from "@/lib/testing/angel-kit";
import { angelLogin } from "@/lib/brokers/angel/login";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import { disconnectRedis } from "@/lib/redis";
import { angelMaster } from "./master";

let world: AngelWorld;
let jwt = "";
let feed = "";
let base = "";

beforeAll(async () => {
  world = await startAngelWorld("A1STREAM");
  const query = await browserLogin(await angelLogin.start(world.app, { redirectUrl: "", state: "s" }));
  jwt = query.get("auth_token")!;
  feed = query.get("feed_token")!;
  base = world.sim.httpUrl.replace(/^http/, "ws") + "/angel";
});
afterAll(async () => {
  await world.sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

interface Opened {
  ws?: WebSocket;
  status: number;
  frames: (Buffer | string)[];
}

function open(path: string, headers: Record<string, string>): Promise<Opened> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${base}${path}`, { headers });
    const frames: (Buffer | string)[] = [];
    ws.on("message", (data, isBinary) => frames.push(isBinary ? (data as Buffer) : data.toString()));
    ws.once("open", () => resolve({ ws, status: 0, frames }));
    ws.once("unexpected-response", (_req, res) => resolve({ status: res.statusCode ?? -1, frames }));
    ws.once("error", () => undefined);
  });
}

const streamHeaders = () => ({
  Authorization: jwt,
  "x-api-key": world.app.apiKey,
  "x-client-code": "A1STREAM",
  "x-feed-token": feed,
});

const paise = (b: Buffer, at: number) => Number(b.readBigInt64LE(at)) / 100;
const token = (b: Buffer) => b.subarray(2, 27).toString("latin1").replace(/\0+$/, "");
const packets = (o: Opened) => o.frames.filter((f): f is Buffer => Buffer.isBuffer(f));

describe("SmartStream (market data)", () => {
  it("refuses an upgrade whose tokens do not agree with a 401", async () => {
    expect((await open("/smart-stream", { ...streamHeaders(), "x-feed-token": "nope" })).status).toBe(401);
    expect((await open("/smart-stream", { ...streamHeaders(), Authorization: "nope" })).status).toBe(401);
    expect((await open("/smart-stream", { ...streamHeaders(), "x-api-key": "other" })).status).toBe(401);
    expect((await open("/smart-stream", { ...streamHeaders(), "x-client-code": "OTHER" })).status).toBe(401);
    expect((await open("/nowhere", streamHeaders())).status).toBe(404);
  });

  it("answers ping with pong and sends the documented packet of each mode", async () => {
    const o = await open("/smart-stream", streamHeaders());
    expect(o.status).toBe(0);
    o.ws!.send("ping");
    await vi.waitFor(() => expect(o.frames).toContain("pong"));

    const sbin = angelMaster(world.sim.market).bySymbol("SBIN", "NSE")!;
    const tcs = angelMaster(world.sim.market).bySymbol("TCS", "NSE")!;
    for (const mode of [1, 2, 3])
      o.ws!.send(
        JSON.stringify({
          correlationID: `m${mode}`,
          action: 1,
          params: { mode, tokenList: [{ exchangeType: 1, tokens: [sbin.token] }] },
        }),
      );
    await vi.waitFor(() => expect(packets(o).map((p) => p[0])).toEqual([1, 2, 3]));
    const [ltp, quote, snap] = packets(o);
    const q = world.sim.market.quote("SBIN", "NSE")!;
    const depth = world.sim.market.depth("SBIN", "NSE")!;
    expect([ltp.length, quote.length, snap.length]).toEqual([51, 123, 379]);
    for (const p of [ltp, quote, snap]) {
      expect(p[1]).toBe(1);
      expect(token(p)).toBe(sbin.token);
      expect(paise(p, 43)).toBe(q.ltp);
      expect(Number(p.readBigInt64LE(35))).toBe(q.ts);
    }
    expect(Number(quote.readBigInt64LE(27))).toBeLessThan(Number(snap.readBigInt64LE(27)));
    expect(Number(quote.readBigInt64LE(67))).toBe(q.volume);
    expect([paise(quote, 91), paise(quote, 99), paise(quote, 107), paise(quote, 115)]).toEqual([
      q.open,
      q.high,
      q.low,
      q.prevClose,
    ]);
    expect(quote.readDoubleLE(75)).toBe(depth.bids.reduce((s, l) => s + l.quantity, 0));
    expect(Number(snap.readBigInt64LE(131))).toBe(q.oi);
    // Best five: bids (flag 1) first, then asks (flag 0), each {flag u16, qty i64, price i64 paise, orders u16}.
    expect(snap.readUInt16LE(147)).toBe(1);
    expect(Number(snap.readBigInt64LE(149))).toBe(depth.bids[0].quantity);
    expect(paise(snap, 157)).toBe(depth.bids[0].price);
    expect(snap.readUInt16LE(165)).toBe(depth.bids[0].orders);
    expect(snap.readUInt16LE(247)).toBe(0);
    expect(paise(snap, 257)).toBe(depth.asks[0].price);

    // Another token at mode 1 only; then a market tick reaches both, at their modes.
    o.ws!.send(
      JSON.stringify({
        correlationID: "t",
        action: 1,
        params: { mode: 1, tokenList: [{ exchangeType: 1, tokens: [tcs.token] }] },
      }),
    );
    await vi.waitFor(() => expect(packets(o).some((p) => token(p) === tcs.token)).toBe(true));
    const before = packets(o).length;
    world.sim.market.tick();
    await vi.waitFor(() => expect(packets(o).length).toBe(before + 4));
    const after = packets(o).slice(before);
    expect(after.filter((p) => token(p) === sbin.token).map((p) => p[0])).toEqual([1, 2, 3]);
    expect(after.filter((p) => token(p) === tcs.token).map((p) => p[0])).toEqual([1]);
    expect(paise(after[0], 43)).toBe(world.sim.market.quote("SBIN", "NSE")!.ltp);

    // Unsubscribing a mode stops that mode only.
    o.ws!.send(
      JSON.stringify({
        correlationID: "u",
        action: 0,
        params: { mode: 3, tokenList: [{ exchangeType: 1, tokens: [sbin.token] }] },
      }),
    );
    o.ws!.send("ping");
    await vi.waitFor(() => expect(o.frames.filter((f) => f === "pong")).toHaveLength(2));
    const mark = packets(o).length;
    world.sim.market.tick();
    await vi.waitFor(() => expect(packets(o).length).toBe(mark + 3));
    expect(
      packets(o)
        .slice(mark)
        .map((p) => p[0])
        .sort(),
    ).toEqual([1, 1, 2]);
    o.ws!.close();
  });

  it("answers a malformed request and an unserved mode with an error frame", async () => {
    const o = await open("/smart-stream", streamHeaders());
    o.ws!.send("{not json");
    o.ws!.send(JSON.stringify({ correlationID: "d4", action: 1, params: { mode: 4, tokenList: [] } }));
    await vi.waitFor(() => expect(o.frames).toHaveLength(2));
    expect(JSON.parse(o.frames[0] as string)).toMatchObject({ errorCode: "E1001" });
    expect(JSON.parse(o.frames[1] as string)).toMatchObject({ correlationID: "d4", errorCode: "E1001" });
    o.ws!.close();
  });
});

describe("order-status stream", () => {
  it("needs the Bearer JWT, greets with AB00 and pushes each order event", async () => {
    expect((await open("/smart-order-update", { Authorization: "Bearer nope" })).status).toBe(401);
    expect((await open("/smart-order-update", { Authorization: jwt })).status).toBe(401);
    const o = await open("/smart-order-update", { Authorization: `Bearer ${jwt}` });
    await vi.waitFor(() => expect(o.frames).toHaveLength(1));
    expect(JSON.parse(o.frames[0] as string)).toMatchObject({ "order-status": "AB00", "status-code": "200" });
    o.ws!.send("ping");
    await vi.waitFor(() => expect(o.frames).toContain("pong"));

    const res = await fetch(`${world.app.hostUrl}/rest/secure/angelbroking/order/v1/placeOrder`, {
      method: "POST",
      headers: {
        Authorization: `Bearer ${jwt}`,
        "X-PrivateKey": world.app.apiKey,
        "X-UserType": "USER",
        "X-SourceID": "WEB",
        "Content-Type": "application/json",
      },
      body: JSON.stringify({
        variety: "NORMAL",
        tradingsymbol: "SBIN-EQ",
        symboltoken: angelMaster(world.sim.market).bySymbol("SBIN", "NSE")!.token,
        transactiontype: "BUY",
        exchange: "NSE",
        ordertype: "MARKET",
        producttype: "INTRADAY",
        duration: "DAY",
        price: "0",
        quantity: "2",
      }),
    });
    const id = ((await res.json()) as { data: { orderid: string } }).data.orderid;
    const pushed = () =>
      o.frames
        .filter((f): f is string => typeof f === "string" && f.startsWith("{"))
        .map((f) => JSON.parse(f) as { "order-status": string; orderData: Record<string, unknown> })
        .filter((m) => m.orderData.orderid === id);
    await vi.waitFor(() => expect(pushed().some((m) => m["order-status"] === "AB05")).toBe(true));
    const done = pushed().find((m) => m["order-status"] === "AB05")!;
    expect(done.orderData).toMatchObject({
      orderstatus: "complete",
      tradingsymbol: "SBIN-EQ",
      exchange: "NSE",
      transactiontype: "BUY",
      quantity: "2",
      filledshares: "2",
      unfilledshares: "0",
    });
    expect(done.orderData.averageprice).toBeGreaterThan(0);
    o.ws!.close();
  });
});
