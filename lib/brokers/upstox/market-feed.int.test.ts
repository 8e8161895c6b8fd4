/**
 * The Upstox connector's market-data stream against the simulator's Upstox feed (real sockets, protobuf, fixed
 * clock): modes, prices against the simulator's quotes, unsubscribe, drops, stalls, refused sessions and the rule
 * that the one-time URL only goes to Upstox or the account's own host.
 */
import { createServer, request, type Server } from "node:http";
import type { AddressInfo, LookupFunction } from "node:net";
import Decimal from "decimal.js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { WebSocketServer } from "ws";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import type { FeedTick, MarketFeed, MarketFeedTimings } from "@/lib/brokers/market-types";
import { BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import type { Instrument } from "@/lib/simulator/types";
import { control } from "@/lib/testing/simulator-server-kit";
import { loginViaSimulator } from "@/lib/testing/upstox-sim-login";
import { startUpstoxStreamWorld, UPSTOX_TRADER, type UpstoxStreamWorld } from "@/lib/testing/upstox-stream-kit";
import { upstoxMaster } from "./master";
import { openUpstoxMarketFeed } from "./market-feed";

let world: UpstoxStreamWorld;
const feeds: MarketFeed[] = [];

beforeAll(async () => {
  world = await startUpstoxStreamWorld();
});
afterEach(async () => {
  for (const f of feeds.splice(0)) await f.close();
  await control(world.sim.httpUrl, "POST", "/ws/stall", { stalled: false });
});
afterAll(async () => {
  await world?.close();
  await closeRateGovernor();
  await disconnectRedis();
});

async function open(timings: MarketFeedTimings = {}) {
  const ticks: FeedTick[] = [];
  const closed: Error[] = [];
  const feed = await world.adapter().openMarketFeed!(
    { onTick: (t) => ticks.push(t), onClose: (e) => closed.push(e) },
    { setupTimeoutMs: 3_000, heartbeatMs: 60_000, ...timings },
  );
  feeds.push(feed);
  return { feed, ticks, closed };
}
const item = (i: Instrument, mode: 1 | 2 | 3) => ({ symbol: i.symbol, exchange: i.exchange, mode });
const ltpOf = (i: Instrument) => new Decimal(world.sim.market.quote(i.symbol, i.exchange)!.ltp).toFixed();
const of = (ticks: FeedTick[], i: Instrument) => ticks.filter((t) => t.symbol === i.symbol);

describe("Upstox openMarketFeed", () => {
  it("streams each mode's fields at the simulator's prices, for the subscribed contracts only", async () => {
    const { feed, ticks, closed } = await open();
    const fut = world.nifty("FUT");
    const ce = world.atm("CE");
    const pe = world.atm("PE");
    expect(feed.host).toBe(new URL(world.sim.httpUrl).host);
    const r = await feed.subscribe([
      item(fut, 1),
      item(ce, 2),
      item(pe, 3),
      { symbol: "NIFTY01JAN2099000CE", exchange: "NFO", mode: 1 },
    ]);
    expect(r.refused).toEqual([{ symbol: "NIFTY01JAN2099000CE", exchange: "NFO", reason: expect.any(String) }]);
    await vi.waitFor(() => {
      for (const i of [fut, ce, pe]) expect(of(ticks, i).length).toBe(1);
    });
    const [t1] = of(ticks, fut);
    const [t2] = of(ticks, ce);
    const [t3] = of(ticks, pe);
    for (const [t, i] of [
      [t1, fut],
      [t2, ce],
      [t3, pe],
    ] as const) {
      const q = world.sim.market.quote(i.symbol, i.exchange)!;
      expect(t).toMatchObject({ exchange: "NFO", ltp: ltpOf(i), prevClose: new Decimal(q.prevClose).toFixed() });
      expect(t.exchangeTs).toBe(new Date(q.ts).toISOString());
    }
    expect(t1).toMatchObject({ open: null, volume: null, oi: null, depth: null, bid: null });
    const q2 = world.sim.market.quote(ce.symbol, ce.exchange)!;
    expect(t2).toMatchObject({
      open: new Decimal(q2.open).toFixed(),
      volume: q2.volume,
      oi: q2.oi,
      depth: null,
      bid: null,
    });
    const book = world.sim.market.depth(pe.symbol, pe.exchange)!;
    const level = (l: { price: number; quantity: number }) => ({
      price: new Decimal(l.price).toFixed(),
      quantity: l.quantity,
      orders: null,
    });
    const real = (l: { price: number; quantity: number }) => l.price > 0 && l.quantity > 0;
    expect(t3.depth).toEqual({ buy: book.bids.filter(real).map(level), sell: book.asks.filter(real).map(level) });
    expect(t3.depth!.buy.length).toBeGreaterThan(1);
    expect(t3).toMatchObject({ bid: new Decimal(book.bids[0].price).toFixed(), bidQty: book.bids[0].quantity });

    await control(world.sim.httpUrl, "POST", "/market/tick");
    await vi.waitFor(() => expect(of(ticks, fut).length).toBeGreaterThan(1));
    expect(of(ticks, fut).at(-1)!.ltp).toBe(ltpOf(fut));
    expect(new Set(ticks.map((t) => t.symbol))).toEqual(new Set([fut.symbol, ce.symbol, pe.symbol]));
    expect(closed).toEqual([]);
  });

  it("stops a contract's ticks once it is unsubscribed", async () => {
    const { feed, ticks } = await open();
    const fut = world.nifty("FUT");
    const ce = world.nifty("CE", 5);
    await feed.subscribe([item(fut, 1), item(ce, 1)]);
    await vi.waitFor(() => expect(of(ticks, ce).length).toBe(1));
    await feed.unsubscribe([item(ce, 1)]);
    // Re-subscribing the future in a richer mode is answered after the unsubscribe was read (one socket, in order).
    await feed.subscribe([item(fut, 2)]);
    await vi.waitFor(() => expect(of(ticks, fut).some((t) => t.open !== null)).toBe(true));
    const seen = of(ticks, ce).length;
    const futSeen = of(ticks, fut).length;
    await control(world.sim.httpUrl, "POST", "/market/tick");
    await vi.waitFor(() => expect(of(ticks, fut).length).toBeGreaterThan(futSeen));
    expect(of(ticks, ce).length).toBe(seen);
  });

  it("reports a dropped socket through onClose", async () => {
    const { closed } = await open();
    await control(world.sim.httpUrl, "POST", "/ws/drop", { instanceId: UPSTOX_TRADER.id });
    await vi.waitFor(() => expect(closed).toHaveLength(1));
    expect(closed[0]).toBeInstanceOf(BrokerUnavailableError);
  });

  it("ends a stalled stream through onClose when its ping goes unanswered", async () => {
    const { closed } = await open({ heartbeatMs: 400 });
    await control(world.sim.httpUrl, "POST", "/ws/stall", { stalled: true });
    await vi.waitFor(() => expect(closed).toHaveLength(1), { timeout: 10_000 });
    expect(closed[0]).toBeInstanceOf(BrokerUnavailableError);
    expect((closed[0] as BrokerUnavailableError).reason).toBe("timeout");
  });

  it("refuses a wrong or ended session, and a used stream URL, as auth errors", async () => {
    const handlers = { onTick: () => undefined, onClose: () => undefined };
    const wrong = world.adapter({ session: { ...world.session, accessToken: "not-the-token" } });
    await expect(wrong.openMarketFeed!(handlers)).rejects.toBeInstanceOf(BrokerAuthError);

    const res = await fetch(`${world.hostUrl}/v3/feed/market-data-feed/authorize`, {
      headers: { Authorization: `Bearer ${world.session.accessToken}`, Accept: "application/json" },
    });
    const url = new URL(
      ((await res.json()) as { data: { authorized_redirect_uri: string } }).data.authorized_redirect_uri,
    );
    const master = await upstoxMaster(world.hostUrl);
    const first = await openUpstoxMarketFeed({ url, accountId: "x", master, setupTimeoutMs: 3_000 }, handlers);
    await first.close();
    await expect(
      openUpstoxMarketFeed({ url, accountId: "x", master, setupTimeoutMs: 3_000 }, handlers),
    ).rejects.toBeInstanceOf(BrokerAuthError);

    const { session, close } = await relogin();
    try {
      await control(world.sim.httpUrl, "POST", `/instances/${UPSTOX_TRADER.id}/revoke`);
      await expect(world.adapter({ session }).openMarketFeed!(handlers)).rejects.toBeInstanceOf(BrokerAuthError);
    } finally {
      await close();
    }
  });

  it("resolves the stream's host through the host policy's lookup", async () => {
    const port = new URL(world.sim.httpUrl).port;
    const res = await fetch(`http://localhost:${port}/upstox/v3/feed/market-data-feed/authorize`, {
      headers: { Authorization: `Bearer ${world.session.accessToken}`, Accept: "application/json" },
    });
    const body = (await res.json()) as { data: { authorized_redirect_uri: string } };
    const url = new URL(body.data.authorized_redirect_uri);
    expect(url.hostname).toBe("localhost");
    const asked: string[] = [];
    const refuse: LookupFunction = (hostname, _options, callback) => {
      asked.push(hostname);
      callback(Object.assign(new Error("refused by the host policy"), { code: "EPRIVATEHOST" }), "", 4);
    };
    const master = await upstoxMaster(world.hostUrl);
    const handlers = { onTick: () => undefined, onClose: () => undefined };
    await expect(
      openUpstoxMarketFeed({ url, accountId: "x", master, lookup: refuse, setupTimeoutMs: 3_000 }, handlers),
    ).rejects.toBeInstanceOf(BrokerUnavailableError);
    expect(asked).toEqual(["localhost"]);
  });

  it("refuses an authorized URL on any host but the account's own, before connecting", async () => {
    const elsewhere = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise((r) => elsewhere.once("listening", r));
    let connections = 0;
    elsewhere.on("connection", () => connections++);
    const foreign = `ws://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/feeds?code=abc`;
    const proxy = await authorizeProxy(foreign);
    try {
      const adapter = world.adapter({ hostUrl: `${proxy.url}/upstox` });
      const handlers = { onTick: () => undefined, onClose: () => undefined };
      await expect(adapter.openMarketFeed!(handlers)).rejects.toThrow(/neither Upstox nor the account's host/);
      await expect(
        adapter.subscribeOrderUpdates!(
          () => undefined,
          () => undefined,
        ),
      ).rejects.toBeInstanceOf(BrokerUnavailableError);
      expect(proxy.authorizeCalls()).toBe(2);
      expect(connections).toBe(0);
    } finally {
      await new Promise((r) => proxy.server.close(r));
      await new Promise((r) => elsewhere.close(r));
    }
  });
});

describe("Upstox openMarketFeed after the token's daily expiry", () => {
  // Last in the file: it moves the simulated clock to the next morning.
  it("is refused by Upstox as an auth error (the session still looked valid on our side)", async () => {
    world.sim.market.clock.advance(24 * 3_600_000);
    const stale = { ...world.session, expiresAt: new Date(world.now() + 3_600_000) };
    const handlers = { onTick: () => undefined, onClose: () => undefined };
    await expect(world.adapter({ session: stale }).openMarketFeed!(handlers)).rejects.toBeInstanceOf(BrokerAuthError);
  });
});

/** A fresh login (a revoke ends it; later tests keep the world's own session, whose instance is logged in again). */
async function relogin() {
  const app = { hostUrl: world.hostUrl, apiKey: UPSTOX_TRADER.apiKey, apiSecret: UPSTOX_TRADER.apiSecret };
  const session = await loginViaSimulator(app, world.now);
  return {
    session,
    close: async () => {
      world.session = await loginViaSimulator(app, world.now);
    },
  };
}

/** A host in front of the simulator that forwards everything but answers both authorize calls with `foreignUrl`. */
async function authorizeProxy(foreignUrl: string) {
  const target = new URL(world.sim.httpUrl);
  let calls = 0;
  const server: Server = createServer((req, res) => {
    if (req.url?.includes("/feed/") && req.url.includes("/authorize")) {
      calls++;
      res.writeHead(200, { "Content-Type": "application/json" });
      return res.end(JSON.stringify({ status: "success", data: { authorized_redirect_uri: foreignUrl } }));
    }
    const upstream = request(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, authorizeCalls: () => calls };
}
