/**
 * The simulated Upstox streams over raw sockets (no MirrorDesk client): the authorize calls' answers, the one-time
 * URL, the protobuf `FeedResponse` layout of each subscription mode, binary JSON requests, pongs that stop under a
 * stall, and the portfolio feed's order messages.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { type RawData, WebSocket } from "ws";
import { DECODE_OPTIONS, feedResponseType } from "@/lib/brokers/upstox/feed-proto";
import { startSimulator, type RunningSimulator } from "@/lib/simulator/server/start-simulator";
import type { Instrument } from "@/lib/simulator/types";
import { control } from "@/lib/testing/simulator-server-kit";
import { loginViaSimulator } from "@/lib/testing/upstox-sim-login";
import { upstoxIndex } from "./instruments";

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let sim: RunningSimulator;
let base = "";
let token = "";
const sockets: WebSocket[] = [];
const T = () => feedResponseType();

beforeAll(async () => {
  sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: "test-admin-token",
    seed: 5,
    clock: { mode: "fixed" },
    alwaysOpen: true,
    instances: [{ id: "raw", apiKey: "raw-key-0001", capital: "5000000" }],
  });
  base = `${sim.httpUrl}/upstox`;
  const app = { hostUrl: base, apiKey: "raw-key-0001", apiSecret: "sim-secret-raw" };
  token = (await loginViaSimulator(app, () => sim.market.clock.now())).accessToken;
});
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await control(sim.httpUrl, "POST", "/ws/stall", { stalled: false });
});
afterAll(() => sim?.close());

async function authorize(path: string, bearer = token): Promise<{ status: number; body: Obj }> {
  const res = await fetch(`${base}${path}`, {
    headers: { Authorization: `Bearer ${bearer}`, Accept: "application/json" },
  });
  return { status: res.status, body: (await res.json()) as Obj };
}

/** An open socket with every message it got, decoded by `decode`. */
async function connect(url: string, decode: (d: RawData) => Obj) {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const messages: Obj[] = [];
  ws.on("message", (d) => messages.push(decode(d)));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  return { ws, messages };
}
const protobufMessage = (d: RawData) => T().toObject(T().decode(d as Buffer), DECODE_OPTIONS) as Obj;
const send = (ws: WebSocket, body: Obj) => ws.send(Buffer.from(JSON.stringify({ guid: "g-1", ...body })));

function nifty(type: "CE" | "FUT"): Instrument {
  return sim.market.instruments("NFO").find((i) => i.underlying === "NIFTY" && i.instrumenttype === type)!;
}
const keyOf = (i: Instrument) => upstoxIndex(sim.market).keyOf.get(`${i.exchange}:${i.symbol}`)!;

async function marketSocket() {
  const auth = await authorize("/v3/feed/market-data-feed/authorize");
  return connect(auth.body.data.authorized_redirect_uri, protobufMessage);
}

describe("market data feed authorize", () => {
  it("answers a one-time ws URL on the host that was called, under both spellings", async () => {
    const { status, body } = await authorize("/v3/feed/market-data-feed/authorize");
    expect(status).toBe(200);
    const url = new URL(body.data.authorized_redirect_uri);
    expect(body.data.authorizedRedirectUri).toBe(url.href);
    expect(url.protocol).toBe("ws:");
    expect(url.host).toBe(new URL(sim.httpUrl).host);
    expect(url.pathname).toBe("/upstox/market-data-feeder/v3/upstox-developer-api/feeds");
    expect(url.searchParams.get("code")).toMatch(/^[0-9a-f]{32}$/);
    // The code is single-use: a second upgrade is refused with Upstox's 401.
    const first = await connect(url.href, protobufMessage);
    first.ws.terminate();
    const again = await new Promise<number>((resolve) => {
      const ws = new WebSocket(url.href);
      ws.once("unexpected-response", (_q, res) => resolve(res.statusCode ?? 0));
      ws.once("error", () => undefined);
    });
    expect(again).toBe(401);
  });

  it("refuses a wrong token with Upstox's 401 envelope", async () => {
    const { status, body } = await authorize("/v3/feed/market-data-feed/authorize", "not-a-token");
    expect(status).toBe(401);
    expect(body).toMatchObject({ status: "error", errors: [{ error_code: "UDAPI100050" }] });
  });
});

describe("market data feed", () => {
  it("starts with market_info, then answers a sub with an initial_feed in the requested mode", async () => {
    const { ws, messages } = await marketSocket();
    await vi.waitFor(() => expect(messages.length).toBe(1));
    expect(messages[0]).toMatchObject({
      type: "market_info",
      marketInfo: { segmentStatus: { NSE_FO: "NORMAL_OPEN" } },
    });
    const fut = nifty("FUT");
    send(ws, { method: "sub", data: { mode: "ltpc", instrumentKeys: [keyOf(fut), "NSE_FO|999999999"] } });
    await vi.waitFor(() => expect(messages.length).toBe(2));
    const q = sim.market.quote(fut.symbol, fut.exchange)!;
    // proto3 leaves the enum's zero (initial_feed) off the wire; it decodes as the default.
    expect(messages[1].type ?? "initial_feed").toBe("initial_feed");
    expect(Object.keys(messages[1].feeds)).toEqual([keyOf(fut)]);
    expect(messages[1].feeds[keyOf(fut)]).toMatchObject({
      FeedUnion: "ltpc",
      ltpc: { ltp: q.ltp, ltt: String(q.ts), cp: q.prevClose },
    });
  });

  it("shapes full, option_greeks and full_d30 as documented, indices as indexFF", async () => {
    const { ws, messages } = await marketSocket();
    const ce = nifty("CE");
    const index = sim.market.instrument("NIFTY", "NSE_INDEX")!;
    const wait = async (n: number) => vi.waitFor(() => expect(messages.length).toBe(n));
    send(ws, { method: "sub", data: { mode: "full", instrumentKeys: [keyOf(ce), keyOf(index)] } });
    await wait(2);
    const full = messages[1].feeds[keyOf(ce)];
    const q = sim.market.quote(ce.symbol, ce.exchange)!;
    const book = sim.market.depth(ce.symbol, ce.exchange)!;
    expect(full.requestMode).toBe("full_d5");
    const ff = full.fullFeed.marketFF;
    expect(ff.ltpc.ltp).toBe(q.ltp);
    expect(ff.marketLevel.bidAskQuote).toHaveLength(5);
    expect(ff.marketLevel.bidAskQuote[0]).toMatchObject({ bidP: book.bids[0].price, askP: book.asks[0].price });
    expect(ff.marketOHLC.ohlc[0]).toMatchObject({ interval: "1d", open: q.open, high: q.high, low: q.low });
    expect(ff.optionGreeks.delta).toBeGreaterThan(0);
    expect(ff.vtt).toBe(String(q.volume));
    expect(messages[1].feeds[keyOf(index)].fullFeed.indexFF.ltpc.ltp).toBe(sim.market.quote("NIFTY", "NSE_INDEX")!.ltp);

    send(ws, { method: "change_mode", data: { mode: "option_greeks", instrumentKeys: [keyOf(ce)] } });
    await wait(3);
    expect(messages[2].feeds[keyOf(ce)]).toMatchObject({
      requestMode: "option_greeks",
      firstLevelWithGreeks: { ltpc: { ltp: q.ltp }, firstDepth: { bidP: book.bids[0].price } },
    });
    send(ws, { method: "sub", data: { mode: "full_d30", instrumentKeys: [keyOf(ce)] } });
    await wait(4);
    expect(messages[3].feeds[keyOf(ce)].requestMode).toBe("full_d30");
  });

  it("streams live_feed for subscribed keys only, and nothing after unsub", async () => {
    const { ws, messages } = await marketSocket();
    const fut = nifty("FUT");
    send(ws, { method: "sub", data: { mode: "ltpc", instrumentKeys: [keyOf(fut)] } });
    await vi.waitFor(() => expect(messages.length).toBe(2));
    await control(sim.httpUrl, "POST", "/market/tick");
    await vi.waitFor(() => expect(messages.some((m) => m.type === "live_feed")).toBe(true));
    const live = messages.filter((m) => m.type === "live_feed");
    for (const m of live) expect(Object.keys(m.feeds)).toEqual([keyOf(fut)]);
    expect(live.at(-1)!.feeds[keyOf(fut)].ltpc.ltp).toBe(sim.market.quote(fut.symbol, fut.exchange)!.ltp);
    send(ws, { method: "unsub", data: { instrumentKeys: [keyOf(fut)] } });
    // A ping's pong comes after the unsub was read: everything the server sends later is after it.
    await new Promise<void>((resolve) => ws.ping(undefined, undefined, () => ws.once("pong", () => resolve())));
    const seen = messages.length;
    await control(sim.httpUrl, "POST", "/market/tick");
    await new Promise<void>((resolve) => ws.ping(undefined, undefined, () => ws.once("pong", () => resolve())));
    expect(messages.length).toBe(seen);
  });

  it("answers pings, and neither pongs nor streams while stalled", async () => {
    const { ws, messages } = await marketSocket();
    const pongs: string[] = [];
    ws.on("pong", (d) => pongs.push(String(d)));
    ws.ping("before");
    await vi.waitFor(() => expect(pongs).toEqual(["before"]));
    await control(sim.httpUrl, "POST", "/ws/stall", { stalled: true });
    send(ws, { method: "sub", data: { mode: "ltpc", instrumentKeys: [keyOf(nifty("FUT"))] } });
    ws.ping("stalled");
    await control(sim.httpUrl, "POST", "/market/tick");
    await control(sim.httpUrl, "POST", "/ws/stall", { stalled: false });
    ws.ping("after");
    // Pongs come back in order: had the stalled ping been answered, its pong would be before "after".
    await vi.waitFor(() => expect(pongs.at(-1)).toBe("after"));
    expect(pongs).toEqual(["before", "after"]);
    expect(messages.filter((m) => m.type !== "market_info")).toEqual([]);
  });
});

describe("portfolio stream feed", () => {
  it("pushes an order message shaped like an order-book row for every change of the instance's orders", async () => {
    const auth = await authorize("/v2/feed/portfolio-stream-feed/authorize");
    expect(auth.status).toBe(200);
    const url = new URL(auth.body.data.authorized_redirect_uri);
    expect(url.pathname).toBe("/upstox/upstox-developer-api/order-updates/feed");
    const { messages } = await connect(url.href, (d) => JSON.parse(String(d)) as Obj);
    const fut = nifty("FUT");
    const res = await fetch(`${base}/v2/order/place`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({
        quantity: fut.lotsize,
        product: "I",
        validity: "DAY",
        price: 0,
        tag: "raw",
        instrument_token: keyOf(fut),
        order_type: "MARKET",
        transaction_type: "BUY",
        disclosed_quantity: 0,
        trigger_price: 0,
        is_amo: false,
      }),
    });
    const orderId = ((await res.json()) as Obj).data.order_id as string;
    await vi.waitFor(() => expect(messages.some((m) => m.status === "complete")).toBe(true));
    const done = messages.find((m) => m.status === "complete")!;
    const trades = sim.broker.receivedOrders("raw");
    expect(trades.length).toBeGreaterThan(0);
    expect(done).toMatchObject({
      update_type: "order",
      user_id: "raw",
      order_id: orderId,
      instrument_token: keyOf(fut),
      instrument_key: keyOf(fut),
      transaction_type: "BUY",
      quantity: fut.lotsize,
      filled_quantity: fut.lotsize,
      pending_quantity: 0,
      order_type: "MARKET",
      product: "I",
    });
    expect(done.average_price).toBeGreaterThan(0);
    expect(done.order_timestamp).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it("refuses update types Upstox does not have", async () => {
    const r = await authorize("/v2/feed/portfolio-stream-feed/authorize?update_types=order,trades");
    expect(r.status).toBe(400);
  });
});
