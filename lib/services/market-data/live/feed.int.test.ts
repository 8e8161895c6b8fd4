/**
 * The worker's upstream feed against the real simulator over WebSocket, real Redis and the real account service.
 * Prices move only on `POST /_sim/market/tick`; every wait is on observable state (the simulator's sockets and
 * subscriptions, Redis quotes and status, the tick channel), never on time.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import type { InstanceConfig } from "@/lib/simulator/types";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import {
  simConnections,
  simControl,
  simSubscriptions,
  startFeedSimulator,
  testFeed,
  tick,
  TickLog,
} from "@/lib/testing/feed-kit";
import { waitFor, waitUntil } from "@/lib/testing/wait";
import {
  readFeedStats,
  readFeedStatus,
  readQuotes,
  registerInterest,
  releaseInterest,
  type FeedManager,
  type InterestItem,
} from "@/lib/services/market-data";

const A: InstanceConfig = { id: "feedA", apiKey: "feed-key-a-0123456789", capital: "1000000" };
const B: InstanceConfig = { id: "feedB", apiKey: "feed-key-b-0123456789", capital: "1000000" };
/** Reports a real broker's name on ping, so its account counts as a real feed. */
const R: InstanceConfig = { id: "feedR", apiKey: "feed-key-r-0123456789", capital: "1000000", brokerName: "zerodha" };
const TTL = 60_000;
const WAIT = 15_000;

let sim: RunningSimulator;
let accounts: { id: string }[];
const running: { close(): Promise<void> }[] = [];

const item = (key: string, mode: 1 | 2 | 3): InterestItem => {
  const at = key.indexOf(":");
  return { exchange: key.slice(0, at), symbol: key.slice(at + 1), mode };
};
function started<T extends { close(): Promise<void> }>(x: T): T {
  running.push(x);
  return x;
}
async function feed(overrides: Parameters<typeof testFeed>[0] = {}): Promise<FeedManager> {
  const m = testFeed(overrides);
  started({ close: () => m.stop() });
  await m.start();
  return m;
}
const subscribed = async (key: string) => (await simSubscriptions(sim)).get(key);
const liveStatus = (kind: "real" | "simulated") =>
  waitFor(
    `${kind} feed live`,
    () => readFeedStatus(kind),
    (s) => s?.state === "live",
    WAIT,
  );

beforeAll(async () => {
  sim = await startFeedSimulator([A, B, R]);
});
beforeEach(async () => {
  await resetState();
  const trader = await makeUser("TRADER");
  accounts = await linkAccounts(sim, trader, [A, B]);
});
afterEach(async () => {
  for (const x of running.splice(0).reverse()) await x.close();
  await simControl(sim, "POST", "/reset");
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

describe("the upstream feed", () => {
  it("subscribes what interest names and writes every tick's quote to Redis, mapped from the frame", async () => {
    const ticks = started(await TickLog.listen("simulated"));
    const m = await feed();
    await registerInterest("positions:test", "simulated", [item("NSE:SBIN", 2), item("NSE_INDEX:NIFTY", 1)], TTL);
    await waitUntil(async () => (await simSubscriptions(sim)).size === 2, WAIT, "both contracts subscribed");
    expect(await subscribed("NSE:SBIN")).toEqual([2]);
    expect(await subscribed("NSE_INDEX:NIFTY")).toEqual([1]);
    const before = ticks.count("NSE:SBIN");
    await tick(sim);
    await waitUntil(() => ticks.count("NSE:SBIN") > before, WAIT, "a tick of SBIN");
    const q = (await readQuotes("simulated", ["NSE:SBIN", "NSE_INDEX:NIFTY"])).get("NSE:SBIN")!;
    const truth = sim.market.quote("SBIN", "NSE")!;
    expect(q).toMatchObject({ exchange: "NSE", symbol: "SBIN", source: "feed", accountId: accounts[0].id });
    expect(Number(q.ltp)).toBe(truth.ltp);
    expect(q.volume).toBe(truth.volume);
    expect(q.prevClose).not.toBeNull();
    expect(q.exchangeTs).toBe(new Date(truth.ts).toISOString());
    // Mode 2 sends no book: best bid/ask stay unknown rather than invented.
    expect(q.depth).toBeNull();
    expect(q.bid).toBeNull();
    expect(m.statuses().find((s) => s.kind === "simulated")).toMatchObject({ state: "live", subscribed: 2 });
    const status = await liveStatus("simulated");
    expect(status).toMatchObject({ accountId: accounts[0].id, subscribed: 2, reason: null });
    expect(status?.host).toBe(new URL(sim.wsUrl).host);
  });

  it("maps a depth subscription's book (sizes included) and sees volume and OI move tick by tick", async () => {
    const ticks = started(await TickLog.listen("simulated"));
    await feed();
    const expiry = sim.market.expiries("NIFTY", "NFO", "options")[0];
    const chain = sim.market.optionChain("NIFTY", "NSE_INDEX", expiry.replaceAll("-", ""), 1)!;
    const symbol = chain.rows[1].ce!.instrument.symbol;
    const key = `NFO:${symbol}`;
    await registerInterest("chain:1", "simulated", [item(key, 3)], TTL);
    await waitUntil(async () => (await subscribed(key))?.[0] === 3, WAIT, "option subscribed in depth mode");
    const seen = () => ticks.quotes.filter((q) => q.symbol === symbol);
    for (let i = 0; i < 3; i++) {
      const n = seen().length;
      await tick(sim);
      await waitUntil(() => seen().length > n, WAIT, `option tick ${i}`);
    }
    const qs = seen();
    const last = qs.at(-1)!;
    expect(last.depth?.buy.length).toBe(5);
    expect(last.depth?.sell.length).toBe(5);
    expect(last.depth!.buy.every((l) => l.quantity > 0)).toBe(true);
    expect(last.bid).toBe(last.depth!.buy[0].price);
    expect(last.askQty).toBe(last.depth!.sell[0].quantity);
    expect(Number(last.ask)).toBeGreaterThan(Number(last.bid));
    const volumes = qs.map((q) => q.volume!);
    expect(new Set(volumes).size).toBeGreaterThan(1);
    expect([...volumes].sort((a, b) => a - b)).toEqual(volumes);
    expect(new Set(qs.map((q) => q.oi)).size).toBeGreaterThan(1);
  });

  it("publishes toward browsers on the coalesced channel too", async () => {
    const { createBlockingRedis } = await import("@/lib/redis");
    const { LIVE } = await import("@/lib/services/market-data");
    const sub = createBlockingRedis();
    started({ close: async () => void (await sub.quit()) });
    const got: string[] = [];
    sub.on("message", (_c, text: string) => got.push(text));
    await sub.subscribe(LIVE.ui("simulated", "NSE:INFY"));
    await feed();
    await registerInterest("chain:2", "simulated", [item("NSE:INFY", 2)], TTL);
    await waitUntil(async () => (await subscribed("NSE:INFY")) !== undefined, WAIT, "INFY subscribed");
    await tick(sim);
    await waitUntil(() => got.length > 0, WAIT, "a UI update");
    expect(JSON.parse(got[0])).toMatchObject({ symbol: "INFY", source: "feed" });
  });

  it("unsubscribes a released contract at the simulator and stops its quotes", async () => {
    const ticks = started(await TickLog.listen("simulated"));
    await feed();
    await registerInterest("h1", "simulated", [item("NSE:TCS", 2)], TTL);
    await registerInterest("marker", "simulated", [item("NSE:SBIN", 1)], TTL);
    await waitUntil(async () => (await simSubscriptions(sim)).size === 2, WAIT, "both subscribed");
    await releaseInterest("h1");
    await waitUntil(async () => (await subscribed("NSE:TCS")) === undefined, WAIT, "TCS unsubscribed at the simulator");
    const tcs = ticks.count("NSE:TCS");
    // Two tick batches seen through the marker: frames and writes are ordered, so any TCS tick would be in by now.
    for (let i = 0; i < 2; i++) {
      const n = ticks.count("NSE:SBIN");
      await tick(sim);
      await waitUntil(() => ticks.count("NSE:SBIN") > n, WAIT, "a marker tick");
    }
    expect(ticks.count("NSE:TCS")).toBe(tcs);
    expect(await subscribed("NSE:SBIN")).toEqual([1]);
  });

  it("keeps a contract two holders want until the last one releases it", async () => {
    await feed();
    await registerInterest("one", "simulated", [item("NSE:SBIN", 2), item("NSE:ITC", 1)], TTL);
    await registerInterest("two", "simulated", [item("NSE:SBIN", 2)], TTL);
    await waitUntil(async () => (await simSubscriptions(sim)).size === 2, WAIT, "subscribed");
    await releaseInterest("one");
    // ITC (only "one" wanted it) going proves the release was processed; SBIN must stay.
    await waitUntil(async () => (await subscribed("NSE:ITC")) === undefined, WAIT, "ITC unsubscribed");
    expect(await subscribed("NSE:SBIN")).toEqual([2]);
    await releaseInterest("two");
    await waitUntil(async () => (await simConnections(sim)).length === 0, WAIT, "socket closed when nothing is wanted");
    expect((await readFeedStatus("simulated"))?.state).toBe("down");
  });

  it("reports contracts the broker refuses in the status and keeps serving the rest", async () => {
    const ticks = started(await TickLog.listen("simulated"));
    await feed();
    await registerInterest("typo", "simulated", [item("NSE:NOSUCHSTOCK", 2), item("NSE:SBIN", 2)], TTL);
    const status = await waitFor(
      "status naming the refusal",
      () => readFeedStatus("simulated"),
      (s) => s?.state === "live" && /NOSUCHSTOCK/.test(s.reason ?? ""),
      WAIT,
    );
    expect(status?.subscribed).toBe(1);
    await tick(sim);
    await waitUntil(() => ticks.count("NSE:SBIN") > 0, WAIT, "SBIN still ticking");
  });

  it("changes a contract's mode with explicit per-item modes, leaving no stale mode behind", async () => {
    await feed();
    await registerInterest("low", "simulated", [item("NSE:SBIN", 1)], TTL);
    await waitUntil(async () => (await subscribed("NSE:SBIN"))?.[0] === 1, WAIT, "mode 1");
    await registerInterest("high", "simulated", [item("NSE:SBIN", 3)], TTL);
    await waitUntil(async () => (await subscribed("NSE:SBIN"))?.join() === "3", WAIT, "only mode 3");
    await releaseInterest("high");
    await waitUntil(async () => (await subscribed("NSE:SBIN"))?.join() === "1", WAIT, "back to only mode 1");
  });

  it("reconnects after a drop and resubscribes every wanted contract", async () => {
    const lost: string[] = [];
    const ticks = started(await TickLog.listen("simulated"));
    const m = await feed({ onLost: (_k, reason) => lost.push(reason) });
    const keys = ["NSE:SBIN", "NSE:TCS", "NSE:INFY", "NSE:RELIANCE", "NSE_INDEX:NIFTY"];
    await registerInterest(
      "many",
      "simulated",
      keys.map((k, i) => item(k, ((i % 3) + 1) as 1 | 2 | 3)),
      TTL,
    );
    await waitUntil(async () => (await simSubscriptions(sim)).size === keys.length, WAIT, "all subscribed");
    const dropped = await simControl(sim, "POST", "/ws/drop", {});
    expect(dropped.json.dropped).toBe(1);
    await waitUntil(() => lost.length === 1, WAIT, "the loss noticed");
    await waitUntil(async () => (await simSubscriptions(sim)).size === keys.length, WAIT, "all resubscribed");
    const subs = await simSubscriptions(sim);
    keys.forEach((k, i) => expect(subs.get(k)).toEqual([(i % 3) + 1]));
    expect(await simConnections(sim)).toHaveLength(1);
    const counts = keys.map((k) => ticks.count(k));
    await tick(sim);
    await waitUntil(() => keys.every((k, i) => ticks.count(k) > counts[i]), WAIT, "ticks of every contract");
    await liveStatus("simulated");
    await m.stop();
    expect((await readFeedStats("simulated")).reconnects).toBe(1);
  });

  it("detects a stalled connection by its heartbeat and reconnects once the server answers again", async () => {
    const lost: string[] = [];
    await feed({ heartbeatMs: 150, setupTimeoutMs: 600, onLost: (_k, reason) => lost.push(reason) });
    await registerInterest("stall", "simulated", [item("NSE:SBIN", 2), item("NSE:TCS", 1)], TTL);
    await waitUntil(async () => (await simSubscriptions(sim)).size === 2, WAIT, "subscribed");
    await simControl(sim, "POST", "/ws/stall", { stalled: true });
    await waitUntil(() => lost.length > 0, WAIT, "the stall detected");
    expect(lost[0]).toMatch(/silent/);
    await waitFor(
      "status reconnecting",
      () => readFeedStatus("simulated"),
      (s) => s?.state === "reconnecting",
      WAIT,
    );
    await simControl(sim, "POST", "/ws/stall", { stalled: false });
    await liveStatus("simulated");
    await waitUntil(async () => (await simSubscriptions(sim)).size === 2, WAIT, "resubscribed");
    expect(await subscribed("NSE:SBIN")).toEqual([2]);
  });

  it("never serves real interest from simulated accounts: down with a reason, nothing written", async () => {
    await feed();
    await registerInterest("real-positions", "real", [item("NSE:SBIN", 2)], TTL);
    const status = await waitFor(
      "real feed down for want of a real account",
      () => readFeedStatus("real"),
      (s) => s?.state === "down" && /no active real account/.test(s.reason ?? ""),
      WAIT,
    );
    expect(status?.accountId).toBeNull();
    // A simulated interest beside it is served, on its own socket; the real key stays empty through its ticks.
    const ticks = started(await TickLog.listen("simulated"));
    await registerInterest("sim-positions", "simulated", [item("NSE:TCS", 2)], TTL);
    await waitUntil(async () => (await subscribed("NSE:TCS")) !== undefined, WAIT, "TCS subscribed");
    expect(await subscribed("NSE:SBIN")).toBeUndefined();
    await tick(sim);
    await waitUntil(() => ticks.count("NSE:TCS") > 0, WAIT, "a simulated tick");
    expect((await readQuotes("real", ["NSE:SBIN", "NSE:TCS"])).size).toBe(0);
  });

  it("serves each kind from an account of that kind, another owner's included, on a socket of its own", async () => {
    const [real] = await linkAccounts(sim, await makeUser("TRADER"), [R]);
    const realTicks = started(await TickLog.listen("real"));
    const simTicks = started(await TickLog.listen("simulated"));
    await feed();
    await registerInterest("real-positions", "real", [item("NSE:SBIN", 2)], TTL);
    await registerInterest("sim-positions", "simulated", [item("NSE:SBIN", 1)], TTL);
    // A socket is listed once it connects; its subscriptions follow its authentication, so wait for both.
    const subscribed = (c: { subscriptions: unknown[] }[]) => c.length === 2 && c.every((x) => x.subscriptions.length);
    const conns = await waitFor("one subscribed socket per kind", () => simConnections(sim), subscribed, WAIT);
    expect(conns.find((c) => c.instanceId === R.id)?.subscriptions).toEqual([
      { exchange: "NSE", symbol: "SBIN", modes: [2] },
    ]);
    expect(conns.find((c) => c.instanceId === A.id)?.subscriptions).toEqual([
      { exchange: "NSE", symbol: "SBIN", modes: [1] },
    ]);
    await tick(sim);
    await waitUntil(() => realTicks.count("NSE:SBIN") > 0 && simTicks.count("NSE:SBIN") > 0, WAIT, "both kinds");
    expect(realTicks.quotes.every((q) => q.accountId === real.id)).toBe(true);
    expect(simTicks.quotes.every((q) => q.accountId === accounts[0].id)).toBe(true);
    expect((await readQuotes("real", ["NSE:SBIN"])).get("NSE:SBIN")?.accountId).toBe(real.id);
  });

  it("fails over to the next account when the primary's stream refuses, and returns once it is back", async () => {
    await simControl(sim, "POST", `/instances/${A.id}/revoke`);
    await feed();
    await registerInterest("fo", "simulated", [item("NSE:SBIN", 2)], TTL);
    const onB = await waitFor(
      "served by the second account",
      () => readFeedStatus("simulated"),
      (s) => s?.state === "live" && s.accountId === accounts[1].id,
      WAIT,
    );
    expect(onB?.subscribed).toBe(1);
    await waitUntil(
      async () => (await simConnections(sim)).map((c) => c.instanceId).join() === B.id,
      WAIT,
      "only the second account's socket",
    );
    await simControl(sim, "POST", `/instances/${A.id}/login`);
    await waitFor(
      "back on the primary",
      () => readFeedStatus("simulated"),
      (s) => s?.state === "live" && s.accountId === accounts[0].id,
      WAIT,
    );
    await waitUntil(
      async () => (await simConnections(sim)).map((c) => c.instanceId).join() === A.id,
      WAIT,
      "only the primary's socket left",
    );
    expect(await subscribed("NSE:SBIN")).toEqual([2]);
    // Status reasons carry the brokers' refusals, never a key: no Redis value holds one.
    const { redis } = await import("@/lib/redis");
    for (const key of await redis().keys("md:live:*")) {
      if ((await redis().type(key)) !== "string") continue;
      const value = (await redis().get(key)) ?? "";
      for (const secret of [A.apiKey, B.apiKey]) expect(value).not.toContain(secret);
    }
  });
});

describe("the leader lock", () => {
  it("lets one manager hold the sockets; another takes over when the lock is released or expires", async () => {
    const key = "md:live:feed-leader:test";
    const first = await feed({ leaderKey: key, owner: "first" });
    await registerInterest("lead", "simulated", [item("NSE:SBIN", 2)], TTL);
    await liveStatus("simulated");
    const second = await feed({ leaderKey: key, owner: "second", leaderTtlMs: 600 });
    expect(first.leading).toBe(true);
    expect(second.leading).toBe(false);
    // The second manager's first lock attempt is done (start resolves after it) and it opened nothing.
    expect(await simConnections(sim)).toHaveLength(1);
    await first.stop();
    await waitUntil(() => second.leading, WAIT, "the second manager leading");
    await waitUntil(async () => (await subscribed("NSE:SBIN")) !== undefined, WAIT, "resubscribed by the second");
    await waitUntil(async () => (await simConnections(sim)).length === 1, WAIT, "one socket");
    await second.stop();
    await waitUntil(async () => (await simConnections(sim)).length === 0, WAIT, "no socket");

    // A holder that died without releasing: its lock runs out and only then does a manager lead.
    const { redis } = await import("@/lib/redis");
    await redis().set(key, "crashed-worker", "PX", 800);
    const third = await feed({ leaderKey: key, owner: "third", leaderTtlMs: 600 });
    expect(third.leading).toBe(false);
    expect(await simConnections(sim)).toHaveLength(0);
    await waitUntil(() => third.leading, WAIT, "the third manager leading after expiry");
    await waitUntil(async () => (await subscribed("NSE:SBIN")) !== undefined, WAIT, "subscribed by the third");
  });

  it("steps down and closes its sockets when the lock turns out to be someone else's", async () => {
    const key = "md:live:feed-leader:usurped";
    const m = await feed({ leaderKey: key, owner: "old", leaderTtlMs: 600 });
    await registerInterest("lead", "simulated", [item("NSE:SBIN", 2)], TTL);
    await liveStatus("simulated");
    expect(m.leading).toBe(true);
    // As if this worker had stalled past its lock's expiry and another had taken over meanwhile.
    const { redis } = await import("@/lib/redis");
    await redis().set(key, "new-leader", "PX", 60_000);
    await waitUntil(() => !m.leading, WAIT, "stepped down");
    await waitUntil(async () => (await simConnections(sim)).length === 0, WAIT, "its socket closed");
    await m.stop();
    expect(await redis().get(key)).toBe("new-leader");
  });
});
