/** The market-data stream client against the simulator's WebSocket proxy (real sockets, fixed clock). */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { FeedTick, MarketFeed } from "@/lib/brokers/market-types";
import { BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { ALPHA, control, startTestSimulator } from "@/lib/testing/simulator-server-kit";
import { waitUntil } from "@/lib/testing/wait";
import { openMarketFeed, type MarketFeedOptions } from "./market-feed";

let sim: RunningSimulator;
const feeds: MarketFeed[] = [];

interface Opened {
  feed: MarketFeed;
  ticks: FeedTick[];
  closed: Error[];
}

async function open(overrides: Partial<MarketFeedOptions> = {}): Promise<Opened> {
  const ticks: FeedTick[] = [];
  const closed: Error[] = [];
  const feed = await openMarketFeed(
    { wsUrl: sim.wsUrl, apiKey: ALPHA.apiKey, accountId: "acc-1", setupTimeoutMs: 2_000, ...overrides },
    { onTick: (t) => ticks.push(t), onClose: (e) => closed.push(e) },
  );
  feeds.push(feed);
  return { feed, ticks, closed };
}
const tick = () => control(sim.httpUrl, "POST", "/market/tick");
async function subsOf(instanceId: string) {
  const r = await control(sim.httpUrl, "GET", "/ws/connections");
  const conns = r.json.connections as { instanceId: string; subscriptions: { symbol: string; modes: number[] }[] }[];
  return new Map(
    conns.filter((c) => c.instanceId === instanceId).flatMap((c) => c.subscriptions.map((s) => [s.symbol, s.modes])),
  );
}

beforeAll(async () => {
  sim = await startTestSimulator({ alwaysOpen: true });
});
afterEach(async () => {
  for (const f of feeds.splice(0)) await f.close();
  await control(sim.httpUrl, "POST", "/reset");
});
afterAll(() => sim.close());

describe("openMarketFeed", () => {
  it("subscribes each item at its own mode, maps ticks, and unsubscribes with explicit modes", async () => {
    const { feed, ticks, closed } = await open();
    const r = await feed.subscribe([
      { exchange: "NSE", symbol: "SBIN", mode: 1 },
      { exchange: "NSE", symbol: "TCS", mode: 3 },
      { exchange: "NSE", symbol: "NOSUCH", mode: 2 },
    ]);
    expect(r.refused).toEqual([{ exchange: "NSE", symbol: "NOSUCH", reason: expect.stringContaining("NOSUCH") }]);
    expect(await subsOf(ALPHA.id)).toEqual(
      new Map([
        ["SBIN", [1]],
        ["TCS", [3]],
      ]),
    );
    await tick();
    await waitUntil(() => ticks.some((t) => t.symbol === "TCS" && t.depth !== null), 3_000, "a TCS depth tick");
    const tcs = ticks.filter((t) => t.symbol === "TCS").at(-1)!;
    expect(tcs.depth!.buy[0].quantity).toBeGreaterThan(0);
    expect(tcs.bid).toBe(tcs.depth!.buy[0].price);
    // Mode 1 (LTP) carries no quote block here: nothing is invented for it.
    const sbin = ticks.filter((t) => t.symbol === "SBIN").at(-1)!;
    expect(sbin.ltp).toMatch(/^\d+(\.\d+)?$/);
    expect(sbin.volume).toBeNull();
    // The server's default unsubscribe mode is 2: only an explicit mode 1 ends SBIN's mode-1 stream.
    await feed.unsubscribe([{ exchange: "NSE", symbol: "SBIN", mode: 1 }]);
    expect(await subsOf(ALPHA.id)).toEqual(new Map([["TCS", [3]]]));
    expect(closed).toEqual([]);
  });

  it("refuses a wrong key with a typed auth error", async () => {
    await expect(open({ apiKey: "wrong-key" })).rejects.toBeInstanceOf(BrokerAuthError);
  });

  it("fails setup when the broker session is gone", async () => {
    await control(sim.httpUrl, "POST", `/instances/${ALPHA.id}/revoke`);
    await expect(open()).rejects.toBeInstanceOf(BrokerUnavailableError);
  });

  it("reports a dropped connection, but not one it closed itself", async () => {
    const a = await open();
    await control(sim.httpUrl, "POST", "/ws/drop", {});
    await waitUntil(() => a.closed.length > 0, 3_000, "the drop reported");
    expect(a.closed[0]).toBeInstanceOf(BrokerUnavailableError);
    const b = await open();
    await b.feed.close();
    await expect(b.feed.subscribe([{ exchange: "NSE", symbol: "SBIN", mode: 1 }])).rejects.toBeInstanceOf(
      BrokerUnavailableError,
    );
    expect(b.closed).toEqual([]);
  });

  it("ends a stalled connection through its heartbeat", async () => {
    const { closed } = await open({ heartbeatMs: 100 });
    await control(sim.httpUrl, "POST", "/ws/stall", { stalled: true });
    await waitUntil(() => closed.length > 0, 5_000, "the stall reported");
    expect(closed[0].message).toMatch(/silent for 100 ms/);
  });

  it("times out a setup the server never answers", async () => {
    await control(sim.httpUrl, "POST", "/ws/stall", { stalled: true });
    const err = await open({ setupTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BrokerUnavailableError);
    expect((err as BrokerUnavailableError).reason).toBe("timeout");
  });
});
