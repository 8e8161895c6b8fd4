import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { istInstant } from "@/lib/trading/calendar";
import { KillSwitchError } from "@/lib/errors";
import { ironCondor, linkAccounts, startDispatchWorker, startRun, waitForRun } from "@/lib/testing/dispatch-kit";
import {
  makeStrategy,
  runStrategy,
  signFlips,
  simPositions,
  startExitWorker,
  waitForExit,
} from "@/lib/testing/exits-kit";
import { waitUntil } from "@/lib/testing/wait";
import { openAlerts } from "@/lib/services/alerts";
import { requestExit, runSquareOff } from ".";
import { engageKillSwitch } from "@/lib/services/kill-switch";
import { ledgerPositions } from "@/lib/services/positions";
import { syncAccountFills } from "@/lib/services/fills";

const FAST = { reconcileWindowMs: 1_000, pollIntervalMs: 100, refusedBackoffMs: 50 };
const small = instanceConfigs(3, "ex");
const many = instanceConfigs(50, "exm");
const all = [...small, ...many];
let sim: RunningSimulator;
let dispatch: Awaited<ReturnType<typeof startDispatchWorker>>;
let exits: Awaited<ReturnType<typeof startExitWorker>>;

beforeAll(async () => {
  sim = await startSim(all);
});
beforeEach(async () => {
  await resetState();
  dispatch = await startDispatchWorker(FAST);
  exits = await startExitWorker();
});
afterEach(async () => {
  await exits.close();
  await dispatch.close();
  for (const inst of all)
    sim.broker.setFaults(inst.id, {
      lostResponseRate: 0,
      http500Rate: 0,
      http429Rate: 0,
      burst429Remaining: 0,
      partialFillRate: 0,
    });
  sim.broker.reset();
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

const orderCount = (id: string) => sim.broker.receivedOrders(id).length;
const flat = (id: string) => simPositions(sim, id).size === 0;

describe("exits", () => {
  it("a 50-account kill switch with 20 % transient errors ends flat everywhere, one order per position, no sign ever changed (speed: bench/exit.ts)", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, many);
    const { runId } = await startRun(trader.id);
    expect((await waitForRun(runId, 60_000)).status).toBe("COMPLETED");
    const before = new Map(many.map((m) => [m.id, simPositions(sim, m.id)]));
    const from = new Map(many.map((m) => [m.id, orderCount(m.id)]));
    // Every account holds the condor: 2 long wings, 2 short legs, one lot each.
    for (const m of many) expect([...before.get(m.id)!.values()].sort()).toEqual([-65, -65, 65, 65]);
    // 20 % of every broker call fails transiently (15 % HTTP 500 without acting, 5 % 429), and 5 % of placements
    // are executed with their answer lost.
    for (const m of many) sim.broker.setFaults(m.id, { http500Rate: 0.15, http429Rate: 0.05, lostResponseRate: 0.05 });

    const { exitId } = await engageKillSwitch(trader, { scope: "mine", reason: "integration test" }, "127.0.0.1");
    let observedFlips = 0;
    // How fast it gets flat is bench/exit.ts's business; here the limit is only the test's own timeout.
    await waitUntil(
      () => {
        for (const m of many)
          for (const [k, v] of simPositions(sim, m.id))
            if (Math.sign(v) !== Math.sign(before.get(m.id)!.get(k) ?? 0)) observedFlips += 1;
        return many.every((m) => flat(m.id));
      },
      90_000,
      "every account flat",
      20,
    );
    expect(observedFlips).toBe(0);
    for (const m of many) {
      expect(signFlips(sim, m.id, before.get(m.id)!, from.get(m.id)!)).toBe(0);
      // Exactly one order per position (one lot each, below freeze): no duplicate exit reached the broker.
      const exitOrders = sim.broker.receivedOrders(m.id).slice(from.get(m.id)!);
      expect(exitOrders.map((o) => `${o.action} ${o.symbol} ${o.quantity} ${o.product}`).sort()).toEqual(
        [...before.get(m.id)!].map(([k, q]) => `${q > 0 ? "SELL" : "BUY"} ${k.split("|")[0]} 65 NRML`).sort(),
      );
    }
    const exit = await waitForExit(exitId);
    expect(exit.status).toBe("DONE");
    expect(exit.accounts.every((a) => a.status === "DONE")).toBe(true);
    expect(exits.errors).toEqual([]);
    // The exit's fills count against the run they closed: once fill tracking has read every book (it may have failed
    // under the injected errors during the exit, which flattening does not wait for), the run's ledger is flat.
    for (const m of many) sim.broker.setFaults(m.id, { http500Rate: 0, http429Rate: 0, lostResponseRate: 0 });
    for (const a of await db().tradingAccount.findMany({ where: { ownerId: trader.id } })) await syncAccountFills(a.id);
    const ledger = await ledgerPositions({ ownerId: trader.id }, "run");
    expect(ledger.filter((p) => p.scope.runId === runId && p.netQty !== 0)).toEqual([]);
    expect(ledger.filter((p) => p.scope.runId === runId)).toHaveLength(200);
    // Entries are refused while engaged.
    await expect(startRun(trader.id)).rejects.toBeInstanceOf(KillSwitchError);
    const audit = await db().auditLog.findMany({ where: { entity: "exit", entityId: exitId }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.action, (a.details as { reason?: string }).reason])).toEqual([
      ["exit.request", "kill_switch"],
      ["exit.done", "kill_switch"],
    ]);
  }, 90_000);

  it("two exit requests at once send one set of orders: the second joins the first", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, small);
    const { runId } = await startRun(trader.id);
    await waitForRun(runId);
    const from = new Map(small.map((m) => [m.id, orderCount(m.id)]));
    const [a, b] = await Promise.all([
      requestExit(trader, { scope: "run", runId }, "127.0.0.1"),
      requestExit(trader, { scope: "run", runId }, "127.0.0.1"),
    ]);
    expect(a.exitId).toBe(b.exitId);
    expect([a.joined, b.joined].sort()).toEqual([false, true]);
    expect((await waitForExit(a.exitId)).status).toBe("DONE");
    for (const m of small) {
      expect(flat(m.id)).toBe(true);
      expect(sim.broker.receivedOrders(m.id).slice(from.get(m.id)!)).toHaveLength(4);
    }
    expect(await db().exit.count()).toBe(1);
    // Nothing is left: a third request is refused with a reason, not sent.
    await expect(requestExit(trader, { scope: "run", runId }, "127.0.0.1")).rejects.toThrow(/Nothing is open to exit/);
  });

  it("a strategy exit and a kill switch at once never both send into an account", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, small);
    const strategy = await makeStrategy(trader, ironCondor());
    const { runId } = await runStrategy(trader.id, strategy.id, ironCondor());
    await waitForRun(runId);
    const before = new Map(small.map((m) => [m.id, simPositions(sim, m.id)]));
    const from = new Map(small.map((m) => [m.id, orderCount(m.id)]));
    const [s, k] = await Promise.all([
      requestExit(trader, { scope: "strategy", strategyId: strategy.id }, "127.0.0.1"),
      engageKillSwitch(trader, { scope: "mine" }, "127.0.0.1"),
    ]);
    expect(s.exitId).not.toBe(k.exitId);
    expect((await waitForExit(s.exitId)).status).toBe("DONE");
    expect((await waitForExit(k.exitId)).status).toBe("DONE");
    for (const m of small) {
      expect(flat(m.id)).toBe(true);
      expect(sim.broker.receivedOrders(m.id).slice(from.get(m.id)!)).toHaveLength(4);
      expect(signFlips(sim, m.id, before.get(m.id)!, from.get(m.id)!)).toBe(0);
    }
  });

  it("an exit after a partial fill cancels the unfilled rest and exits only the filled quantity", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, small);
    const strategy = await makeStrategy(trader, ironCondor(3));
    // Every entry fills 1 or 2 of its 3 lots at once; the rest waits a minute (still working at the broker).
    for (const m of small) sim.broker.setFaults(m.id, { partialFillRate: 1, partialFillMs: 60_000 });
    const { runId } = await runStrategy(trader.id, strategy.id, ironCondor(3));
    await waitForRun(runId);
    for (const m of small) sim.broker.setFaults(m.id, { partialFillRate: 0 });
    const entries = new Map(small.map((m) => [m.id, sim.broker.receivedOrders(m.id)]));
    for (const m of small)
      expect(
        entries.get(m.id)!.every((o) => o.status === "open" && o.filledQuantity > 0 && o.filledQuantity < o.quantity),
      ).toBe(true);
    const before = new Map(small.map((m) => [m.id, simPositions(sim, m.id)]));

    const { exitId } = await requestExit(trader, { scope: "run", runId }, "127.0.0.1");
    expect((await waitForExit(exitId)).status).toBe("DONE");
    for (const m of small) {
      const orders = sim.broker.receivedOrders(m.id);
      const entered = orders.slice(0, 4);
      // The unfilled rest of every entry was cancelled, its filled part kept.
      expect(entered.map((o) => o.status)).toEqual(["cancelled", "cancelled", "cancelled", "cancelled"]);
      expect(entered.map((o) => o.filledQuantity)).toEqual(entries.get(m.id)!.map((o) => o.filledQuantity));
      // Exits are the exact inverse of what was filled, no more.
      const exitOrders = orders.slice(4);
      expect(exitOrders.map((o) => `${o.action} ${o.symbol} ${o.quantity}`).sort()).toEqual(
        entered.map((o) => `${o.action === "BUY" ? "SELL" : "BUY"} ${o.symbol} ${o.filledQuantity}`).sort(),
      );
      expect(exitOrders.every((o) => o.status === "complete")).toBe(true);
      expect(flat(m.id)).toBe(true);
      expect(signFlips(sim, m.id, before.get(m.id)!, 4)).toBe(0);
    }
    const intents = await db().orderIntent.findMany({ where: { runId } });
    expect(intents.every((i) => i.state === "cancelled" && i.filledQuantity > 0 && i.filledQuantity < i.quantity)).toBe(
      true,
    );
  });

  it("an exit order that fills only partly is cancelled before the next attempt exits the rest: never over-exited", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, small.slice(0, 1));
    const strategy = await makeStrategy(trader, ironCondor(3));
    const { runId } = await runStrategy(trader.id, strategy.id, ironCondor(3));
    await waitForRun(runId);
    const before = simPositions(sim, small[0].id);
    expect([...before.values()].sort()).toEqual([-195, -195, 195, 195]);
    // From now on every order of 2+ lots fills 1–2 lots at once and the rest 1.5 s later, if it is still working.
    sim.broker.setFaults(small[0].id, { partialFillRate: 1, partialFillMs: 1_500 });
    const { exitId } = await requestExit(trader, { scope: "strategy", strategyId: strategy.id }, "127.0.0.1");
    expect((await waitForExit(exitId)).status).toBe("DONE");
    expect(flat(small[0].id)).toBe(true);
    // Longer than the delayed fills: a resting exit order left working would fill now and flip the position.
    await new Promise((r) => setTimeout(r, 2_000));
    expect(flat(small[0].id)).toBe(true);
    const exitOrders = sim.broker.receivedOrders(small[0].id).slice(4);
    expect(exitOrders.some((o) => o.status === "cancelled" && o.filledQuantity > 0)).toBe(true);
    expect(exitOrders.every((o) => o.status === "complete" || o.status === "cancelled")).toBe(true);
    expect(signFlips(sim, small[0].id, before, 4)).toBe(0);
  });

  it("a failing exit stays visible (FAILED, an alert for the owner) and is retried until flat, never reverting", async () => {
    await exits.close();
    exits = await startExitWorker({ failAfter: 3 });
    const trader = await makeUser("TRADER");
    const [account] = await linkAccounts(sim, trader, small.slice(0, 1));
    const { runId } = await startRun(trader.id);
    await waitForRun(runId);
    // The broker session ends: every read answers 403 until someone logs in again.
    sim.broker.revokeSession(small[0].id);
    const { exitId } = await requestExit(trader, { scope: "account", accountId: account.id }, "127.0.0.1");
    await waitUntil(
      async () => (await db().exit.findUniqueOrThrow({ where: { id: exitId } })).status === "FAILED",
      10_000,
      "exit FAILED",
    );
    const row = await db().exitAccount.findFirstOrThrow({ where: { exitId } });
    expect(row.status).toBe("FAILED");
    expect(row.message).toMatch(/order book unreadable/);
    const alert = await db().alert.findFirstOrThrow({
      where: { ownerId: trader.id, kind: "exit_failed", resolvedAt: null },
    });
    expect(alert.severity).toBe("CRITICAL");
    // Labelled by the broker's cause (a refused session), with the advice that fits it — not "account down".
    expect(alert.cause).toBe("auth");
    const shown = (await openAlerts(trader)).find((a) => a.id === alert.id)!;
    expect(shown.title).toBe("Exit failing: broker refused the key or session");
    expect(shown.message).toMatch(
      /is failing — broker refused the key or session: .*log in to the broker again or update the API key/,
    );
    expect(orderCount(small[0].id)).toBe(4);
    sim.broker.login(small[0].id);
    expect((await waitForExit(exitId, 20_000)).status).toBe("DONE");
    expect(flat(small[0].id)).toBe(true);
    expect(sim.broker.receivedOrders(small[0].id).slice(4)).toHaveLength(4);
    expect(await db().alert.count({ where: { kind: "exit_failed", resolvedAt: null } })).toBe(0);
  });

  it("square-off fires at the configured simulated time, once per strategy per day, with its reason audited", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, small.slice(0, 2));
    const definition = { ...ironCondor(), squareOffAt: "10:30" };
    const strategy = await makeStrategy(trader, definition);
    const untimed = await makeStrategy(trader, ironCondor(), "carried overnight");
    const { runId } = await runStrategy(trader.id, strategy.id, definition);
    await waitForRun(runId);
    const { runId: carried } = await runStrategy(trader.id, untimed.id, ironCondor());
    await waitForRun(carried);
    // 2026-11-26 is a trading day (Thursday).
    expect((await runSquareOff(new Date(istInstant("2026-11-26", "10:29")))).fired).toEqual({});
    const at = await runSquareOff(new Date(istInstant("2026-11-26", "10:30")));
    expect(Object.keys(at.fired)).toEqual([strategy.id]);
    const exit = await waitForExit(at.fired[strategy.id]);
    expect(exit).toMatchObject({ status: "DONE", reason: "SQUARE_OFF", scope: "STRATEGY", strategyId: strategy.id });
    // Only the timed strategy was exited: the NRML strategy without a time still holds its condor.
    const ledger = await ledgerPositions({ ownerId: trader.id }, "strategy");
    expect(ledger.filter((p) => p.scope.strategyId === strategy.id && p.netQty !== 0)).toEqual([]);
    expect(ledger.filter((p) => p.scope.strategyId === untimed.id && p.netQty !== 0)).toHaveLength(8);
    for (const m of small.slice(0, 2)) expect([...simPositions(sim, m.id).values()].sort()).toEqual([-65, -65, 65, 65]);
    expect((await runSquareOff(new Date(istInstant("2026-11-26", "10:45")))).fired).toEqual({});
    expect(await db().exit.count()).toBe(1);
    const audit = await db().auditLog.findFirstOrThrow({ where: { action: "exit.request", entityId: exit.id } });
    expect(audit.actorId).toBeNull();
    expect(audit.details).toMatchObject({ reason: "square_off", scope: "strategy" });
  });
});
