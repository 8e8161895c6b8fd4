/**
 * The Dhan adapter's market-data stream against the simulator's Dhan Live Market Feed over a real WebSocket, with a
 * session from the connector's own login. Prices are compared with the simulator's own quotes; drops and stalls are
 * driven through the control API.
 */
import Decimal from "decimal.js";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { FeedTick, MarketFeed } from "@/lib/brokers/market-types";
import { closeRateGovernor } from "@/lib/brokers/rate-governor";
import type { BrokerSessionTokens } from "@/lib/brokers/login";
import { BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { disconnectRedis } from "@/lib/redis";
import { dhanStreams } from "@/lib/simulator/native/dhan/streams";
import type { Exchange } from "@/lib/simulator/types";
import { type DhanSim, startDhanSim } from "@/lib/testing/dhan-kit";
import { createDhanAdapter } from "./adapter";
import { dhanStreamHosts } from "./hosts";
import { openDhanMarketFeed } from "./market-feed";

const ID = "dfeed";
let d: DhanSim;
let session: BrokerSessionTokens;
let option = "";
const feeds: MarketFeed[] = [];

beforeAll(async () => {
  d = await startDhanSim(ID);
  session = (await d.login()).session;
  const ce = d.sim.market.instruments("NFO").find((i) => i.name === "NIFTY" && i.instrumenttype === "CE");
  option = ce!.symbol;
});
afterEach(async () => {
  for (const f of feeds.splice(0)) await f.close();
  await control("/ws/stall", { stalled: false });
});
afterAll(async () => {
  await d?.sim.close();
  await closeRateGovernor();
  await disconnectRedis();
});

async function control(path: string, body: unknown = {}) {
  const res = await fetch(`${d.sim.httpUrl}/_sim${path}`, {
    method: "POST",
    headers: { Authorization: "Bearer dhan-admin", "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

function adapter(accessToken = session.accessToken) {
  const config = { accountId: "dhan-feed", hostUrl: d.app.hostUrl, apiKey: d.app.apiKey, clientId: ID };
  return createDhanAdapter({ ...config, session: { ...session, accessToken } }, { gate: d.gate, now: d.now });
}

async function open(heartbeatMs = 60_000) {
  const ticks: FeedTick[] = [];
  const closed: Error[] = [];
  const feed = await adapter().openMarketFeed!(
    { onTick: (t) => ticks.push(t), onClose: (e) => closed.push(e) },
    { heartbeatMs, setupTimeoutMs: 3_000 },
  );
  feeds.push(feed);
  return { feed, ticks, closed };
}

const last = (ticks: FeedTick[], symbol: string) => ticks.filter((t) => t.symbol === symbol).at(-1);
const quoteOf = (symbol: string, exchange: string) => d.sim.market.quote(symbol, exchange as Exchange)!;
const paise = (n: number) => new Decimal(n).toDecimalPlaces(2);

describe("Dhan market feed", () => {
  it("streams each mode's fields at the simulator's prices, for subscribed contracts only", async () => {
    const { feed, ticks, closed } = await open();
    const r = await feed.subscribe([
      { exchange: "NSE", symbol: "SBIN", mode: 1 },
      { exchange: "NFO", symbol: option, mode: 2 },
      { exchange: "NSE", symbol: "TCS", mode: 3 },
      { exchange: "NSE", symbol: "NOSUCH", mode: 2 },
    ]);
    expect(r.refused).toEqual([{ exchange: "NSE", symbol: "NOSUCH", reason: expect.stringContaining("NOSUCH") }]);

    for (const round of [0, 1]) {
      if (round === 1) await control("/market/tick");
      // Every subscribed contract's latest tick shows the simulator's current price.
      await vi.waitFor(() => {
        for (const [symbol, exchange] of [
          ["SBIN", "NSE"],
          [option, "NFO"],
          ["TCS", "NSE"],
        ]) {
          const t = last(ticks, symbol);
          expect({ symbol, ltp: t && new Decimal(t.ltp).toFixed(2) }).toEqual({
            symbol,
            ltp: paise(quoteOf(symbol, exchange).ltp).toFixed(2),
          });
        }
      });
    }
    expect(new Set(ticks.map((t) => t.symbol))).toEqual(new Set(["SBIN", option, "TCS"]));

    const ltp = last(ticks, "SBIN")!;
    expect(ltp).toMatchObject({ exchange: "NSE", prevClose: null, volume: null, depth: null, bid: null, oi: null });
    expect(ltp.exchangeTs).toBe(new Date(Math.floor(quoteOf("SBIN", "NSE").ts / 1000) * 1000).toISOString());

    const q = quoteOf(option, "NFO");
    const quote = last(ticks, option)!;
    expect(quote).toMatchObject({ exchange: "NFO", volume: q.volume, oi: q.oi, depth: null, bid: null });
    expect(new Decimal(quote.prevClose!).eq(paise(q.prevClose))).toBe(true);
    expect(new Decimal(quote.high!).eq(paise(q.high))).toBe(true);
    expect(new Decimal(quote.low!).eq(paise(q.low))).toBe(true);

    const book = d.sim.market.depth("TCS", "NSE")!;
    const full = last(ticks, "TCS")!;
    expect(full.depth!.buy[0]).toEqual({
      price: paise(book.bids[0].price).toFixed(),
      quantity: book.bids[0].quantity,
      orders: book.bids[0].orders,
    });
    expect(full.depth!.sell).toHaveLength(book.asks.filter((l) => l.quantity > 0).length);
    expect(full).toMatchObject({ bid: full.depth!.buy[0].price, ask: full.depth!.sell[0].price });
    expect(new Decimal(full.prevClose!).eq(paise(quoteOf("TCS", "NSE").prevClose))).toBe(true);
    expect(closed).toEqual([]);
  });

  it("unsubscribes at the subscribed mode, and the server stops sending", async () => {
    const { feed, ticks } = await open();
    await feed.subscribe([
      { exchange: "NSE", symbol: "SBIN", mode: 2 },
      { exchange: "NSE", symbol: "TCS", mode: 1 },
    ]);
    await vi.waitFor(() => expect(last(ticks, "SBIN") && last(ticks, "TCS")).toBeTruthy());
    await feed.unsubscribe([{ exchange: "NSE", symbol: "SBIN", mode: 2 }]);
    const server = () => [...dhanStreams(d.sim.broker).feeds].flatMap((c) => [...c.subs.keys()]);
    await vi.waitFor(() => expect(server()).toHaveLength(1));
    ticks.length = 0;
    await control("/market/tick");
    await vi.waitFor(() => expect(last(ticks, "TCS")).toBeDefined());
    expect(ticks.filter((t) => t.symbol === "SBIN")).toEqual([]);
  });

  it("reports a dropped connection through onClose, but not one it closed itself", async () => {
    const a = await open();
    await control("/ws/drop");
    await vi.waitFor(() => expect(a.closed).toHaveLength(1));
    expect(a.closed[0]).toBeInstanceOf(BrokerUnavailableError);
    const b = await open();
    await b.feed.close();
    await expect(b.feed.subscribe([{ exchange: "NSE", symbol: "SBIN", mode: 1 }])).rejects.toBeInstanceOf(
      BrokerUnavailableError,
    );
    expect(b.closed).toEqual([]);
  });

  it("ends a stalled connection through its heartbeat", async () => {
    const { closed } = await open(200);
    await control("/ws/stall", { stalled: true });
    await vi.waitFor(() => expect(closed).toHaveLength(1), { timeout: 5_000 });
    expect(closed[0].message).toMatch(/silent for 200 ms/);
  });

  it("refuses a wrong token with an auth error", async () => {
    await expect(adapter("not-a-dhan-token").openMarketFeed!({ onTick() {}, onClose() {} })).rejects.toBeInstanceOf(
      BrokerAuthError,
    );
  });

  it("refuses a token whose session has ended with an auth error", async () => {
    const { session: own } = await d.login();
    await control(`/instances/${ID}/revoke`);
    const refused = openDhanMarketFeed(
      {
        url: dhanStreamHosts(d.app.hostUrl).feed,
        token: own.accessToken,
        clientId: ID,
        accountId: "dhan-feed",
        resolve: async () => null,
      },
      { onTick() {}, onClose() {} },
    );
    // A revoke ends the instance's tokens, so the feed no longer knows this one.
    await expect(refused).rejects.toThrow(/809/);
    await expect(refused).rejects.toBeInstanceOf(BrokerAuthError);
    // Past the token's 24 hours the adapter sends nothing at all.
    session = (await d.login()).session;
    await control("/clock", { advanceMs: 25 * 3_600_000 });
    await expect(adapter().openMarketFeed!({ onTick() {}, onClose() {} })).rejects.toThrow(/log in/i);
  });
});
