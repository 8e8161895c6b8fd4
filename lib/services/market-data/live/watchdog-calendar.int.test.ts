/**
 * The stale-data watchdog reads the trading calendar (docs/calendar.md "What reads it"): a special session is watched
 * (from OpenAlgo's holiday list, refreshed from the simulator), a holiday and a day an admin closed are not. The sweep
 * is given its time and never waits on the clock.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { redis } from "@/lib/redis";
import { refreshCalendar, saveOverride, sessionOverrideSchema } from "@/lib/services/calendar";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { istInstant } from "@/lib/trading/calendar";
import { LIVE } from "./contract";
import { registerInterest } from "./interest";
import { readStaleFlags } from "./quote-store";
import { sweepStale } from "./watchdog";

const INSTANCES = instanceConfigs(1, "wdc");
const world = useIntegrationWorld(INSTANCES);
const OPTS = { indexMs: 5_000, contractMs: 20_000, restEveryMs: 5_000 };
const INDEX = "NSE_INDEX:NIFTY";
const SUNDAY = "2026-12-06";
const sweep = (date: string, time: string) =>
  sweepStale({ now: new Date(istInstant(date, time)), alwaysOpen: false }, OPTS);

beforeEach(async () => {
  // A real-kind feed that is trying to stream, and the index wanted live.
  await redis().set(
    LIVE.feedStatus("real"),
    JSON.stringify({ kind: "real", accountId: null, host: null, state: "reconnecting", since: "", subscribed: 0 }),
  );
  await registerInterest("test:view", "real", [{ exchange: "NSE_INDEX", symbol: "NIFTY", mode: 2 }], 600_000);
});
afterEach(() => world.sim.market.clearCalendar());

describe("stale watchdog and the trading calendar", () => {
  it("watches a special session from OpenAlgo's calendar: silent past the threshold after its open is stale", async () => {
    await linkAccounts(world.sim, await makeUser("TRADER"), INSTANCES);
    world.sim.market.declareSpecialSession({
      date: SUNDAY,
      description: "Muhurat trading",
      windows: [{ exchange: "NSE", start: "18:00", end: "19:00" }],
    });
    // Wanted from 17:00; without the calendar a Sunday evening is closed.
    expect((await sweep(SUNDAY, "17:00")).real).toMatchObject({ wanted: 1, stale: 0 });
    expect((await sweep(SUNDAY, "18:00:06")).real).toMatchObject({ stale: 0, raised: [] });
    expect((await refreshCalendar(new Date(istInstant("2026-12-01", "08:00")))).ok).toBe(true);
    expect((await sweep(SUNDAY, "17:59")).real.stale).toBe(0);
    // Silence counts from the session's open: not yet stale five seconds in, stale a moment later.
    expect((await sweep(SUNDAY, "18:00:05")).real.raised).toEqual([]);
    expect((await sweep(SUNDAY, "18:00:06")).real).toMatchObject({ raised: [INDEX], stale: 1 });
    expect((await readStaleFlags("real")).get(INDEX)?.reason).toBe(
      "No live tick for 6 s (threshold 5 s) while NSE_INDEX is open; no live tick yet",
    );
    // Its close clears the flag.
    expect((await sweep(SUNDAY, "19:00")).real).toMatchObject({ cleared: [INDEX], stale: 0 });
  });

  it("never flags a holiday or a day an admin closed, however long the silence", async () => {
    const admin = await makeUser("ADMIN");
    // A regular Tuesday an admin closed (wanted from its 09:00), then the next day, then Christmas (a seeded holiday).
    await saveOverride(
      admin,
      sessionOverrideSchema.parse({ date: "2026-12-08", exchange: "NSE", closed: true, description: "Closed" }),
    );
    expect((await sweep("2026-12-08", "09:00")).real).toMatchObject({ wanted: 1, stale: 0 });
    expect((await sweep("2026-12-08", "09:15:06")).real.stale).toBe(0);
    expect((await sweep("2026-12-08", "13:00")).real.stale).toBe(0);
    // The next regular day is watched again…
    expect((await sweep("2026-12-09", "09:15:06")).real.raised).toEqual([INDEX]);
    // …and a holiday clears the flag and raises none.
    expect((await sweep("2026-12-25", "11:00")).real).toMatchObject({ cleared: [INDEX], stale: 0 });
    expect((await sweep("2026-12-25", "14:00")).real).toMatchObject({ raised: [], stale: 0 });
  });
});
