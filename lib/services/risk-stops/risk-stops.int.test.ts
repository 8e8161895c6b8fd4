import Decimal from "decimal.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { linkAccounts, startDispatchWorker, waitForRun } from "@/lib/testing/dispatch-kit";
import { startFillsWorker } from "@/lib/testing/fills-kit";
import { makeStrategy, simPositions, startExitWorker, waitForExit } from "@/lib/testing/exits-kit";
import {
  recordOrderEvents,
  shortCall,
  startProtectedRun,
  startRiskStopsWorker,
  stopOrdersAt,
  stopsQueueIdle,
} from "@/lib/testing/risk-stops-kit";
import { waitFor } from "@/lib/testing/wait";
import { DEFAULT_INSTRUMENT_SETTINGS } from "@/lib/trading/instruments";
import { roundToTick } from "@/lib/trading/order-price";
import { notificationsQueue, type NotificationEvent } from "@/lib/queues/notifications";
import { syncAccountFills } from "@/lib/services/fills";
import { requestExit } from "@/lib/services/exits";
import { engageKillSwitch } from "@/lib/services/kill-switch";
import { ledgerPositions } from "@/lib/services/positions";
import type { RiskRulesInput } from "@/lib/trading/risk/rules";
import { adapterFor } from "@/lib/services/broker-access";
import { ConflictError } from "@/lib/errors";
import { istDateOf, istInstant, nextTradingDay, tradingHolidaySet } from "@/lib/trading/calendar";
import { requestRunStopSync, sweepStops, syncAccountStops } from ".";

const FAST = { reconcileWindowMs: 1_000, pollIntervalMs: 100, refusedBackoffMs: 50 };
const INSTANCES = instanceConfigs(1, "rs");
const INST = INSTANCES[0].id;
let sim: RunningSimulator;
let workers: { close(): Promise<unknown>; errors: Error[] }[] = [];

beforeAll(async () => {
  sim = await startSim(INSTANCES);
});
beforeEach(async () => {
  await resetState();
  // Prices stand still unless a test moves them: no stop triggers by chance.
  sim.market.holdPrices(true);
  workers = [await startDispatchWorker(FAST), await startFillsWorker(), await startExitWorker()];
});
afterEach(async () => {
  for (const w of workers) await w.close();
  expect(workers.flatMap((w) => w.errors)).toEqual([]);
  sim.market.holdPrices(false);
  sim.market.overrideContract("NIFTY", { freezeQty: DEFAULT_INSTRUMENT_SETTINGS.NIFTY.freezeQty });
  sim.broker.setFaults(INST, { partialFillRate: 0, holdPartialFills: false, lostResponseRate: 0 });
  sim.broker.reset();
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

const SL_POINTS = {
  legs: [{ legIndex: 0, stopLoss: { kind: "points", value: "20" } }],
  legStopMode: "BROKER",
} satisfies RiskRulesInput;
const working = (o: { status: string }) => o.status === "trigger pending" || o.status === "open";

async function protectedShort(lots: number, rules: RiskRulesInput = SL_POINTS, definition = shortCall(lots)) {
  const trader = await makeUser("TRADER");
  const [account] = await linkAccounts(sim, trader, INSTANCES);
  const strategy = await makeStrategy(trader, definition);
  const { runId } = await startProtectedRun(trader.id, strategy.id, definition, rules);
  return { trader, account, strategy, runId, definition };
}

/** Waits for the resting stops to be exactly `quantities` (slices), all working, and returns them. */
async function stopsResting(quantities: number[]) {
  return waitFor(
    `stops resting: ${quantities.join(", ")}`,
    async () => (await stopOrdersAt(sim, INST)).filter(working),
    (os) => JSON.stringify(os.map((o) => o.quantity).sort((a, b) => b - a)) === JSON.stringify(quantities),
  );
}

async function entryAverage(runId: string) {
  const rows = await db().orderIntent.findMany({ where: { runId } });
  const filled = rows.reduce((s, r) => s + r.filledQuantity, 0);
  const value = rows.reduce(
    (s, r) => s.plus(new Decimal(r.averagePrice!.toString()).mul(r.filledQuantity)),
    new Decimal(0),
  );
  return value.div(filled);
}

describe("leg stops at the broker", () => {
  it("a SELL leg's fill places one BUY SL-M at entry + points, sized and sliced; the fill seen twice, two workers at once or a restart place nothing more", async () => {
    // Freeze 130 (two lots): the 195 units are sent, and protected, as 130 + 65.
    sim.market.overrideContract("NIFTY", { freezeQty: 130 });
    const { runId, account } = await protectedShort(3);
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    await waitFor(
      "entry filled",
      () => db().orderIntent.findMany({ where: { runId } }),
      (rows) => rows.every((i) => i.state === "filled"),
    );
    // Fill tracking asked for a sync (no worker takes it yet); the fill is seen again, and two syncs run at once.
    await syncAccountFills(account.id);
    await Promise.all([syncAccountStops(account.id), syncAccountStops(account.id)]);
    const resting = await stopsResting([130, 65]);
    const trigger = roundToTick((await entryAverage(runId)).plus(20), "0.05", "down").toFixed(2);
    expect(resting.map((o) => [o.action, o.pricetype, o.product, o.triggerPrice, o.status])).toEqual([
      ["BUY", "SL-M", "NRML", trigger, "trigger pending"],
      ["BUY", "SL-M", "NRML", trigger, "trigger pending"],
    ]);

    // A worker takes the queued requests, is restarted, and the sweep looks again.
    const stops = await startRiskStopsWorker();
    await stopsQueueIdle();
    await stops.close();
    workers.push(await startRiskStopsWorker());
    await sweepStops();
    await stopsQueueIdle();
    expect((await stopOrdersAt(sim, INST)).map((o) => o.quantity)).toEqual([130, 65]);
    const runs = await db().strategyRun.findMany({ where: { protectsRunId: runId } });
    expect(runs.map((r) => [r.kind, r.strategyId !== null])).toEqual([["STOP_ORDERS", true]]);
  });

  it("a partial fill completing re-sizes the stop: the old one is cancelled at the broker before the new one is placed", async () => {
    workers.push(await startRiskStopsWorker());
    sim.broker.setFaults(INST, { partialFillRate: 1, partialFillMs: 0, holdPartialFills: true });
    const { runId } = await protectedShort(3);
    const entry = await waitFor(
      "entry partly filled",
      () => db().orderIntent.findFirstOrThrow({ where: { runId } }),
      (i) => i.state === "partially_filled",
    );
    const [first] = await stopsResting([entry.filledQuantity]);
    const log = recordOrderEvents(sim);
    sim.broker.setFaults(INST, { partialFillRate: 0, holdPartialFills: false });
    const [second] = await stopsResting([195]);
    log.stop();
    const cancelled = log.events.indexOf(`${INST} ${first.orderid} cancelled`);
    const placed = log.events.findIndex((e) => e.startsWith(`${INST} ${second.orderid} `));
    expect(cancelled).toBeGreaterThanOrEqual(0);
    expect(placed).toBeGreaterThan(cancelled);
    const gens = await db().strategyRun.findMany({ where: { protectsRunId: runId }, orderBy: { triggeredAt: "asc" } });
    expect(gens.map((r) => (r.plan as { stops: { generation: number } }).stops.generation)).toEqual([1, 2]);
  });

  it("a partial exit (an over-filled leg's excess) cancels the stop before it sends, then re-sizes it to what is left", async () => {
    workers.push(await startRiskStopsWorker());
    // Rests far above the market, then is enlarged at the broker to 3 lots and made marketable: 195 filled of 130.
    const definition = shortCall(2, { kind: "LIMIT", price: new Decimal(5000) });
    const { trader, account, runId } = await protectedShort(2, SL_POINTS, definition);
    await waitForRun(runId);
    const intent = await db().orderIntent.findFirstOrThrow({ where: { runId } });
    await adapterFor(await db().tradingAccount.findUniqueOrThrow({ where: { id: account.id } })).modifyOrder({
      orderId: intent.brokerOrderId!,
      symbol: intent.symbol,
      exchange: "NFO",
      action: "SELL",
      product: "NRML",
      priceType: "LIMIT",
      quantity: 195,
      price: new Decimal("0.05"),
      triggerPrice: new Decimal(0),
      strategy: intent.id,
    });
    const [before] = await stopsResting([195]);
    const log = recordOrderEvents(sim);
    const { exitId } = await requestExit(trader, { scope: "excess", runId, accountId: account.id, legIndex: 0 }, null);
    expect((await waitForExit(exitId)).status).toBe("DONE");
    const [after] = await stopsResting([130]);
    log.stop();
    const exitOrder = sim.broker
      .receivedOrders(INST)
      .find((o) => o.action === "BUY" && o.pricetype === "MARKET" && o.quantity === 65)!;
    const order = (id: string) => log.events.findIndex((e) => e.startsWith(`${INST} ${id} `));
    expect(log.events.indexOf(`${INST} ${before.orderid} cancelled`)).toBeLessThan(order(exitOrder.orderid));
    expect(order(exitOrder.orderid)).toBeLessThan(order(after.orderid));
    expect([...simPositions(sim, INST).values()]).toEqual([-130]);
  });

  for (const scope of ["run", "strategy", "kill switch"] as const)
    it(`an exit of the ${scope} cancels the stop before it sends; no stop is placed again and a price move fills nothing`, async () => {
      workers.push(await startRiskStopsWorker());
      const { trader, account, runId, strategy } = await protectedShort(2);
      await waitForRun(runId);
      const [stop] = await stopsResting([130]);
      const log = recordOrderEvents(sim);
      const { exitId } =
        scope === "kill switch"
          ? await engageKillSwitch(trader, { scope: "mine", reason: "leg stop test" }, null)
          : await requestExit(trader, scope === "run" ? { scope, runId } : { scope, strategyId: strategy.id }, null);
      expect((await waitForExit(exitId)).status).toBe("DONE");
      log.stop();
      const exitOrder = sim.broker.receivedOrders(INST).find((o) => o.action === "BUY" && o.pricetype === "MARKET")!;
      const cancelledAt = log.events.indexOf(`${INST} ${stop.orderid} cancelled`);
      expect(cancelledAt).toBeGreaterThanOrEqual(0);
      expect(cancelledAt).toBeLessThan(log.events.findIndex((e) => e.startsWith(`${INST} ${exitOrder.orderid} `)));
      expect(simPositions(sim, INST).size).toBe(0);
      await syncAccountStops(account.id);
      await sweepStops();
      await stopsQueueIdle();
      expect((await stopOrdersAt(sim, INST)).filter(working)).toEqual([]);
      const orders = sim.broker.receivedOrders(INST).length;
      sim.market.jump({ underlying: "NIFTY" }, { percent: 4 });
      sim.market.tick();
      expect([simPositions(sim, INST).size, sim.broker.receivedOrders(INST).length]).toEqual([0, orders]);
    });

  it("a move through the trigger fills the stop at the broker: the leg is flat in the ledger, one risk event, one notification, the take-profit cancelled; a run exit after it sends nothing", async () => {
    workers.push(await startRiskStopsWorker());
    const rules = {
      // The target as a share of the entry: a fixed number of points can exceed the premium itself near expiry (the
      // simulator prices the contract by the days left), and a level that is not a positive price is never placed.
      legs: [{ legIndex: 0, stopLoss: { kind: "points", value: "20" }, takeProfit: { kind: "percent", value: "50" } }],
      legStopMode: "BROKER",
    } satisfies RiskRulesInput;
    const { trader, account, runId } = await protectedShort(2, rules);
    await waitForRun(runId);
    const resting = await waitFor(
      "stop-loss and take-profit resting",
      async () => (await stopOrdersAt(sim, INST)).filter(working),
      (os) => os.length === 2,
    );
    const sl = resting.find((o) => o.pricetype === "SL-M")!;
    const tp = resting.find((o) => o.pricetype === "LIMIT")!;
    expect([sl.action, tp.action, tp.quantity]).toEqual(["BUY", "BUY", 130]);

    sim.market.jump({ underlying: "NIFTY" }, { percent: 4 });
    sim.market.tick();
    const event = await waitFor(
      "the stop's risk event",
      () => db().riskEvent.findMany({ where: { runId } }),
      (es) => es.length > 0,
    );
    const filledStop = (await stopOrdersAt(sim, INST)).find((o) => o.orderid === sl.orderid)!;
    expect(filledStop.status).toBe("complete");
    expect(event.map((e) => [e.rule, e.action, e.legIndex, e.accountId, e.exitId, e.threshold?.toFixed(2)])).toEqual([
      ["LEG_STOP_LOSS", "EXIT", 0, account.id, null, sl.triggerPrice],
    ]);
    expect(event[0].observed?.toFixed(2)).toBe(filledStop.averagePrice);
    expect(event[0].message).toContain(`BUY 130 ${sl.symbol}`);
    await waitFor(
      "the take-profit cancelled",
      async () => (await stopOrdersAt(sim, INST)).find((o) => o.orderid === tp.orderid)!.status,
      (s) => s === "cancelled",
    );
    const ledger = await ledgerPositions({ accountIds: [account.id] }, "run");
    expect(ledger.filter((p) => p.scope.runId === runId).map((p) => p.netQty)).toEqual([0]);
    expect(simPositions(sim, INST).size).toBe(0);
    const notes = () =>
      notificationsQueue()
        .getJobs(["waiting", "delayed", "active", "completed"])
        .then((jobs) =>
          jobs
            .map((j) => [j.name, j.data as NotificationEvent] as const)
            // The entry's own fill is told too (kind FILL): only the stop's notification is looked at here.
            .filter(([, e]) => e.runId === runId && e.kind === "RISK"),
        );
    expect(
      (await waitFor("the notification", notes, (n) => n.length > 0)).map(([name, e]) => [name, e.kind, e.batchKey]),
    ).toEqual([["event", "RISK", `risk:${runId}`]]);

    // Seen again: nothing more is written or sent; a run exit finds nothing open.
    expect((await syncAccountStops(account.id)).fired).toBe(0);
    const orders = sim.broker.receivedOrders(INST).length;
    await expect(requestExit(trader, { scope: "run", runId }, null)).rejects.toBeInstanceOf(ConflictError);
    expect(await db().riskEvent.count({ where: { runId } })).toBe(1);
    expect(await notes()).toHaveLength(1);
    expect([simPositions(sim, INST).size, sim.broker.receivedOrders(INST).length]).toEqual([0, orders]);
  });

  it("a stop whose placement answer is lost is found in the order book, never sent twice", async () => {
    const { runId, account } = await protectedShort(2);
    await waitForRun(runId);
    await waitFor(
      "entry filled",
      () => db().orderIntent.findFirstOrThrow({ where: { runId } }),
      (i) => i.state === "filled",
    );
    sim.broker.setFaults(INST, { lostResponseRate: 1 });
    workers.push(await startRiskStopsWorker());
    await syncAccountStops(account.id);
    const stop = await waitFor(
      "the stop reconciled",
      () => db().orderIntent.findFirstOrThrow({ where: { run: { protectsRunId: runId } } }),
      (i) => i.state === "reconciled_accepted",
    );
    sim.broker.setFaults(INST, { lostResponseRate: 0 });
    await sweepStops();
    await stopsQueueIdle();
    expect((await stopOrdersAt(sim, INST)).map((o) => [o.strategy, o.status])).toEqual([[stop.id, "trigger pending"]]);
  });

  it("a paused rule's stop is cancelled, and placed anew when it resumes", async () => {
    workers.push(await startRiskStopsWorker());
    const { runId } = await protectedShort(2);
    await waitForRun(runId);
    const [stop] = await stopsResting([130]);
    await db().runRisk.update({ where: { runId }, data: { paused: true } });
    await requestRunStopSync(runId);
    await waitFor(
      "the stop cancelled and recorded so",
      () => db().orderIntent.findMany({ where: { run: { protectsRunId: runId } } }),
      (rows) => rows.every((i) => i.state === "cancelled"),
    );
    expect((await stopOrdersAt(sim, INST)).find((o) => o.orderid === stop.orderid)?.status).toBe("cancelled");
    // A flat or paused run is no work for the sweep.
    expect(await sweepStops()).toEqual({ accounts: 0 });
    await db().runRisk.update({ where: { runId }, data: { paused: false } });
    await requestRunStopSync(runId);
    const [again] = await stopsResting([130]);
    expect(again.orderid).not.toBe(stop.orderid);
  });

  it("overnight: yesterday's stop lapsed with its session; the next trading day's stop waits for the session to open", async () => {
    workers.push(await startRiskStopsWorker());
    const { runId, account } = await protectedShort(2, SL_POINTS, shortCall(2, { kind: "MARKET" }, "next_week"));
    await waitForRun(runId);
    const [stop] = await stopsResting([130]);
    await stopsQueueIdle();
    const day = nextTradingDay(istDateOf(Date.now()), tradingHolidaySet());
    // The simulator rolls to the next day: day orders lapse, the NRML short stays.
    sim.market.clock.set(istInstant(day, "08:00"));
    expect(sim.broker.instance(INST)!.checkRoll()).toBe(true);
    // OpenAlgo logs every session out at the roll: the trader logs in again in the morning.
    sim.broker.login(INST);
    expect((await stopOrdersAt(sim, INST)).find((o) => o.orderid === stop.orderid)?.status).toBe("cancelled");
    const early = await syncAccountStops(account.id, { now: new Date(istInstant(day, "08:00")), alwaysOpen: false });
    expect(early.placed).toEqual([]);
    const lapsed = await db().orderIntent.findFirstOrThrow({ where: { run: { protectsRunId: runId } } });
    expect([lapsed.state, lapsed.reason]).toEqual(["cancelled", "day order lapsed with its session"]);
    const open = await syncAccountStops(account.id, { now: new Date(istInstant(day, "09:30")), alwaysOpen: false });
    expect(open.placed).toHaveLength(1);
    await stopsResting([130]);
  });
});
