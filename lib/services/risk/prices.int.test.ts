/**
 * The engine and its prices and clock (docs/risk.md "Prices", "Time exit", "Overnight"): a stalled contract is never
 * a reason to exit — the run is skipped with one SKIPPED_STALE event and an alert, and fires once live ticks return; a
 * carried NRML position is watched outside session hours on the ticks that do come; a time exit fires by the clock it
 * is given.
 */
import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { invalidateCalendarCache } from "@/lib/services/calendar";
import { readQuotes, sweepStale } from "@/lib/services/market-data";
import { startRiskEngine, sweepRisk, type RiskClock } from "@/lib/services/risk";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import {
  armed,
  contractOf,
  firedExit,
  futLeg,
  heldAt,
  jump,
  moreSweeps,
  openRun,
  riskDesk,
  riskStrategy,
  riskTrail,
  simPost,
  snapshotWhen,
  stallAndFlagContract,
  strategyOf,
  unstallContract,
  WAIT,
  WATCHDOG,
  type RunContract,
} from "@/lib/testing/risk-kit";
import { waitFor } from "@/lib/testing/wait";
import { istDateOf } from "@/lib/trading/calendar";

const INSTANCES = instanceConfigs(1, "rp");
const world = useIntegrationWorld(INSTANCES);
// A test that fails midway must not leave a contract stalled for the next one.
afterEach(() => simPost(world.sim, "/reset", {}));

const stallAndFlag = (c: RunContract) => stallAndFlagContract(world.sim, c);
const unstall = (c: RunContract) => unstallContract(world.sim, c);

const openAlerts = (ownerId: string) =>
  db().alert.findMany({ where: { ownerId, kind: "risk_prices_stale", resolvedAt: null } });

describe("prices and clocks", () => {
  it("a stale price triggers nothing: one SKIPPED_STALE event and an alert, then the exit once live ticks return", async () => {
    const { trader } = await riskDesk(world, INSTANCES);
    const strategy = await strategyOf(trader, riskStrategy([futLeg("NIFTY", "BUY")], { maxLoss: "8000" }));
    const runId = await openRun(trader, strategy.id);
    await snapshotWhen(runId, (s) => s.live, "a live snapshot");
    const c = await contractOf(runId);
    await stallAndFlag(c);
    // The jump reaches REST quotes (the watchdog fills the gap), never the WebSocket: nothing may fire on it.
    await jump(world.sim, -1);
    await sweepStale({ now: new Date(), alwaysOpen: true }, WATCHDOG);
    const skipped = await snapshotWhen(runId, (s) => s.rules[0].state === "skipped_stale", "the run skipped as stale");
    expect(skipped).toMatchObject({ pnl: null, live: false, unpriced: [c.key] });
    await waitFor(
      "the stale alert",
      () => openAlerts(trader.id),
      (a) => a.length === 1,
      WAIT,
    );
    await moreSweeps(3);
    const during = await riskTrail(runId);
    expect(during.exits).toHaveLength(0);
    expect(during.events.map((e) => [e.action, e.rule])).toEqual([["SKIPPED_STALE", "MAX_LOSS"]]);
    expect(during.events[0].message).toContain(`${c.key}: `);
    expect((await armed(runId)).firedRule).toBeNull();
    expect((await readQuotes("simulated", [c.key])).get(c.key)?.source).toBe("rest");

    await unstall(c);
    const { row } = await firedExit(runId);
    expect(row.firedRule).toBe("MAX_LOSS");
    await waitFor(
      "the stale alert resolved",
      () => openAlerts(trader.id),
      (a) => a.length === 0,
      WAIT,
    );
    const after = await riskTrail(runId);
    expect(after.events.map((e) => e.action)).toEqual(["SKIPPED_STALE", "EXIT"]);
    const [fired] = after.events.filter((e) => e.action === "EXIT");
    expect(fired.prices).toEqual([expect.objectContaining({ source: "feed" })]);
    await jump(world.sim, 1);
  });

  it("watches a carried NRML position outside session hours: a closed market's silence waits, a live tick still fires", async () => {
    const { trader } = await riskDesk(world, INSTANCES, { engine: false });
    // Today is closed by the calendar (an admin's override), and the engine follows the calendar.
    const today = istDateOf(Date.now());
    const closed = { tradingDate: today, exchange: { in: ["NFO", "NSE_INDEX"] }, source: "ADMIN" as const };
    await db().marketSession.deleteMany({ where: closed });
    for (const exchange of ["NFO", "NSE_INDEX"])
      await db().marketSession.create({ data: { tradingDate: today, exchange, source: "ADMIN", closed: true } });
    invalidateCalendarCache();
    world.stopAfterTest({
      close: async () => {
        await db().marketSession.deleteMany({ where: closed });
        invalidateCalendarCache();
      },
    });
    const clock = (): RiskClock => ({ now: new Date(), alwaysOpen: false });
    world.stopAfterTest({ close: await startRiskEngine({ clock }) });
    const sweep = () => sweepRisk(clock());

    const strategy = await strategyOf(trader, riskStrategy([futLeg("NIFTY", "BUY")], { maxLoss: "8000" }));
    const runId = await openRun(trader, strategy.id);
    // Carried from yesterday.
    await db().strategyRun.update({ where: { id: runId }, data: { triggeredAt: new Date(Date.now() - 86_400_000) } });
    await waitFor(
      "a live evaluation",
      async () => (await sweep(), (await armed(runId)).snapshot),
      (s) => !!s && (s as { live: boolean }).live,
      WAIT,
    );

    const c = await contractOf(runId);
    await stallAndFlag(c);
    await jump(world.sim, -1);
    await sweepStale({ now: new Date(), alwaysOpen: true }, WATCHDOG);
    await sweep();
    const waiting = await snapshotWhen(
      runId,
      (s) => s.rules[0].state === "waiting",
      "the run waiting on a closed market",
    );
    expect(waiting.pnl).toBeNull();
    await sweep();
    expect((await riskTrail(runId)).events).toEqual([]);
    expect(await openAlerts(trader.id)).toEqual([]);

    await unstall(c);
    await waitFor(
      "the max loss to fire",
      async () => (await sweep(), await armed(runId)),
      (r) => r.exitId !== null,
      WAIT,
    );
    const { row, exit } = await firedExit(runId);
    expect(row.firedRule).toBe("MAX_LOSS");
    expect(exit.reason).toBe("RISK");
    expect(heldAt(world.sim, INSTANCES[0].id).size).toBe(0);
    await jump(world.sim, 1);
  });

  it("a time exit fires at its IST time by the clock it is given, with no price needed", async () => {
    const { trader } = await riskDesk(world, INSTANCES, { engine: false });
    const t0 = Date.now();
    // Two minutes ahead, in IST `HH:MM`.
    const at = new Date(t0 + 2 * 60_000 + 19_800_000).toISOString().slice(11, 16);
    const strategy = await strategyOf(trader, riskStrategy([futLeg("NIFTY", "BUY")], { timeExit: at }));
    const runId = await openRun(trader, strategy.id);
    const clock = (ms: number): RiskClock => ({ now: new Date(ms), alwaysOpen: true });

    await sweepRisk(clock(Date.now()));
    const before = await armed(runId);
    expect(before.firedRule).toBeNull();
    expect((before.snapshot as { rules: { rule: string; note: string }[] }).rules).toEqual([
      expect.objectContaining({ rule: "TIME_EXIT", note: `at ${at} IST` }),
    ]);
    const summary = await sweepRisk(clock(t0 + 3 * 60_000));
    expect(summary.runsFired).toBe(1);
    const { row, exit } = await firedExit(runId);
    expect(row.firedRule).toBe("TIME_EXIT");
    expect(exit.note).toBe("risk: time exit");
    const { exits, events } = await riskTrail(runId);
    expect(exits).toHaveLength(1);
    expect(events.map((e) => [e.action, e.rule])).toEqual([["EXIT", "TIME_EXIT"]]);
    expect(await sweepRisk(clock(t0 + 4 * 60_000))).toMatchObject({ runsFired: 0 });
  });
});
