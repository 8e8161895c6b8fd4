/**
 * The auto square-off reads the trading calendar (docs/calendar.md "What reads it"): never on a holiday or a day an
 * admin closed; in a special session (Muhurat, from OpenAlgo's calendar) 15 minutes before its close, since the
 * strategy's 15:15 falls outside it. Times are passed in; the exit itself runs through the real workers and simulator.
 */
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { refreshCalendar, saveOverride, sessionOverrideSchema } from "@/lib/services/calendar";
import { ironCondor, linkAccounts, startDispatchWorker, waitForRun } from "@/lib/testing/dispatch-kit";
import { makeStrategy, runStrategy, simPositions, startExitWorker, waitForExit } from "@/lib/testing/exits-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { istInstant } from "@/lib/trading/calendar";
import { runSquareOff } from ".";

const INSTANCES = instanceConfigs(1, "sqc");
const world = useIntegrationWorld(INSTANCES);
afterEach(() => world.sim.market.clearCalendar());

const squareOff = (date: string, time: string) => runSquareOff(new Date(istInstant(date, time)));

describe("auto square-off and the trading calendar", () => {
  it("skips a holiday and a closed day; in a Muhurat session it fires at 15 minutes before the close", async () => {
    world.stopAfterTest(await startDispatchWorker({ reconcileWindowMs: 1_000, pollIntervalMs: 100 }));
    world.stopAfterTest(await startExitWorker());
    const admin = await makeUser("ADMIN");
    const trader = await makeUser("TRADER");
    await linkAccounts(world.sim, trader, INSTANCES);
    const definition = { ...ironCondor(), product: "MIS" as const };
    const strategy = await makeStrategy(trader, definition);
    await waitForRun((await runStrategy(trader.id, strategy.id, definition)).runId);
    expect(simPositions(world.sim, INSTANCES[0].id).size).toBe(4);

    // Christmas is a seeded holiday; the admin closed Tuesday the 8th: no square-off at or after 15:15 on either.
    await saveOverride(
      admin,
      sessionOverrideSchema.parse({ date: "2026-12-08", exchange: "NFO", closed: true, description: "Closed" }),
    );
    for (const [date, time] of [
      ["2026-12-08", "15:15"],
      ["2026-12-08", "20:00"],
      ["2026-12-25", "15:20"],
    ])
      expect((await squareOff(date, time)).fired, `${date} ${time}`).toEqual({});

    // A Muhurat session on Sunday the 6th, 18:00–19:00, read from the simulator's OpenAlgo calendar.
    world.sim.market.declareSpecialSession({
      date: "2026-12-06",
      description: "Muhurat trading",
      windows: [{ exchange: "NFO", start: "18:00", end: "19:00" }],
    });
    expect((await refreshCalendar(new Date(istInstant("2026-12-01", "08:00")))).ok).toBe(true);
    expect((await squareOff("2026-12-06", "15:15")).fired).toEqual({});
    expect((await squareOff("2026-12-06", "18:44:59")).fired).toEqual({});
    const fired = await squareOff("2026-12-06", "18:45");
    expect(Object.keys(fired.fired)).toEqual([strategy.id]);
    const exit = await waitForExit(fired.fired[strategy.id]);
    expect(exit).toMatchObject({ status: "DONE", reason: "SQUARE_OFF", note: "auto square-off at 18:45 IST" });
    expect(simPositions(world.sim, INSTANCES[0].id).size).toBe(0);
    expect(await db().squareOff.findMany({ select: { strategyId: true, tradingDate: true } })).toEqual([
      { strategyId: strategy.id, tradingDate: "2026-12-06" },
    ]);
  });
});
