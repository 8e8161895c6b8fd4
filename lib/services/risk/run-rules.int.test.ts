/**
 * Run-level risk rules end to end (docs/risk.md): a run opened through Execute is armed, the live feed streams the
 * simulator's prices, `/_sim/market/jump` moves them, and the engine (tick evaluation plus the queue's sweep) exits
 * through the exit service exactly once per trigger. NIFTY futures make the P&L of a jump known: ≈ ₹16,900 per 1 %
 * per lot.
 */
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { notificationsQueue } from "@/lib/queues/notifications";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import {
  armed,
  firedExit,
  futLeg,
  heldAt,
  jump,
  moreSweeps,
  openRun,
  riskDesk,
  riskStrategy,
  riskTrail,
  snapshotWhen,
  strategyOf,
  WAIT,
} from "@/lib/testing/risk-kit";
import { waitFor } from "@/lib/testing/wait";
import { waitForRun } from "@/lib/testing/dispatch-kit";
import { syncAccountFills } from "@/lib/services/fills";
import { executeStrategy } from "@/lib/services/strategies";
import Decimal from "decimal.js";

const INSTANCES = instanceConfigs(2, "rr");
const world = useIntegrationWorld(INSTANCES);

/** The run evaluated on live prices, every open contract priced. */
const live = (runId: string) => snapshotWhen(runId, (s) => s.live && s.pnl !== null, "a live snapshot");

describe("run rules", () => {
  it("max loss: a price jump through the level exits the run once, in every account, with the event and its prices", async () => {
    const { trader, accounts } = await riskDesk(world, INSTANCES);
    const strategy = await strategyOf(trader, riskStrategy([futLeg("NIFTY", "BUY")], { maxLoss: "8000" }));
    const runId = await openRun(trader, strategy.id);
    const before = await live(runId);
    expect(before.rules[0]).toMatchObject({ rule: "MAX_LOSS", level: "-8000", state: "armed" });

    // −1 %: about −₹16,900 per account, −₹33,800 for the run.
    await jump(world.sim, -1);
    const { row, exit } = await firedExit(runId);
    expect(row.firedRule).toBe("MAX_LOSS");
    expect(exit).toMatchObject({ scope: "RUN", reason: "RISK", runId });
    expect(exit.accounts.map((a) => a.accountId).sort()).toEqual(accounts.map((a) => a.id).sort());
    for (const inst of INSTANCES) expect(heldAt(world.sim, inst.id).size).toBe(0);

    const { exits, events } = await riskTrail(runId);
    expect(exits).toHaveLength(1);
    expect(events.filter((e) => e.action === "EXIT")).toHaveLength(1);
    const [event] = events;
    expect(event).toMatchObject({ rule: "MAX_LOSS", action: "EXIT", exitId: exit.id });
    expect(new Decimal(event.threshold!.toString()).toNumber()).toBe(-8000);
    expect(new Decimal(event.observed!.toString()).lte(-8000)).toBe(true);
    const prices = event.prices as { exchange: string; symbol: string; ltp: string; at: string; source: string }[];
    expect(prices).toHaveLength(1);
    expect(prices[0]).toMatchObject({ exchange: "NFO", source: "feed" });
    expect(prices[0].symbol).toMatch(/^NIFTY\w+FUT$/);
    expect(Number.isNaN(Date.parse(prices[0].at))).toBe(false);
    expect((row.snapshot as { rules: { rule: string; state: string }[] }).rules[0]).toMatchObject({ state: "fired" });
    // More sweeps (and ticks) change nothing: still one exit, one EXIT event.
    await moreSweeps(2);
    const after = await riskTrail(runId);
    expect(after.exits).toHaveLength(1);
    expect(after.events.filter((e) => e.action === "EXIT")).toHaveLength(1);
    await jump(world.sim, 1);
  });

  it("target: a jump up to the target exits the run once", async () => {
    const { trader } = await riskDesk(world, INSTANCES);
    const strategy = await strategyOf(trader, riskStrategy([futLeg("NIFTY", "BUY")], { target: "20000" }));
    const runId = await openRun(trader, strategy.id);
    await live(runId);
    await jump(world.sim, 1);
    const { row } = await firedExit(runId);
    expect(row.firedRule).toBe("TARGET");
    expect((await riskTrail(runId)).exits).toHaveLength(1);
    await jump(world.sim, -1);
  });

  it("trailing stop: up, up, then down through the stop that followed the peak (never moved back)", async () => {
    const { trader } = await riskDesk(world, INSTANCES.slice(0, 1));
    // ₹6,000 behind the peak; one account, so a 0.5 % step is about ₹8,450.
    const strategy = await strategyOf(
      trader,
      riskStrategy([futLeg("NIFTY", "BUY")], { trailing: { distance: { kind: "amount", value: "6000" } } }),
    );
    const runId = await openRun(trader, strategy.id);
    const start = await live(runId);
    expect(start.trail).toMatchObject({ stop: expect.any(String) });
    expect(Number(start.trail!.stop)).toBeLessThanOrEqual(-6000 + 2000);

    await jump(world.sim, 0.5);
    const up1 = await snapshotWhen(runId, (s) => s.live && Number(s.trail?.peak) > 6000, "the first peak");
    await jump(world.sim, 0.5);
    const up2 = await snapshotWhen(
      runId,
      (s) => s.live && Number(s.trail?.peak) > Number(up1.trail!.peak) + 6000,
      "a higher peak",
    );
    const stop = Number(up2.trail!.stop);
    expect(stop).toBeCloseTo(Number(up2.trail!.peak) - 6000, 2);
    expect(stop).toBeGreaterThan(Number(up1.trail!.stop));
    expect((await armed(runId)).firedRule).toBeNull();

    // Down 0.8 %: about ₹13,500 off the peak, below the stop.
    await jump(world.sim, -0.8);
    const { row } = await firedExit(runId);
    expect(row.firedRule).toBe("TRAILING_STOP");
    const [event] = (await riskTrail(runId)).events.filter((e) => e.action === "EXIT");
    expect(Number(event.threshold)).toBeCloseTo(stop, 0);
    expect(Number(row.trailStop)).toBeCloseTo(stop, 0);
    await jump(world.sim, -0.2);
  });

  it("two rules breached by one tick make one exit: the first by priority fires, the other is named", async () => {
    const { trader } = await riskDesk(world, INSTANCES.slice(0, 1));
    const strategy = await strategyOf(
      trader,
      riskStrategy([futLeg("NIFTY", "BUY")], {
        maxLoss: "8000",
        trailing: { distance: { kind: "amount", value: "5000" } },
      }),
    );
    const runId = await openRun(trader, strategy.id);
    await live(runId);
    await jump(world.sim, -1);
    const { row } = await firedExit(runId);
    expect(row.firedRule).toBe("MAX_LOSS");
    const { exits, events } = await riskTrail(runId);
    expect(exits).toHaveLength(1);
    expect(events.filter((e) => e.action === "EXIT")).toHaveLength(1);
    expect(events[0].message).toContain("also breached in the same evaluation");
    expect(events[0].message).toContain("trailing stop");
    await jump(world.sim, 1);
  });

  it("re-arms every run: a second run of the same strategy fires its own exit; a run told `risk: null` is not armed", async () => {
    const { trader } = await riskDesk(world, INSTANCES.slice(0, 1));
    const strategy = await strategyOf(trader, riskStrategy([futLeg("NIFTY", "BUY")], { maxLoss: "8000" }));
    const first = await openRun(trader, strategy.id);
    await live(first);
    await jump(world.sim, -1);
    expect((await firedExit(first)).row.firedRule).toBe("MAX_LOSS");

    const second = await openRun(trader, strategy.id);
    expect(await armed(second)).toMatchObject({ firedRule: null, exitId: null, firedLegs: [] });
    const unarmed = await openRun(trader, strategy.id, null);
    expect(await db().runRisk.findUnique({ where: { runId: unarmed } })).toBeNull();
    await live(second);
    await jump(world.sim, -1);
    const { row } = await firedExit(second);
    expect(row.firedRule).toBe("MAX_LOSS");
    expect((await riskTrail(first)).exits).toHaveLength(1);
    expect((await riskTrail(second)).exits).toHaveLength(1);
    await jump(world.sim, 2);
  });

  it("a notification outage never delays the exit: with no notifications worker the exit is done and the message waits", async () => {
    const { trader } = await riskDesk(world, INSTANCES.slice(0, 1));
    const strategy = await strategyOf(trader, riskStrategy([futLeg("NIFTY", "BUY")], { maxLoss: "8000" }));
    const runId = await openRun(trader, strategy.id);
    await live(runId);
    await jump(world.sim, -1);
    const { exit } = await firedExit(runId);
    const waiting = await waitFor(
      "the RISK notification queued",
      async () =>
        (await notificationsQueue().getJobs(["waiting", "delayed", "prioritized"])).filter(
          (j) => j.data && "kind" in j.data && j.data.kind === "RISK",
        ),
      (jobs) => jobs.length > 0,
      WAIT,
    );
    expect(waiting[0].data).toMatchObject({ kind: "RISK", batchKey: `risk:${runId}`, runId, ownerId: trader.id });
    // Enqueued after the exit was started, never before it.
    expect(waiting[0].timestamp).toBeGreaterThanOrEqual(exit.createdAt.getTime());
    await jump(world.sim, 1);
  });
});

describe("adjustments", () => {
  it("an adjustment's legs count in the run it adjusts, and that run's risk exit takes them out too", async () => {
    const { trader } = await riskDesk(world, INSTANCES.slice(0, 1));
    const strategy = await strategyOf(
      trader,
      riskStrategy([futLeg("NIFTY", "BUY"), futLeg("BANKNIFTY", "BUY")], { maxLoss: "8000" }),
    );
    const runId = await openRun(trader, strategy.id);
    const adjusted = await executeStrategy(
      trader,
      strategy.id,
      { idempotencyKey: "adjust-bank-nifty-0001", legIndexes: [1] },
      "127.0.0.1",
    );
    expect((await waitForRun(adjusted.runId)).status).toBe("COMPLETED");
    expect(await db().runRisk.findUnique({ where: { runId: adjusted.runId } })).toBeNull();
    for (const a of await db().tradingAccount.findMany({ where: { ownerId: trader.id } })) await syncAccountFills(a.id);
    // Two lots of the BANKNIFTY future held: one from the run, one from its adjustment.
    const bank = () => [...heldAt(world.sim, INSTANCES[0].id)].find(([k]) => k.startsWith("BANKNIFTY"))?.[1];
    expect(bank()).toBe(60);
    await live(runId);

    await jump(world.sim, -1);
    const { row, exit } = await firedExit(runId);
    expect(row.firedRule).toBe("MAX_LOSS");
    expect(exit.scope).toBe("RUN");
    // Flat everywhere: the run's two legs and the adjustment's lot.
    expect(heldAt(world.sim, INSTANCES[0].id).size).toBe(0);
    expect((await riskTrail(runId)).exits).toHaveLength(1);
    await jump(world.sim, 1);
  });
});
