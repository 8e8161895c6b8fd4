/**
 * The whole live-price chain with no quote written by hand: a filled strategy run → the positions interest → the
 * worker's feed subscribes at the simulator over WebSocket → quotes in Redis from the feed → the stale watchdog,
 * REST fallback and entry refusal → recovery; and a dropped upstream connection that loses nothing
 * (docs/market-data.md "Live prices", "Stale data"). Prices move only on `POST /_sim/market/tick`; every wait is on
 * observable state (the simulator's subscriptions, Redis), and the watchdog's sweeps are given their time.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startSimulator, type RunningSimulator } from "@/lib/simulator/server/start-simulator";
import type { InstanceConfig } from "@/lib/simulator/types";
import { closeConnections, jsonRequest, makeUser, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { ironCondor, linkAccounts, startDispatchWorker, waitForRun } from "@/lib/testing/dispatch-kit";
import { makeStrategy, runStrategy, startExitWorker, waitForExit } from "@/lib/testing/exits-kit";
import { FEED_ADMIN, simControl, simSubscriptions, testFeed, tick } from "@/lib/testing/feed-kit";
import { waitFor } from "@/lib/testing/wait";
import { POST as exitsPost } from "@/app/api/exits/route";
import { POST as ticketExecuteRoute } from "@/app/api/ticket/execute/route";
import { syncAccountFills } from "@/lib/services/fills";
import { syncPositionInterest } from "@/lib/services/positions";
import type { LiveQuote } from "./contract";
import { registerInterest } from "./interest";
import { readQuotes, readStaleFlags } from "./quote-store";
import { sweepStale } from "./watchdog";

const INSTANCES: InstanceConfig[] = [
  { id: "pipe1", apiKey: "pipe-key-1-0123456789abcdef", capital: "2000000", showStrategy: true },
];
const INDEX = "NSE_INDEX:NIFTY";
const WAIT = 20_000;
const DEFAULTS = { indexMs: 5_000, contractMs: 20_000, restEveryMs: 5_000 };

let sim: RunningSimulator;
const running: { close(): Promise<void> }[] = [];
const started = <T extends { close(): Promise<void> }>(x: T): T => (running.push(x), x);

beforeAll(async () => {
  sim = await startSimulator({
    httpPort: 0,
    wsPort: 0,
    adminToken: FEED_ADMIN,
    seed: 7,
    // A fixed clock started now (today's expiries stay live): prices move only when the test asks for a tick.
    clock: { mode: "fixed", startAt: Date.now() },
    alwaysOpen: true,
    instances: INSTANCES,
    rateLimits: {
      api: { count: 100_000, windowMs: 1_000 },
      order: { count: 100_000, windowMs: 1_000 },
      smart_order: { count: 100_000, windowMs: 1_000 },
    },
    onError: () => undefined,
  });
});
beforeEach(resetState);
afterEach(async () => {
  for (const x of running.splice(0).reverse()) await x.close();
  sim.broker.reset();
  await simControl(sim, "POST", "/reset");
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

/** A trader whose one account holds a filled iron condor on NIFTY; the feed running, the positions interest synced. */
async function openCondor() {
  const trader = await makeUser("TRADER");
  const cookie = await sessionCookie(trader);
  const [account] = await linkAccounts(sim, trader, INSTANCES);
  started(await startDispatchWorker());
  started(await startExitWorker());
  const strategy = await makeStrategy(trader, ironCondor());
  const { runId } = await runStrategy(trader.id, strategy.id, ironCondor());
  expect((await waitForRun(runId)).status).toBe("COMPLETED");
  await syncAccountFills(account.id);
  const feed = testFeed();
  started({ close: () => feed.stop() });
  await feed.start();
  // Four option legs in quote mode and NIFTY's index in LTP mode.
  expect((await syncPositionInterest(60_000)).simulated).toBe(5);
  const legs = [...(await simSubscriptionsWhen((s) => s.size === 5)).keys()].filter((k) => k !== INDEX);
  return { trader, cookie, account, strategy, legs };
}

const simSubscriptionsWhen = (ok: (s: Map<string, number[]>) => boolean) =>
  waitFor("the simulator's subscriptions", () => simSubscriptions(sim), ok, WAIT);

/** Ticks the simulator until every key in `keys` has a feed quote received after `after` (ms); returns the quotes. */
async function feedQuotesAfter(keys: readonly string[], after: number): Promise<Map<string, LiveQuote>> {
  // A tick per look, not one up front: a tick sent while a just-reconnected feed is still settling may be its last.
  return waitFor(
    `feed quotes of ${keys.join(", ")}`,
    async () => {
      await tick(sim);
      return readQuotes("simulated", keys);
    },
    (qs) => keys.every((k) => qs.get(k)?.source === "feed" && Date.parse(qs.get(k)!.receivedAt) > after),
    WAIT,
  );
}

const ticket = (cookie: string, accountIds: string[], symbol: string, key: string) =>
  ticketExecuteRoute(
    jsonRequest("/api/ticket/execute", {
      body: {
        accountIds,
        symbol,
        exchange: "NFO",
        action: "BUY",
        lots: 1,
        product: "NRML",
        priceType: "MARKET",
        idempotencyKey: key,
      },
      cookie,
    }),
  );

describe("the live-price pipeline, simulator to Redis to the watchdog", () => {
  it("subscribes an open position's contracts from the positions interest, quotes them from the feed, and unsubscribes them once flat", async () => {
    const { cookie, account, strategy, legs } = await openCondor();
    const subs = await simSubscriptions(sim);
    expect(subs.get(INDEX)).toEqual([1]);
    for (const leg of legs) {
      expect(leg).toMatch(/^NFO:NIFTY\w+(CE|PE)$/);
      expect(subs.get(leg)).toEqual([2]);
    }
    const before = Date.now() - 1;
    const quotes = await feedQuotesAfter([INDEX, ...legs], before);
    for (const key of legs) {
      const symbol = key.slice("NFO:".length);
      expect(Number(quotes.get(key)!.ltp)).toBe(sim.market.quote(symbol, "NFO")!.ltp);
    }
    expect(Number(quotes.get(INDEX)!.ltp)).toBe(sim.market.quote("NIFTY", "NSE_INDEX")!.ltp);

    // Flat: the exit closes every leg, the next sync drops them, the feed unsubscribes them at the simulator.
    const exit = await exitsPost(
      jsonRequest("/api/exits", { body: { scope: "strategy", strategyId: strategy.id }, cookie }),
    );
    expect(exit.status).toBe(200);
    expect((await waitForExit((await exit.json()).exitId)).status).toBe("DONE");
    await syncAccountFills(account.id);
    expect((await syncPositionInterest(60_000)).simulated).toBe(0);
    await simSubscriptionsWhen((s) => s.size === 0);
  });

  it("flags a stalled index stale, fills it from REST, refuses entries on it but not exits, and clears once it ticks again", async () => {
    const { cookie, account, strategy, legs } = await openCondor();
    // An open option-chain view keeps the index wanted after the position is closed.
    await registerInterest(
      "chain:pipeline",
      "simulated",
      [{ exchange: "NSE_INDEX", symbol: "NIFTY", mode: 1 }],
      60_000,
    );
    // The watchdog sees every contract wanted from here.
    const t0 = Date.now();
    expect((await sweepStale({ now: new Date(t0), alwaysOpen: true }, DEFAULTS)).simulated.stale).toBe(0);
    const live = await feedQuotesAfter([INDEX, ...legs], t0 - 1);
    const lastIndexTick = Date.parse(live.get(INDEX)!.receivedAt);

    // The index's WebSocket ticks stop while its price moves on; the options keep streaming.
    expect(
      (await simControl(sim, "POST", "/market/stall-symbol", { symbol: "NIFTY", exchange: "NSE_INDEX", stalled: true }))
        .status,
    ).toBe(200);
    sim.market.jump({ underlying: "NIFTY" }, { percent: 1 });
    await feedQuotesAfter(legs, lastIndexTick);
    expect((await readQuotes("simulated", [INDEX])).get(INDEX)!.receivedAt).toBe(live.get(INDEX)!.receivedAt);

    // The sweep one millisecond past the index's threshold, counted from its last live tick.
    const now = Math.max(Date.now(), lastIndexTick + 2);
    const sweep = await sweepStale(
      { now: new Date(now), alwaysOpen: true },
      { ...DEFAULTS, indexMs: now - lastIndexTick - 1 },
    );
    expect(sweep.simulated).toMatchObject({ raised: [INDEX], stale: 1, rest: [INDEX] });
    const flag = (await readStaleFlags("simulated")).get(INDEX)!;
    expect(flag.lastTickAt).toBe(live.get(INDEX)!.receivedAt);
    const rest = (await readQuotes("simulated", [INDEX])).get(INDEX)!;
    // The REST quote is the simulator's price now (moved on since the last live tick), labelled as such.
    expect(rest).toMatchObject({ source: "rest", accountId: account.id });
    expect(Number(rest.ltp)).toBe(sim.market.quote("NIFTY", "NSE_INDEX")!.ltp);
    expect(Number(rest.ltp)).not.toBe(Number(live.get(INDEX)!.ltp));

    // Entries on NIFTY: 409 with the reason; the exit goes through.
    const refused = await ticket(cookie, [account.id], legs[0].slice("NFO:".length), "pipe-stale-ticket-01");
    expect(refused.status).toBe(409);
    const { error } = await refused.json();
    expect(error.message).toMatch(/^New entries on NIFTY are refused while live prices are stale\./);
    expect(error.message).toContain("NSE_INDEX:NIFTY stale since");
    const exit = await exitsPost(
      jsonRequest("/api/exits", { body: { scope: "strategy", strategyId: strategy.id }, cookie }),
    );
    expect(exit.status).toBe(200);
    expect((await waitForExit((await exit.json()).exitId)).status).toBe("DONE");
    expect((await readStaleFlags("simulated")).has(INDEX)).toBe(true);

    // Unstalled, the next tick reaches Redis from the feed and the next sweep clears the flag by itself.
    await simControl(sim, "POST", "/market/stall-symbol", { symbol: "NIFTY", exchange: "NSE_INDEX", stalled: false });
    const back = await feedQuotesAfter([INDEX], Date.parse(flag.since));
    expect(Number(back.get(INDEX)!.ltp)).toBe(sim.market.quote("NIFTY", "NSE_INDEX")!.ltp);
    const cleared = await sweepStale({ now: new Date(), alwaysOpen: true }, DEFAULTS);
    expect(cleared.simulated).toMatchObject({ cleared: [INDEX], stale: 0 });
    expect((await readStaleFlags("simulated")).size).toBe(0);
    const again = await ticket(cookie, [account.id], legs[0].slice("NFO:".length), "pipe-fresh-ticket-01");
    expect(again.status).toBe(201);
    expect((await waitForRun((await again.json()).runId)).status).toBe("COMPLETED");
  });

  it("reconnects after every upstream socket is dropped and resubscribes every wanted contract at its mode", async () => {
    const { legs } = await openCondor();
    const expiry = sim.market.expiries("NIFTY", "NFO", "options")[0].replaceAll("-", "");
    // A contract an open chain view shows that no leg holds, in depth mode; the chain wants the index in quote mode.
    const chainLeg = sim.market
      .optionChain("NIFTY", "NSE_INDEX", expiry, 6)!
      .rows.flatMap((r) => [r.ce?.instrument.symbol, r.pe?.instrument.symbol])
      .find((s) => s && !legs.includes(`NFO:${s}`))!;
    await registerInterest(
      "chain:pipeline",
      "simulated",
      [
        { exchange: "NFO", symbol: chainLeg, mode: 3 },
        { exchange: "NSE_INDEX", symbol: "NIFTY", mode: 2 },
      ],
      60_000,
    );
    const wanted = await simSubscriptionsWhen((s) => s.size === 6 && s.get(INDEX)?.join() === "2");
    expect(wanted.get(`NFO:${chainLeg}`)).toEqual([3]);
    const t0 = Date.now();
    await feedQuotesAfter([...wanted.keys()], t0 - 1);

    const dropped = await simControl(sim, "POST", "/ws/drop", {});
    expect(dropped.json.dropped).toBe(1);
    // A new socket with exactly the same subscriptions, none lost, no mode changed.
    const again = await waitFor(
      "every contract resubscribed",
      async () => (await simControl(sim, "GET", "/ws/connections")).json.connections as unknown[],
      (c) => c.length === 1 && (c[0] as { subscriptions: unknown[] }).subscriptions.length === 6,
      WAIT,
    );
    expect(again).toHaveLength(1);
    expect(await simSubscriptions(sim)).toEqual(wanted);
    for (const l of legs) expect(wanted.get(l)).toEqual([2]);
    const after = Date.now();
    const quotes = await feedQuotesAfter([...wanted.keys()], after);
    expect(quotes.size).toBe(6);
  });
});
