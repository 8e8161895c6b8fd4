/**
 * The stale-data watchdog against real Redis, Postgres and the simulator over HTTP: flags, REST fallback quotes,
 * the alert, recovery and market hours (docs/market-data.md "Stale data"). Quotes are written with `writeQuote`, as
 * the feed writes them; the sweep is given its time, so nothing here waits on the clock.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { createBlockingRedis, redis } from "@/lib/redis";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { waitUntil } from "@/lib/testing/wait";
import { istInstant } from "@/lib/trading/calendar";
import type { FeedKind } from "../source";
import { LIVE, type LiveQuote } from "./contract";
import { registerInterest } from "./interest";
import { readQuotes, readStaleFlags, writeQuote } from "./quote-store";
import { staleAlertKind } from "./stale-alerts";
import { sweepStale } from "./watchdog";
import { liveQuote } from "@/lib/testing/live-quote";

const INSTANCES = instanceConfigs(1, "wd");
const world = useIntegrationWorld(INSTANCES);
const OPTS = { indexMs: 5_000, contractMs: 20_000, restEveryMs: 5_000 };
const INDEX = "NSE_INDEX:NIFTY";

const feedQuote = (exchange: string, symbol: string, ltp: string, receivedAt: number): LiveQuote =>
  liveQuote({ exchange, symbol, ltp, receivedAt: new Date(receivedAt).toISOString() });

const want = (kind: FeedKind, items: { exchange: string; symbol: string }[]) =>
  registerInterest(
    "test:view",
    kind,
    items.map((i) => ({ ...i, mode: 2 as const })),
    60_000,
  );
const sweep = (now: number, alwaysOpen = true) => sweepStale({ now: new Date(now), alwaysOpen }, OPTS);
/** The connection state the feed keeps for its kind (it writes one as soon as it starts). */
const feedRunning = (kind: FeedKind) =>
  redis().set(
    LIVE.feedStatus(kind),
    JSON.stringify({
      kind,
      accountId: null,
      host: null,
      state: "reconnecting",
      since: new Date().toISOString(),
      subscribed: 0,
      reason: "test",
    }),
  );
const simLtp = () => world.sim.market.quote("NIFTY", "NSE_INDEX")!.ltp;
const openAlerts = (kind: FeedKind) => db().alert.findMany({ where: { kind: staleAlertKind(kind), resolvedAt: null } });

describe("stale watchdog", () => {
  // After the world's reset: both kinds have a feed that is trying to stream.
  beforeEach(async () => {
    await feedRunning("real");
    await feedRunning("simulated");
  });

  it("flags a silent index, fills the gap with labelled REST quotes at most once per interval, alerts, and clears on a fresh live tick", async () => {
    const trader = await makeUser("TRADER");
    const [account] = await linkAccounts(world.sim, trader, INSTANCES);
    world.sim.market.holdPrices(true);
    try {
      const expiry = world.sim.market.expiries("NIFTY", "NFO", "options")[0].replace(/-/g, "");
      const option = world.sim.market.optionChain("NIFTY", "NFO", expiry)!.rows[0].ce!.instrument.symbol;
      expect(option).toMatch(/^NIFTY\d\d[A-Z]{3}\d\d\d+CE$/);
      await want("simulated", [
        { exchange: "NSE_INDEX", symbol: "NIFTY" },
        { exchange: "NFO", symbol: option },
      ]);
      const t0 = Date.now();
      // Wanted from now: silence counts from here, not from the epoch.
      expect((await sweep(t0)).simulated).toMatchObject({ wanted: 2, stale: 0, raised: [] });
      expect((await sweep(t0 + 5_000)).simulated.raised).toEqual([]);

      const ui = createBlockingRedis();
      const published: LiveQuote[] = [];
      try {
        await ui.subscribe(LIVE.ui("simulated", INDEX));
        ui.on("message", (_c, text) => published.push(JSON.parse(text)));
        // One millisecond past the index threshold: the index is stale; the option's longer threshold has not passed.
        const first = (await sweep(t0 + 5_001)).simulated;
        expect(first).toMatchObject({ raised: [INDEX], stale: 1, rest: [INDEX] });
        await waitUntil(() => published.length === 1, 10_000, "REST quote published toward browsers");
      } finally {
        ui.disconnect();
      }
      const flag = (await readStaleFlags("simulated")).get(INDEX)!;
      expect(flag).toMatchObject({
        exchange: "NSE_INDEX",
        symbol: "NIFTY",
        since: new Date(t0 + 5_001).toISOString(),
        lastTickAt: null,
        reason: "No live tick for 5 s (threshold 5 s); no live tick yet",
      });
      const rest = (await readQuotes("simulated", [INDEX])).get(INDEX)!;
      expect(rest).toMatchObject({ source: "rest", accountId: account.id, ltp: String(simLtp()) });
      expect(published[0]).toEqual(rest);
      const [alert] = await openAlerts("simulated");
      expect(alert).toMatchObject({ ownerId: trader.id, accountId: null, severity: "WARNING" });
      expect(alert.message).toMatch(
        /^Live simulated prices stopped for 1 contract: NSE_INDEX:NIFTY since \d\d:\d\d:\d\d IST\./,
      );
      expect(alert.message).toContain("new entries on NIFTY are refused");

      // Within the interval no second REST call, even though the price moved; at the interval, one more.
      world.sim.market.jump({ underlying: "NIFTY" }, { percent: 2 });
      expect((await sweep(t0 + 9_000)).simulated).toMatchObject({ stale: 1, raised: [], rest: [] });
      expect((await readQuotes("simulated", [INDEX])).get(INDEX)!.ltp).toBe(rest.ltp);
      expect((await sweep(t0 + 10_001)).simulated.rest).toEqual([INDEX]);
      expect((await readQuotes("simulated", [INDEX])).get(INDEX)).toMatchObject({
        source: "rest",
        ltp: String(simLtp()),
      });
      expect(simLtp()).not.toBe(Number(rest.ltp));

      // The option goes silent past its own threshold too: the alert is rewritten, still one per owner.
      expect((await sweep(t0 + 20_001)).simulated.raised).toEqual([`NFO:${option}`]);
      const rewritten = await openAlerts("simulated");
      expect(rewritten.map((a) => a.id)).toEqual([alert.id]);
      expect(rewritten[0].message).toMatch(/^Live simulated prices stopped for 2 contracts: NSE_INDEX:NIFTY since/);

      // A REST quote never clears a flag; a live tick older than the flag neither; a newer one does.
      await writeQuote("simulated", feedQuote("NSE_INDEX", "NIFTY", "24000", t0 + 5_000));
      expect((await sweep(t0 + 20_500)).simulated.cleared).toEqual([]);
      await writeQuote("simulated", feedQuote("NSE_INDEX", "NIFTY", "24001", t0 + 20_600));
      await writeQuote("simulated", feedQuote("NFO", option, "101", t0 + 20_600));
      expect((await sweep(t0 + 21_000)).simulated).toMatchObject({
        cleared: [INDEX, `NFO:${option}`],
        stale: 0,
        rest: [],
      });
      expect((await readStaleFlags("simulated")).size).toBe(0);
      expect(await openAlerts("simulated")).toEqual([]);
      expect(await db().alert.count({ where: { kind: staleAlertKind("simulated") } })).toBe(1);

      // Live again: silence is counted from the last live tick.
      expect((await sweep(t0 + 25_600)).simulated.raised).toEqual([]);
      expect((await sweep(t0 + 25_601)).simulated.raised).toEqual([INDEX]);
    } finally {
      world.sim.market.holdPrices(false);
    }
  });

  it("never flags a closed market: weekends and after 15:30 IST; in session the same silence is stale", async () => {
    await want("real", [{ exchange: "NSE_INDEX", symbol: "NIFTY" }]);
    const sunday = istInstant("2026-12-06", "11:00");
    expect((await sweep(sunday, false)).real).toMatchObject({ wanted: 1, stale: 0 });
    expect((await sweep(sunday + 3_600_000, false)).real.stale).toBe(0);
    // Monday before the open: still closed, however long the silence.
    expect((await sweep(istInstant("2026-12-07", "09:14:59"), false)).real.stale).toBe(0);
    // Silence counts from the open: not yet stale five seconds in, stale a moment later.
    expect((await sweep(istInstant("2026-12-07", "09:15:05"), false)).real.stale).toBe(0);
    const monday = await sweep(istInstant("2026-12-07", "09:15:06"), false);
    expect(monday.real).toMatchObject({ raised: [INDEX], stale: 1, rest: [] });
    expect((await readStaleFlags("real")).get(INDEX)?.reason).toBe(
      "No live tick for 6 s (threshold 5 s) while NSE_INDEX is open; no live tick yet",
    );
    // The close clears it (no owner has real accounts here, so no alert either way).
    expect((await sweep(istInstant("2026-12-07", "15:30"), false)).real).toMatchObject({
      cleared: [INDEX],
      stale: 0,
    });
    expect(await openAlerts("real")).toEqual([]);
    // MARKET_ALWAYS_OPEN: the same Sunday silence is stale.
    expect((await sweep(istInstant("2026-12-13", "11:00"), true)).real.raised).toEqual([INDEX]);
  });

  it("asks for at most 20 REST quotes a sweep, indices first; the rest follow on the next sweep", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(world.sim, trader, INSTANCES);
    const expiry = world.sim.market.expiries("NIFTY", "NFO", "options")[0].replace(/-/g, "");
    const options = world.sim.market
      .optionChain("NIFTY", "NFO", expiry)!
      .rows.flatMap((r) => (r.ce ? [r.ce.instrument.symbol] : []))
      .slice(0, 24);
    expect(options).toHaveLength(24);
    await want("simulated", [
      ...options.map((symbol) => ({ exchange: "NFO", symbol })),
      { exchange: "NSE_INDEX", symbol: "NIFTY" },
    ]);
    const t0 = Date.now();
    await sweep(t0);
    const first = (await sweep(t0 + 20_001)).simulated;
    expect([first.raised.length, first.rest.length]).toEqual([25, 20]);
    expect(first.rest).toContain(INDEX);
    const second = (await sweep(t0 + 21_000)).simulated;
    expect(second.rest.sort()).toEqual(
      options
        .map((o) => `NFO:${o}`)
        .filter((k) => !first.rest.includes(k))
        .sort(),
    );
    const quotes = await readQuotes("simulated", [...first.rest, ...second.rest]);
    expect([...quotes.values()].map((q) => q.source)).toEqual(Array(25).fill("rest"));
  });

  it("leaves a kind alone that no feed streams; its first live quote (or the feed's state) puts it under watch", async () => {
    await redis().del(LIVE.feedStatus("real"));
    await want("real", [
      { exchange: "NSE_INDEX", symbol: "NIFTY" },
      { exchange: "NSE_INDEX", symbol: "BANKNIFTY" },
    ]);
    const t0 = Date.now();
    await sweep(t0);
    expect((await sweep(t0 + 60_000)).real).toMatchObject({ wanted: 2, raised: [], stale: 0 });
    await writeQuote("real", feedQuote("NSE_INDEX", "NIFTY", "24000", t0 + 60_000));
    expect((await sweep(t0 + 60_001)).real.raised).toEqual(["NSE_INDEX:BANKNIFTY"]);
  });

  it("clears the flag of a contract nothing wants any more", async () => {
    await want("real", [{ exchange: "NSE_INDEX", symbol: "BANKNIFTY" }]);
    const t0 = Date.now();
    await sweep(t0);
    expect((await sweep(t0 + 6_000)).real.raised).toEqual(["NSE_INDEX:BANKNIFTY"]);
    await want("real", []);
    expect((await sweep(t0 + 7_000)).real).toMatchObject({ wanted: 0, cleared: ["NSE_INDEX:BANKNIFTY"], stale: 0 });
    expect((await readStaleFlags("real")).size).toBe(0);
  });
});
