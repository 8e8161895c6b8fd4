/**
 * The simulator's Kite ticker over a raw socket (no MirrorDesk client), checked byte by byte against Kite's documented
 * layout (docs/brokers/zerodha.md "Market data stream", "Order updates"): handshake refusals, subscribe/mode/unsubscribe,
 * the ltp/quote/full packets of a tradable contract and of an index, the heartbeat and order postbacks. Prices move only
 * on `market.tick()` (fixed clock).
 */
import Decimal from "decimal.js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocket } from "ws";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerSessionTokens } from "@/lib/brokers/login";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { disconnectRedis } from "@/lib/redis";
import { type KiteWorld, startKiteWorld } from "@/lib/testing/zerodha-sim-kit";
import { kiteCatalog } from "./kite-instruments";

/** How long a wait on observable state may take on a busy machine (vi.waitFor defaults to 1 s). */
const WAIT = { timeout: 15_000 };

let world: KiteWorld;
let session: BrokerSessionTokens;
let adapter: BrokerAdapter;
const sockets: WebSocket[] = [];

interface Received {
  binary: Buffer[];
  text: Record<string, unknown>[];
}

function url(apiKey: string, token: string): string {
  return `${world.sim.httpUrl.replace(/^http/, "ws")}/kite/?api_key=${apiKey}&access_token=${token}`;
}

/** The HTTP status an upgrade was refused with. */
function refusedWith(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(address);
    ws.once("open", () => reject(new Error("opened")));
    ws.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? -1));
    ws.once("error", () => undefined);
  });
}

async function connect(): Promise<{ ws: WebSocket; got: Received }> {
  const ws = new WebSocket(url(world.app.apiKey, session.accessToken));
  sockets.push(ws);
  const got: Received = { binary: [], text: [] };
  ws.on("message", (data: Buffer, isBinary) => {
    if (isBinary) got.binary.push(data);
    else got.text.push(JSON.parse(data.toString()));
  });
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  return { ws, got };
}

/** Splits a binary message into its packets (2-byte count, then 2-byte length + packet each). */
function packetsOf(message: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 2;
  for (let i = 0; i < message.readUInt16BE(0); i++) {
    const len = message.readUInt16BE(at);
    out.push(message.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  expect(at).toBe(message.length);
  return out;
}

const packets = (got: Received) => got.binary.filter((b) => b.length > 1).flatMap(packetsOf);
const latest = (got: Received, token: number) =>
  packets(got)
    .filter((p) => p.readInt32BE(0) === token)
    .at(-1);
const paise = (rupees: number) => new Decimal(rupees).mul(100).round().toNumber();
const send = (ws: WebSocket, msg: unknown) => ws.send(JSON.stringify(msg));

let option = { symbol: "", token: 0 };
let index = 0;
let spot = 0;

beforeAll(async () => {
  world = await startKiteWorld("kticker", 5);
  session = await world.login();
  adapter = world.adapter(session);
  const catalog = kiteCatalog(world.sim.market);
  const expiry = world.sim.market.expiries("NIFTY", "NFO", "options")[0];
  const chain = world.sim.market.optionChain("NIFTY", "NSE_INDEX", expiry.replaceAll("-", ""), 1)!;
  const symbol = chain.rows[1].ce!.instrument.symbol;
  option = { symbol, token: catalog.bySim.get(`NFO:${symbol}`)!.instrumentToken };
  index = catalog.bySim.get("NSE_INDEX:NIFTY")!.instrumentToken;
  spot = catalog.bySim.get("NSE_INDEX:BANKNIFTY")!.instrumentToken;
});
afterEach(() => {
  for (const ws of sockets.splice(0)) ws.terminate();
});
afterAll(async () => {
  await adapter.close();
  await world.sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

describe("the simulator's Kite ticker", () => {
  it("refuses a wrong token, another key's token and paths other than the root at the handshake", async () => {
    expect(await refusedWith(url(world.app.apiKey, "not-a-token"))).toBe(403);
    expect(await refusedWith(url("someone-elses-key", session.accessToken))).toBe(403);
    expect(await refusedWith(`${world.sim.httpUrl.replace(/^http/, "ws")}/kite/ticker`)).toBe(404);
  });

  it("sends a quote snapshot on subscribe, then ltp/quote/full packets in Kite's layout, big-endian, in paise", async () => {
    const { ws, got } = await connect();
    send(ws, { a: "subscribe", v: [option.token, index] });
    await vi.waitFor(() => expect(latest(got, option.token) && latest(got, index)).toBeTruthy(), WAIT);
    const market = world.sim.market;
    let q = market.quote(option.symbol, "NFO")!;
    // Quote mode (Kite's default): 44 bytes for a tradable contract, 28 for an index.
    const quote = latest(got, option.token)!;
    expect(quote.length).toBe(44);
    expect(quote.readInt32BE(4)).toBe(paise(q.ltp));
    expect(quote.readInt32BE(16)).toBe(q.volume);
    expect([28, 32, 36, 40].map((o) => quote.readInt32BE(o))).toEqual([q.open, q.high, q.low, q.prevClose].map(paise));
    const iq = market.quote("NIFTY", "NSE_INDEX")!;
    const idx = latest(got, index)!;
    expect(idx.length).toBe(28);
    expect([4, 8, 12, 16, 20].map((o) => idx.readInt32BE(o))).toEqual(
      [iq.ltp, iq.high, iq.low, iq.open, iq.prevClose].map(paise),
    );

    send(ws, { a: "mode", v: ["full", [option.token, index]] });
    await vi.waitFor(() => expect(latest(got, option.token)?.length).toBe(184), WAIT);
    await vi.waitFor(() => expect(latest(got, index)?.length).toBe(32), WAIT);
    const full = latest(got, option.token)!;
    const depth = market.depth(option.symbol, "NFO")!;
    q = market.quote(option.symbol, "NFO")!;
    expect(full.readInt32BE(48)).toBe(q.oi);
    expect(full.readInt32BE(60)).toBe(Math.floor(q.ts / 1000));
    expect(latest(got, index)!.readInt32BE(28)).toBe(Math.floor(iq.ts / 1000));
    // Depth: five bids then five asks, 12 bytes each: quantity, price, orders (2 bytes), 2 bytes padding.
    const level = (i: number) => {
      const at = 64 + i * 12;
      return { quantity: full.readInt32BE(at), price: full.readInt32BE(at + 4), orders: full.readInt16BE(at + 8) };
    };
    expect([0, 1, 2, 3, 4].map(level)).toEqual(
      depth.bids.map((l) => ({ quantity: l.quantity, price: paise(l.price), orders: l.orders })),
    );
    expect(level(5)).toEqual({
      quantity: depth.asks[0].quantity,
      price: paise(depth.asks[0].price),
      orders: depth.asks[0].orders,
    });

    send(ws, { a: "mode", v: ["ltp", [option.token]] });
    await vi.waitFor(() => expect(latest(got, option.token)?.length).toBe(8), WAIT);

    // After unsubscribing the option, a tick batch carries the index only. Kite acknowledges nothing, so a following
    // subscribe's snapshot shows that the server has read the unsubscribe.
    send(ws, { a: "unsubscribe", v: [option.token] });
    send(ws, { a: "subscribe", v: [spot] });
    await vi.waitFor(() => expect(latest(got, spot)).toBeTruthy(), WAIT);
    const before = got.binary.length;
    market.tick();
    const tokensSince = () =>
      got.binary
        .slice(before)
        .filter((m) => m.length > 1)
        .flatMap(packetsOf)
        .map((p) => p.readInt32BE(0));
    await vi.waitFor(() => expect(tokensSince()).toContain(index), WAIT);
    expect(tokensSince()).not.toContain(option.token);
    expect(latest(got, index)!.readInt32BE(4)).toBe(paise(market.quote("NIFTY", "NSE_INDEX")!.ltp));
  });

  it("sends a one-byte heartbeat while there is nothing else, and an error frame for a message it cannot read", async () => {
    const { ws, got } = await connect();
    await vi.waitFor(() => expect(got.binary.some((b) => b.length === 1)).toBe(true), WAIT);
    send(ws, { a: "dance", v: [] });
    await vi.waitFor(() => expect(got.text).toContainEqual({ type: "error", data: expect.any(String) }), WAIT);
  });

  it("pushes the instance's order updates as Kite postbacks", async () => {
    const { got } = await connect();
    const placed = await adapter.placeOrder({
      symbol: option.symbol,
      exchange: "NFO",
      action: "BUY",
      quantity: 65,
      priceType: "MARKET",
      product: "NRML",
      strategy: "ticker-test",
    });
    expect(placed.kind).toBe("accepted");
    const id = placed.kind === "accepted" ? placed.orderId : "";
    const orders = () => got.text.filter((t) => t.type === "order").map((t) => t.data as Record<string, unknown>);
    await vi.waitFor(() => expect(orders().some((o) => o.order_id === id && o.status === "COMPLETE")).toBe(true), WAIT);
    const done = orders().find((o) => o.order_id === id && o.status === "COMPLETE")!;
    const book = (await adapter.orders()).find((o) => o.orderId === id)!;
    expect(done).toMatchObject({
      user_id: "kticker",
      exchange: "NFO",
      instrument_token: option.token,
      transaction_type: "BUY",
      order_type: "MARKET",
      product: "NRML",
      quantity: 65,
      filled_quantity: 65,
      pending_quantity: 0,
      tag: "ticker-test",
    });
    expect(new Decimal(done.average_price as number).eq(book.averagePrice!)).toBe(true);
  });
});
