import { randomUUID } from "node:crypto";
import Decimal from "decimal.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "@/lib/testing/wait";
import { db } from "@/lib/db/client";
import { listAccountSecrets } from "@/lib/db/queries/accounts";
import { scheduledFillAccounts, scheduleFillSweep, unscheduleFillPolls } from "@/lib/queues/fills";
import { subscribeRunEvents, type RunEvent } from "@/lib/realtime/run-events";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import type { FaultConfig, InstanceConfig } from "@/lib/simulator/types";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { GET as runParityRoute } from "@/app/api/runs/[id]/parity/route";
import { POST as retryRoute } from "@/app/api/runs/[id]/retry/route";
import { GET as strategyParityRoute } from "@/app/api/strategies/[id]/parity/route";
import { ironCondor, linkAccounts, startDispatchWorker, startRun, waitForRun } from "@/lib/testing/dispatch-kit";
import { orderStreamOpen } from "./streams";
import { syncAccountFills } from ".";
import { startCountingRelay, startFillsWorker, waitForIntents } from "@/lib/testing/fills-kit";
import { createRun } from "@/lib/services/runs";
import { createStrategy, planFor } from "@/lib/services/strategies";

const FAST = { reconcileWindowMs: 1_000, pollIntervalMs: 100, refusedBackoffMs: 50 };
/** Live instances: order-book rows with OpenAlgo's 11 live keys, no fill quantities, prices or rejection texts. */
const INST = instanceConfigs(3, "fil");
/** Sandbox (analyzer) instances: rows with filled/pending quantities, average price and rejection reason. */
const SANDBOX = instanceConfigs(2, "fsb").map((c) => ({ ...c, mode: "analyze" as const, numbers: "number" as const }));
const FLAVOURS = [
  ["live rows", INST],
  ["sandbox rows", SANDBOX],
] as const;
const NO_FAULTS: Partial<FaultConfig> = {
  http500Rate: 0,
  lostResponseRate: 0,
  lateRejectRate: 0,
  lateRejectMs: 0,
  flapRate: 0,
  flapMs: 0,
  partialFillRate: 0,
  partialFillMs: 0,
};
let sim: RunningSimulator;
let relay: Awaited<ReturnType<typeof startCountingRelay>>;
let dispatch: Awaited<ReturnType<typeof startDispatchWorker>>;
let fills: Awaited<ReturnType<typeof startFillsWorker>> | null = null;

beforeAll(async () => {
  sim = await startSim([...INST, ...SANDBOX]);
  relay = await startCountingRelay(sim.httpUrl);
});
beforeEach(async () => {
  await resetState();
  dispatch = await startDispatchWorker(FAST);
});
afterEach(async () => {
  await fills?.close();
  fills = null;
  await dispatch.close();
  for (const inst of [...INST, ...SANDBOX]) sim.broker.setFaults(inst.id, NO_FAULTS);
  sim.broker.reset();
});
afterAll(async () => {
  await relay.close();
  await sim.close();
  await closeConnections();
});

const faults =
  (ids: number[], f: Partial<FaultConfig>, insts: readonly InstanceConfig[] = INST) =>
  () => {
    for (const k of ids) sim.broker.setFaults(insts[k].id, f);
  };
/** The simulator's own record of the order an intent placed (its tag is the intent id). */
const simOrder = (k: number, intentId: string, insts: readonly InstanceConfig[] = INST) =>
  sim.broker.receivedOrders(insts[k].id).find((o) => o.strategy === intentId);
/** Each intent's states as published, in order, with the filled quantity: `partially_filled:65`. */
function statesByIntent(events: RunEvent[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const e of events)
    if (e.type === "intent") out.set(e.intentId, [...(out.get(e.intentId) ?? []), `${e.state}:${e.filledQuantity}`]);
  return out;
}
describe("fill tracking (real worker, simulator over HTTP)", () => {
  it.each(FLAVOURS)(
    "%s: the poller alone finds every fill and records the broker's average price, then retires its schedulers",
    async (flavour, insts) => {
      const trader = await makeUser("TRADER");
      // Through the counting relay: whether the trade book had to be read.
      const accounts = await linkAccounts({ ...sim, httpUrl: relay.url }, trader, insts.slice(0, 2));
      const tradeReads = () => accounts.reduce((n, _, k) => n + relay.count(insts[k].id, "tradebook"), 0);
      const before = tradeReads();
      const { runId } = await startRun(trader.id);
      const events: RunEvent[] = [];
      const unsubscribe = await subscribeRunEvents(runId, (e) => events.push(e));
      // The fill tracker starts once the subscription is live, so no fill event can precede it on a loaded machine.
      fills = await startFillsWorker();
      const intents = await waitForIntents(runId, (i) => i.state === "filled");
      await unsubscribe();
      expect(intents).toHaveLength(8);
      for (const i of intents) {
        const o = simOrder(
          accounts.findIndex((a) => a.id === i.accountId),
          i.id,
          insts,
        );
        expect(o?.status).toBe("complete");
        expect(i.filledQuantity).toBe(i.quantity);
        // The broker's average fill price (the touch it filled at), to the paisa; never null, never another price.
        expect(new Decimal(i.averagePrice!.toString()).toFixed(2)).toBe(o?.averagePrice);
      }
      const filledEvents = events.filter((e) => e.type === "intent" && e.state === "filled");
      expect(filledEvents).toHaveLength(8);
      for (const e of filledEvents)
        if (e.type === "intent")
          expect(e.averagePrice).toBe(intents.find((i) => i.id === e.intentId)?.averagePrice?.toString());
      expect((await db().strategyRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("COMPLETED");
      await waitFor("schedulers removed", scheduledFillAccounts, (a) => a.length === 0);
      // Live rows carry no average price, so the trade book priced the fills; sandbox rows priced them themselves.
      if (flavour === "live rows") expect(tradeReads() - before).toBeGreaterThan(0);
      else expect(tradeReads() - before).toBe(0);
      expect(fills.errors).toEqual([]);
    },
  );

  it.each(FLAVOURS)(
    "%s: orders whose answers were lost are adopted from the book, then filled at the broker's average price",
    async (_flavour, insts) => {
      const trader = await makeUser("TRADER");
      const [account] = await linkAccounts(sim, trader, insts.slice(0, 1));
      fills = await startFillsWorker();
      const { runId } = await startRun(trader.id, ironCondor(), faults([0], { lostResponseRate: 1 }, insts));
      const intents = await waitForIntents(runId, (i) => i.state === "filled");
      expect(intents).toHaveLength(4);
      for (const i of intents) {
        const o = simOrder(0, i.id, insts);
        // Adopted (never sent twice: one order per intent), and priced like any fill — never left without a price.
        expect(sim.broker.receivedOrders(insts[0].id).filter((x) => x.strategy === i.id)).toHaveLength(1);
        expect(i.accountId).toBe(account.id);
        expect(new Decimal(i.averagePrice!.toString()).toFixed(2)).toBe(o?.averagePrice);
      }
    },
  );

  it.each(FLAVOURS)(
    "%s: partial fills (partialFillRate = 1): each slice is seen partially filled, then filled; quantities never go down",
    async (_flavour, insts) => {
      const trader = await makeUser("TRADER");
      const [account] = await linkAccounts(sim, trader, insts.slice(0, 1));
      fills = await startFillsWorker();
      const { runId } = await startRun(
        trader.id,
        ironCondor(2),
        faults([0], { partialFillRate: 1, partialFillMs: 2_500 }, insts),
      );
      const events: RunEvent[] = [];
      const unsubscribe = await subscribeRunEvents(runId, (e) => events.push(e));
      const intents = await waitForIntents(runId, (i) => i.state === "filled");
      await unsubscribe();
      const seen = statesByIntent(events);
      for (const i of intents) {
        expect(i.quantity).toBe(130);
        const fillStates = (seen.get(i.id) ?? []).filter((s) => /filled/.test(s));
        // Live rows show the order `open` with no filled quantity: the 65 come from the trade book.
        expect(fillStates).toEqual(["partially_filled:65", "filled:130"]);
        expect(new Decimal(i.averagePrice!.toString()).toFixed(2)).toBe(simOrder(0, i.id, insts)?.averagePrice);
      }
      expect(account.id).toBe(intents[0].accountId);
      expect(fills.errors).toEqual([]);
    },
  );

  it.each(FLAVOURS)(
    "%s: a late RMS rejection (lateRejectRate = 1) ends rejected_late with the broker's reason where it gives one, and the run is not COMPLETED",
    async (flavour, insts) => {
      const trader = await makeUser("TRADER");
      const [bad, good] = await linkAccounts(sim, trader, insts.slice(0, 2));
      fills = await startFillsWorker();
      const { runId } = await startRun(
        trader.id,
        ironCondor(),
        faults([0], { lateRejectRate: 1, lateRejectMs: 800 }, insts),
      );
      const intents = await waitForIntents(runId, (i) => i.state === "rejected_late" || i.state === "filled");
      const rejected = intents.filter((i) => i.accountId === bad.id);
      expect(rejected.map((i) => i.state)).toEqual([
        "rejected_late",
        "rejected_late",
        "rejected_late",
        "rejected_late",
      ]);
      expect(rejected.every((i) => i.filledQuantity === 0)).toBe(true);
      // Live rows carry no rejection text (docs/openalgo.md "Account reads"): the rejection is still recorded, with a
      // generic reason.
      const reason =
        flavour === "live rows"
          ? /^rejected by the broker after acceptance$/
          : /^RMS: order rejected by risk management/;
      for (const i of rejected) expect(i.reason).toMatch(reason);
      expect(intents.filter((i) => i.accountId === good.id).every((i) => i.state === "filled")).toBe(true);
      expect(sim.broker.receivedOrders(insts[0].id).every((o) => o.status === "rejected")).toBe(true);
      const run = await waitFor(
        "run status",
        () => db().strategyRun.findUniqueOrThrow({ where: { id: runId } }),
        (r) => r.status === "PARTIAL",
      );
      expect(run.finishedAt).not.toBeNull();
      expect(fills.errors).toEqual([]);
    },
  );

  it("a rejected → complete flap (flapRate = 1) is confirmed against the trade book, shown as a rejection meanwhile, and ends filled", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, INST.slice(0, 1));
    fills = await startFillsWorker();
    const { runId } = await startRun(trader.id, ironCondor(), faults([0], { flapRate: 1, flapMs: 2_500 }));
    const events: RunEvent[] = [];
    const unsubscribe = await subscribeRunEvents(runId, (e) => events.push(e));
    const intents = await waitForIntents(runId, (i) => i.state === "filled", 30_000);
    const run = await waitFor(
      "run status",
      () => db().strategyRun.findUniqueOrThrow({ where: { id: runId } }),
      (r) => r.status === "COMPLETED",
    );
    await unsubscribe();
    const seen = statesByIntent(events);
    for (const i of intents) {
      const states = (seen.get(i.id) ?? []).map((s) => s.split(":")[0]);
      // Seen rejected while the broker said so, never left there: the flap ends filled at the broker's price.
      expect(states).toContain("rejected_late");
      expect(states.at(-1)).toBe("filled");
      expect(new Decimal(i.averagePrice!.toString()).toFixed(2)).toBe(simOrder(0, i.id)?.averagePrice);
    }
    const statuses = events.filter((e) => e.type === "run").map((e) => e.type === "run" && e.status);
    expect(statuses).toContain("FAILED");
    expect(statuses.at(-1)).toBe("COMPLETED");
    expect(run.status).toBe("COMPLETED");
  });

  it("one order-book call per account per cycle, however many orders are open; no trade-book call when none is needed", async () => {
    const trader = await makeUser("TRADER");
    // Sandbox rows report fill quantities, so open orders need nothing but the order book.
    // Through the counting relay: what the simulator receives from each account.
    const accounts = await linkAccounts({ ...sim, httpUrl: relay.url }, trader, SANDBOX.slice(0, 2));
    // Every order is accepted and then held (a rejection due in 10 minutes): 4 open orders per account.
    const { runId } = await startRun(
      trader.id,
      ironCondor(),
      faults([0, 1], { lateRejectRate: 1, lateRejectMs: 600_000 }, SANDBOX),
    );
    await waitForRun(runId);
    const books = () => accounts.map((_, k) => relay.count(SANDBOX[k].id, "orderbook"));
    const trades = () => accounts.map((_, k) => relay.count(SANDBOX[k].id, "tradebook"));
    const before = books();
    for (let n = 0; n < 3; n++)
      for (const a of accounts) expect(await syncAccountFills(a.id)).toEqual({ changed: 0, unsettled: 4 });
    expect(books().map((c, k) => c - before[k])).toEqual([3, 3]);
    // Concurrent requests for one account share one read.
    await Promise.all(Array.from({ length: 5 }, () => syncAccountFills(accounts[0].id)));
    expect(books()[0] - before[0]).toBe(4);

    const start = books();
    fills = await startFillsWorker();
    // At least two poll cycles of each account, however long a loaded machine takes (the test's timeout is the limit).
    await waitFor(
      "two polls of each account",
      async () => accounts.map((a) => fills!.polls.get(a.id) ?? 0),
      (p) => p.every((n) => n >= 2),
      60_000,
    );
    await fills.close();
    const polls = accounts.map((a) => fills!.polls.get(a.id) ?? 0);
    fills = null;
    const calls = books().map((c, k) => c - start[k]);
    for (const k of [0, 1]) {
      expect(polls[k]).toBeGreaterThanOrEqual(2);
      expect(calls[k]).toBeGreaterThanOrEqual(2);
      expect(calls[k]).toBeLessThanOrEqual(polls[k]);
    }
    expect(trades()).toEqual([0, 0]);
  });

  it("live rows: open orders cost one order-book and ONE trade-book call per account per cycle, however many", async () => {
    const trader = await makeUser("TRADER");
    const accounts = await linkAccounts({ ...sim, httpUrl: relay.url }, trader, INST.slice(0, 2));
    const { runId } = await startRun(
      trader.id,
      ironCondor(),
      faults([0, 1], { lateRejectRate: 1, lateRejectMs: 600_000 }),
    );
    await waitForRun(runId);
    const books = () => accounts.map((_, k) => relay.count(INST[k].id, "orderbook"));
    const trades = () => accounts.map((_, k) => relay.count(INST[k].id, "tradebook"));
    const [b0, t0] = [books(), trades()];
    // A live book cannot show a partial fill of an open order: the trade book is read once per cycle to find one.
    for (let n = 0; n < 3; n++)
      for (const a of accounts) expect(await syncAccountFills(a.id)).toEqual({ changed: 0, unsettled: 4 });
    expect(books().map((c, k) => c - b0[k])).toEqual([3, 3]);
    expect(trades().map((c, k) => c - t0[k])).toEqual([3, 3]);
    await Promise.all(Array.from({ length: 5 }, () => syncAccountFills(accounts[0].id)));
    expect(books()[0] - b0[0]).toBe(4);
    expect(trades()[0] - t0[0]).toBe(4);
  });

  it("live rows: a cancelled order's partial fill is found in the trade book and kept", async () => {
    const trader = await makeUser("TRADER");
    const [account] = await linkAccounts(sim, trader, INST.slice(0, 1));
    // Each entry fills 1 of its 2 lots at once; the rest would wait a minute.
    const { runId } = await startRun(
      trader.id,
      ironCondor(2),
      faults([0], { partialFillRate: 1, partialFillMs: 60_000 }),
    );
    await waitForRun(runId);
    const orders = sim.broker.receivedOrders(INST[0].id);
    expect(orders.every((o) => o.status === "open" && o.filledQuantity === 65)).toBe(true);
    // Cancelled at the broker (by hand, say) before any poll: the live book then says only `cancelled`.
    const inst = sim.broker.instance(INST[0].id)!;
    for (const o of orders)
      await sim.broker.routes.cancelorder.execute(
        { instance: inst, market: sim.market, ip: "127.0.0.1" },
        { apikey: INST[0].apiKey, strategy: "x", orderid: o.orderid },
      );
    expect(await syncAccountFills(account.id)).toEqual({ changed: 4, unsettled: 0 });
    const intents = await db().orderIntent.findMany({ where: { runId } });
    expect(intents.map((i) => `${i.state}:${i.filledQuantity}`)).toEqual([
      "cancelled:65",
      "cancelled:65",
      "cancelled:65",
      "cancelled:65",
    ]);
    for (const i of intents)
      expect(new Decimal(i.averagePrice!.toString()).toFixed(2)).toBe(simOrder(0, i.id)?.averagePrice);
  });

  it("the sweep re-creates lost schedulers (a restart, a lost hook) and the poller then finds the fills", async () => {
    const trader = await makeUser("TRADER");
    const accounts = await linkAccounts(sim, trader, INST.slice(0, 2));
    const { runId } = await startRun(trader.id);
    await waitForRun(runId);
    for (const a of accounts) await unscheduleFillPolls(a.id);
    expect(await scheduledFillAccounts()).toEqual([]);
    expect(await db().orderIntent.count({ where: { runId, state: "accepted" } })).toBe(8);
    fills = await startFillsWorker();
    await scheduleFillSweep(300);
    await waitForIntents(runId, (i) => i.state === "filled");
    await waitFor("schedulers removed", scheduledFillAccounts, (a) => a.length === 0);
    expect(fills.errors).toEqual([]);
  });

  it("an order update from the broker's stream triggers an immediate poll (no poll being scheduled)", async () => {
    // Every wait is bounded only by the test's own timeout: a loaded machine is slow, never a reason to fail.
    const LIMIT = 60_000;
    const trader = await makeUser("TRADER");
    const [account] = await linkAccounts(sim, trader, INST.slice(0, 1));
    const worker = (fills = await startFillsWorker());
    // Every order fills partly at once; the simulator holds the rest back until the test releases it.
    const { runId } = await startRun(
      trader.id,
      ironCondor(2),
      faults([0], { partialFillRate: 1, holdPartialFills: true }),
    );
    await waitForRun(runId, LIMIT);
    // The scheduled polls read the partial fills and open the account's order stream.
    await waitForIntents(runId, (i) => i.state === "partially_filled", LIMIT);
    await waitFor(
      "order stream open",
      () => orderStreamOpen(account.id),
      (open) => open,
      LIMIT,
    );
    // Then no poll is scheduled or running: from here only an order update can ask for one. (A poll running while
    // the account is taken out puts it back: take it out again once that poll has finished.)
    await waitFor(
      "no poll scheduled or running",
      async () => {
        await unscheduleFillPolls(account.id);
        await worker.poller.settled();
        return scheduledFillAccounts();
      },
      (a) => !a.includes(account.id),
      LIMIT,
    );
    const immediate = () => worker.immediatePolls.get(account.id) ?? 0;
    const [pollsBefore, immediateBefore] = [worker.polls.get(account.id) ?? 0, immediate()];
    sim.broker.setFaults(INST[0].id, { holdPartialFills: false });
    const intents = await waitForIntents(runId, (i) => i.state === "filled", LIMIT);
    expect(intents.every((i) => i.filledQuantity === 130)).toBe(true);
    // Read by a poll an order update asked for, and by no other poll.
    await waitFor(
      "the immediate poll finished",
      async () => immediate(),
      (n) => n > immediateBefore,
      LIMIT,
    );
    expect((worker.polls.get(account.id) ?? 0) - pollsBefore).toBe(immediate() - immediateBefore);
    expect(worker.errors).toEqual([]);
  });
});

describe("send missing", () => {
  it("retries only the chosen account's unconfirmed slices, through the run's retry (reconciled first)", async () => {
    await dispatch.close();
    dispatch = await startDispatchWorker({ ...FAST, reconcileWindowMs: 300, maxAttempts: 1 });
    const trader = await makeUser("TRADER");
    const [broken, fine] = await linkAccounts(sim, trader, INST.slice(0, 2));
    // The first account answers 500 (nothing placed) until both BUY sends are unknown; the book then shows no order, so
    // they become safe to resend with their one send used up, and the SELL legs are held (unsent) meanwhile.
    const { runId } = await startRun(trader.id, ironCondor(), faults([0], { http500Rate: 1 }));
    await waitFor(
      "unknown BUY sends",
      () => db().orderIntent.count({ where: { runId, accountId: broken.id, state: "unknown" } }),
      (n) => n === 2,
    );
    sim.broker.setFaults(INST[0].id, { http500Rate: 0 });
    expect((await waitForRun(runId)).status).toBe("PARTIAL");
    expect(
      (await db().orderIntent.findMany({ where: { runId, accountId: broken.id } })).map((i) => i.state).sort(),
    ).toEqual(["held", "held", "safe_to_resend", "safe_to_resend"]);
    const cookie = await sessionCookie(trader);
    const retry = (accountId: string) =>
      retryRoute(
        jsonRequest(`/api/runs/${runId}/retry?accountId=${accountId}`, { method: "POST", cookie }),
        paramsOf({ id: runId }),
      );
    expect((await retry(fine.id)).status).toBe(409);
    const res = await retry(broken.id);
    expect(res.status).toBe(200);
    // The two BUY slices to resend, and the two SELL slices held behind them.
    expect(await res.json()).toMatchObject({ intents: 4, accounts: 1 });
    await waitForRun(runId);
    const buys = await db().orderIntent.findMany({ where: { runId, accountId: broken.id, phase: 1 } });
    const sells = await db().orderIntent.findMany({ where: { runId, accountId: broken.id, phase: 2 } });
    expect(buys.every((i) => i.state === "accepted" && i.attempts === 2)).toBe(true);
    expect(sells.every((i) => i.state === "accepted" && i.attempts === 1)).toBe(true);
    // One order per slice reached the broker, the BUYs first; the fine account was not touched again.
    const orders = sim.broker.receivedOrders(INST[0].id);
    expect(orders.map((o) => o.strategy).sort()).toEqual([...buys, ...sells].map((i) => i.id).sort());
    expect(orders.map((o) => o.action)).toEqual(["BUY", "BUY", "SELL", "SELL"]);
    expect(sim.broker.receivedOrders(INST[1].id)).toHaveLength(4);
    const bad = await retryRoute(
      jsonRequest(`/api/runs/${runId}/retry?accountId=nope`, { method: "POST", cookie }),
      paramsOf({ id: runId }),
    );
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/"accountId"/);
  });
});

describe("parity API", () => {
  it("per run and per strategy: target vs filled per account and leg, drift flagged; scoped; fields named on bad input", async () => {
    const trader = await makeUser("TRADER");
    // Sandbox rows: the rejection reason reaches the board (live rows carry none).
    const [bad, good] = await linkAccounts(sim, trader, SANDBOX.slice(0, 2));
    fills = await startFillsWorker();
    const strategy = await createStrategy(
      trader,
      {
        name: "Condor",
        definition: { ...ironCondor(), legs: [...ironCondor().legs] },
        accountIds: [bad.id, good.id],
        accountTags: [],
      },
      "127.0.0.1",
    );
    const triggeredAt = new Date();
    const preview = await planFor(
      trader.id,
      ironCondor(),
      await listAccountSecrets({ ownerId: trader.id }, { active: true }),
      triggeredAt,
    );
    faults([0], { lateRejectRate: 1, lateRejectMs: 500 }, SANDBOX)();
    const { runId } = await createRun({
      ownerId: trader.id,
      strategyId: strategy.id,
      kind: "STRATEGY",
      idempotencyKey: randomUUID(),
      triggeredAt,
      preview,
    });
    await waitForIntents(runId, (i) => i.state === "rejected_late" || i.state === "filled");
    const cookie = await sessionCookie(trader);

    const res = await runParityRoute(jsonRequest(`/api/runs/${runId}/parity`, { cookie }), paramsOf({ id: runId }));
    expect(res.status).toBe(200);
    const { parity } = await res.json();
    expect(parity.accounts.map((a: { accountId: string; kind: string }) => [a.accountId, a.kind])).toEqual([
      [bad.id, "short"],
      [good.id, "ok"],
    ]);
    const badRow = parity.accounts[0];
    expect(badRow.legs).toHaveLength(4);
    for (const cell of badRow.legs) {
      expect(cell).toMatchObject({ target: 65, filled: 0, failed: 65, drift: -65, kind: "short", averagePrice: null });
      expect(cell.reasons[0]).toMatch(/^RMS:/);
    }
    for (const cell of parity.accounts[1].legs) {
      expect(cell).toMatchObject({ target: 65, filled: 65, drift: 0, kind: "ok" });
      expect(Number(cell.averagePrice)).toBeGreaterThan(0);
    }
    expect(parity).toMatchObject({ drifted: 1, totals: { target: 520, filled: 260, failed: 260 } });

    // "Send missing" for the rejected account: rejections are final, so the retry route says so (409).
    const retry = await retryRoute(
      jsonRequest(`/api/runs/${runId}/retry?accountId=${bad.id}`, { method: "POST", cookie }),
      paramsOf({ id: runId }),
    );
    expect(retry.status).toBe(409);
    expect((await retry.json()).error.message).toMatch(/rejections are final/);

    const sres = await strategyParityRoute(
      jsonRequest(`/api/strategies/${strategy.id}/parity?limit=5`, { cookie }),
      paramsOf({ id: strategy.id }),
    );
    expect(sres.status).toBe(200);
    const s = (await sres.json()).parity;
    expect(s.runs).toEqual([expect.objectContaining({ runId, target: 520, filled: 260, drifted: 1 })]);
    expect(s.accounts.map((a: { kind: string }) => a.kind)).toEqual(["short", "ok"]);

    const other = await sessionCookie(await makeUser("TRADER"));
    expect(
      (await runParityRoute(jsonRequest(`/api/runs/${runId}/parity`, { cookie: other }), paramsOf({ id: runId })))
        .status,
    ).toBe(404);
    expect(
      (
        await strategyParityRoute(
          jsonRequest(`/api/strategies/${strategy.id}/parity`, { cookie: other }),
          paramsOf({ id: strategy.id }),
        )
      ).status,
    ).toBe(404);
    expect((await runParityRoute(jsonRequest(`/api/runs/x/parity`), paramsOf({ id: runId }))).status).toBe(401);
    const badId = await runParityRoute(jsonRequest(`/api/runs/nope/parity`, { cookie }), paramsOf({ id: "nope" }));
    expect(badId.status).toBe(400);
    expect(JSON.stringify(await badId.json())).toMatch(/"id"/);
    const badLimit = await strategyParityRoute(
      jsonRequest(`/api/strategies/${strategy.id}/parity?limit=0`, { cookie }),
      paramsOf({ id: strategy.id }),
    );
    expect(badLimit.status).toBe(400);
    expect(JSON.stringify(await badLimit.json())).toMatch(/"limit"/);
  });
});
