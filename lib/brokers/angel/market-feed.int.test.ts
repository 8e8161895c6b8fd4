/**
 * The Angel One adapter's SmartStream market feed against the simulator's `/angel/smart-stream` over a real
 * WebSocket, logged in through the connector's own publisher login. Ticks are driven by the simulator's market
 * (`market.tick()`), drops and stalls by its control API; nothing waits on time.
 */
import { type LookupAllOptions, lookup } from "node:dns";
import type { LookupFunction } from "node:net";
import Decimal from "decimal.js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { LoginRequiredError } from "@/lib/brokers/login";
import type { FeedTick, MarketFeed, MarketFeedTimings } from "@/lib/brokers/market-types";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerSessionTokens } from "@/lib/brokers/login";
import { BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import { ANGEL_ADMIN, type AngelWorld, loginAngel, startAngelWorld } from "@/lib/testing/angel-kit";
import { createAngelAdapter } from "./adapter";

let world: AngelWorld;
let session: BrokerSessionTokens;
let option = "";
const feeds: MarketFeed[] = [];

beforeAll(async () => {
  world = await startAngelWorld("angfeed");
  session = await loginAngel(world);
  const expiry = world.sim.market.expiries("NIFTY", "NFO", "options")[0].replaceAll("-", "");
  option = world.sim.market.optionChain("NIFTY", "NSE_INDEX", expiry, 1)!.rows[1].ce!.instrument.symbol;
});
afterEach(async () => {
  for (const f of feeds.splice(0)) await f.close();
  await sim("POST", "/ws/stall", { stalled: false });
});
afterAll(async () => {
  await world.sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

function sim(method: string, path: string, body?: unknown) {
  return fetch(`${world.sim.httpUrl}/_sim${path}`, {
    method,
    headers: { Authorization: `Bearer ${ANGEL_ADMIN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

function adapterWith(s: BrokerSessionTokens, now = world.now) {
  return createAngelAdapter(
    { accountId: "angel-feed", hostUrl: world.app.hostUrl, apiKey: world.app.apiKey, session: s },
    { gate: world.gate, now },
  );
}

async function open(timings: MarketFeedTimings = { heartbeatMs: 5_000 }, s = session) {
  const ticks: FeedTick[] = [];
  const closed: Error[] = [];
  const feed = await adapterWith(s).openMarketFeed!(
    { onTick: (t) => ticks.push(t), onClose: (e) => closed.push(e) },
    { setupTimeoutMs: 5_000, ...timings },
  );
  feeds.push(feed);
  return { feed, ticks, closed };
}

const quote = (symbol: string, exchange: "NSE" | "NFO") => world.sim.market.quote(symbol, exchange)!;
const last = (ticks: FeedTick[], symbol: string) => ticks.filter((t) => t.symbol === symbol).at(-1);

describe("Angel market feed", () => {
  it("subscribes each mode, ticks carry the simulator's prices for the subscribed contracts only", async () => {
    const { feed, ticks, closed } = await open();
    expect(feed.host).toBe(new URL(world.sim.httpUrl).host);
    const r = await feed.subscribe([
      { exchange: "NSE", symbol: "SBIN", mode: 1 },
      { exchange: "NSE", symbol: "TCS", mode: 2 },
      { exchange: "NFO", symbol: option, mode: 3 },
      { exchange: "NFO", symbol: "NOSUCH08DEC2624500CE", mode: 1 },
    ]);
    expect(r.refused).toEqual([
      { exchange: "NFO", symbol: "NOSUCH08DEC2624500CE", reason: expect.stringContaining("scrip master") },
    ]);
    await vi.waitFor(() => expect(new Set(ticks.map((t) => t.symbol))).toEqual(new Set(["SBIN", "TCS", option])));

    const sbin = last(ticks, "SBIN")!;
    expect(new Decimal(sbin.ltp).eq(quote("SBIN", "NSE").ltp)).toBe(true);
    expect(sbin.exchangeTs).toBe(new Date(quote("SBIN", "NSE").ts).toISOString());
    expect([sbin.open, sbin.volume, sbin.oi, sbin.bid, sbin.depth]).toEqual([null, null, null, null, null]);

    const tcs = last(ticks, "TCS")!;
    const q = quote("TCS", "NSE");
    expect([tcs.ltp, tcs.open, tcs.high, tcs.low, tcs.prevClose].map((v) => Number(v))).toEqual([
      q.ltp,
      q.open,
      q.high,
      q.low,
      q.prevClose,
    ]);
    expect(tcs.volume).toBe(q.volume);
    expect(tcs.depth).toBeNull();

    const opt = last(ticks, option)!;
    const depth = world.sim.market.depth(option, "NFO")!;
    expect(new Decimal(opt.ltp).eq(quote(option, "NFO").ltp)).toBe(true);
    expect(opt.oi).toBe(quote(option, "NFO").oi);
    expect(opt.depth!.buy[0]).toEqual({
      price: new Decimal(depth.bids[0].price).toFixed(),
      quantity: depth.bids[0].quantity,
      orders: depth.bids[0].orders,
    });
    expect(opt.bid).toBe(opt.depth!.buy[0].price);
    expect(opt.ask).toBe(opt.depth!.sell[0].price);
    expect(opt.askQty).toBe(depth.asks[0].quantity);

    // A market tick: new prices arrive, equal to the simulator's quote after it.
    const mark = ticks.length;
    world.sim.market.tick();
    await vi.waitFor(() => expect(ticks.slice(mark).some((t) => t.symbol === "TCS")).toBe(true));
    expect(Number(last(ticks, "TCS")!.ltp)).toBe(quote("TCS", "NSE").ltp);
    expect(ticks.every((t) => ["SBIN", "TCS", option].includes(t.symbol))).toBe(true);

    // Unsubscribed, SBIN stops while TCS goes on (two ticks: the first batch is wholly delivered by the second's TCS).
    await feed.unsubscribe([{ exchange: "NSE", symbol: "SBIN", mode: 1 }]);
    const after = ticks.length;
    world.sim.market.tick();
    world.sim.market.tick();
    await vi.waitFor(() => expect(ticks.slice(after).filter((t) => t.symbol === "TCS").length).toBe(2));
    expect(ticks.slice(after).filter((t) => t.symbol === "SBIN")).toEqual([]);
    expect(closed).toEqual([]);
  });

  it("reports a dropped socket through onClose, but not one it closed itself", async () => {
    const a = await open();
    expect((await sim("POST", "/ws/drop", {})).status).toBe(200);
    await vi.waitFor(() => expect(a.closed).toHaveLength(1));
    expect(a.closed[0]).toBeInstanceOf(BrokerUnavailableError);
    const b = await open();
    await b.feed.close();
    await expect(b.feed.subscribe([{ exchange: "NSE", symbol: "SBIN", mode: 1 }])).rejects.toBeInstanceOf(
      BrokerUnavailableError,
    );
    expect(b.closed).toEqual([]);
  });

  it("ends a stalled stream through its ping/pong heartbeat", async () => {
    const { closed } = await open({ heartbeatMs: 200 });
    expect((await sim("POST", "/ws/stall", { stalled: true })).status).toBe(200);
    await vi.waitFor(() => expect(closed).toHaveLength(1), { timeout: 5_000 });
    expect(closed[0].message).toMatch(/silent for 200 ms/);
  });

  it("refuses a wrong token, a revoked session and a session without a feed token as auth errors", async () => {
    await expect(open({}, { ...session, accessToken: "eyJwrong" })).rejects.toBeInstanceOf(BrokerAuthError);
    await expect(open({}, { ...session, refreshToken: undefined })).rejects.toBeInstanceOf(BrokerAuthError);
    expect((await sim("POST", "/instances/angfeed/revoke")).status).toBe(200);
    await expect(open()).rejects.toBeInstanceOf(BrokerAuthError);
    session = await loginAngel(world, "again");
    expect((await open()).closed).toEqual([]);
  });

  it("resolves the stream's host through the host policy's lookup, and a refused lookup opens nothing", async () => {
    const asked: string[] = [];
    const policy = (refuse: boolean): LookupFunction =>
      ((hostname: string, options: object, callback: (...a: unknown[]) => void) => {
        asked.push(hostname);
        if (refuse) return callback(Object.assign(new Error(`${hostname} is not allowed`), { code: "EPOLICY" }));
        lookup(hostname, options as LookupAllOptions, callback as never);
      }) as LookupFunction;
    const hostUrl = world.app.hostUrl.replace("127.0.0.1", "localhost");
    const make = (refuse: boolean) =>
      createAngelAdapter(
        { accountId: "angel-feed", hostUrl, apiKey: world.app.apiKey, session },
        { gate: world.gate, now: world.now, http: { lookup: policy(refuse) } },
      );
    const feed = await make(false).openMarketFeed!({ onTick: () => undefined, onClose: () => undefined });
    feeds.push(feed);
    expect(feed.host).toBe(new URL(hostUrl).host);
    expect(asked).toContain("localhost");
    asked.length = 0;
    await expect(make(true).openMarketFeed!({ onTick: () => undefined, onClose: () => undefined })).rejects.toThrow(
      /not allowed/,
    );
    expect(asked).toEqual(["localhost"]);
  });

  it("an expired token: nothing is sent past expiry, and the broker refuses it when our clock lags", async () => {
    const started = world.now();
    world.sim.market.clock.set(session.expiresAt.getTime());
    const e = await adapterWith(session).openMarketFeed!({ onTick: () => undefined, onClose: () => undefined }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(LoginRequiredError);
    await expect(
      adapterWith(session, () => started).openMarketFeed!({ onTick: () => undefined, onClose: () => undefined }),
    ).rejects.toBeInstanceOf(BrokerAuthError);
  });
});
