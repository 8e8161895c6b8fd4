import Decimal from "decimal.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import { setRunStatus } from "@/lib/db/queries/intents";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { DELETE as orderDelete, PATCH as orderPatch } from "@/app/api/accounts/[id]/orders/[orderId]/route";
import { POST as executeRoute } from "@/app/api/strategies/[id]/execute/route";
import { POST as retryRoute } from "@/app/api/runs/[id]/retry/route";
import { POST as ticketExecuteRoute } from "@/app/api/ticket/execute/route";
import { adapterFor } from "@/lib/services/broker-access";
import { enqueueRetry } from "@/lib/queues/dispatch";
import { ironCondor, linkAccounts, startDispatchWorker, startRun, waitForRun } from "@/lib/testing/dispatch-kit";
import { makeStrategy, simPositions, startExitWorker, waitForExit } from "@/lib/testing/exits-kit";
import { waitUntil } from "@/lib/testing/wait";
import { engageKillSwitch, killSwitchStatus, rearmKillSwitch } from ".";

const INSTANCES = instanceConfigs(2, "ks");
let sim: RunningSimulator;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  sim = await startSim(INSTANCES);
});
beforeEach(resetState);
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  for (const inst of INSTANCES) sim.broker.setFaults(inst.id, { http429Rate: 0 });
  sim.broker.reset();
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

const received = (i: number) => sim.broker.receivedOrders(INSTANCES[i].id);

describe("kill switch on every path that adds exposure", () => {
  it("a modify that raises a working order's quantity is refused (423, nothing sent); lowering it and cancelling pass", async () => {
    const trader = await makeUser("TRADER");
    const admin = await makeUser("ADMIN");
    const [account] = await linkAccounts(sim, trader, INSTANCES.slice(0, 1));
    const adapter = adapterFor((await loadAccountSecret(account.id))!);
    const placed = await adapter.placeOrder({
      symbol: "SBIN",
      exchange: "NSE",
      action: "BUY",
      quantity: 5,
      priceType: "LIMIT",
      product: "CNC",
      price: new Decimal("1.00"),
      strategy: "manual",
    });
    if (placed.kind !== "accepted") throw new Error(`order not placed: ${JSON.stringify(placed)}`);
    const orderId = placed.orderId;
    const quantityAtBroker = () => received(0).find((o) => o.orderid === orderId)!.quantity;
    const url = `/api/accounts/${account.id}/orders/${orderId}`;
    const patch = async (body: unknown, who = trader) =>
      orderPatch(
        jsonRequest(url, { method: "PATCH", body, cookie: await sessionCookie(who) }),
        paramsOf({ id: account.id, orderId }),
      );

    // Armed: raising is an ordinary modify.
    expect((await patch({ quantity: 6 })).status).toBe(200);
    expect(quantityAtBroker()).toBe(6);

    await engageKillSwitch(trader, { scope: "mine" }, "127.0.0.1");
    const refused = await patch({ quantity: 25 });
    expect(refused.status).toBe(423);
    expect((await refused.json()).error.code).toBe("KILL_SWITCH");
    // The account owner's switch counts, whoever asks.
    expect((await patch({ quantity: 7 }, admin)).status).toBe(423);
    expect(quantityAtBroker()).toBe(6);
    expect(await db().auditLog.count({ where: { action: "order.modify" } })).toBe(1);

    // Reducing risk stays possible.
    expect((await patch({ quantity: 3 })).status).toBe(200);
    expect(quantityAtBroker()).toBe(3);
    const cancelled = await orderDelete(
      jsonRequest(url, { method: "DELETE", cookie: await sessionCookie(trader) }),
      paramsOf({ id: account.id, orderId }),
    );
    expect(cancelled.status).toBe(200);
    expect(received(0).find((o) => o.orderid === orderId)!.status).toBe("cancelled");
  });

  it("execute, ticket, retry and resend-missing are refused while engaged; a retry queued before the switch sends nothing after it", async () => {
    const dispatch = await startDispatchWorker({
      reconcileWindowMs: 300,
      pollIntervalMs: 50,
      maxAttempts: 1,
      refusedBackoffMs: 20,
    });
    closers.push(dispatch.close);
    const trader = await makeUser("TRADER");
    const cookie = await sessionCookie(trader);
    const accounts = await linkAccounts(sim, trader, INSTANCES);
    const strategy = await makeStrategy(trader, ironCondor());
    // The second account refuses every order (429): its BUY slices end safe to resend, its SELL slices held.
    const { runId } = await startRun(trader.id, ironCondor(), () =>
      sim.broker.setFaults(INSTANCES[1].id, { http429Rate: 1 }),
    );
    expect((await waitForRun(runId)).status).toBe("PARTIAL");
    sim.broker.setFaults(INSTANCES[1].id, { http429Rate: 0 });
    const before = [received(0).length, received(1).length];
    expect(before).toEqual([4, 0]);
    const runsBefore = await db().strategyRun.count();

    await engageKillSwitch(trader, { scope: "mine" }, "127.0.0.1");
    const post = (url: string, body: unknown) => jsonRequest(url, { body, cookie });
    const refusals = [
      await executeRoute(post("/x", { idempotencyKey: "ks-execute" }), paramsOf({ id: strategy.id })),
      await ticketExecuteRoute(
        post("/x", {
          symbol: "SBIN",
          exchange: "NSE",
          action: "BUY",
          lots: 1,
          product: "CNC",
          priceType: "MARKET",
          accountTags: [],
          accountIds: accounts.map((a) => a.id),
          idempotencyKey: "ks-ticket",
        }),
      ),
      await retryRoute(post(`/api/runs/${runId}/retry`, {}), paramsOf({ id: runId })),
      await retryRoute(post(`/api/runs/${runId}/retry?accountId=${accounts[1].id}`, {}), paramsOf({ id: runId })),
    ];
    expect(refusals.map((r) => r.status)).toEqual([423, 423, 423, 423]);
    expect(await db().strategyRun.count()).toBe(runsBefore);

    // A retry a person asked for just before the switch reaches the worker after it: its slices are not sent.
    await setRunStatus(runId, "RUNNING", null);
    await enqueueRetry([{ runId, accountId: accounts[1].id }], new Date());
    const mine = () => db().orderIntent.findMany({ where: { runId, accountId: accounts[1].id } });
    await waitUntil(
      async () => (await mine()).every((i) => i.state === "skipped"),
      20_000,
      "the queued retry's slices skipped",
    );
    expect((await mine()).every((i) => /^not sent: Kill switch engaged/.test(i.reason ?? ""))).toBe(true);
    expect([received(0).length, received(1).length]).toEqual(before);
  });

  it("the switch's status says what is confirmed: flattening until the broker's positions read flat, then flat", async () => {
    const dispatch = await startDispatchWorker({ reconcileWindowMs: 300, pollIntervalMs: 50 });
    closers.push(dispatch.close);
    const trader = await makeUser("TRADER");
    const admin = await makeUser("ADMIN");
    await linkAccounts(sim, trader, INSTANCES);
    const { runId } = await startRun(trader.id);
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    // No exit worker yet: the switch is engaged, nothing has been flattened.
    const { exitId } = await engageKillSwitch(trader, { scope: "mine" }, "127.0.0.1");
    const engaged = await killSwitchStatus(trader);
    expect(engaged.engaged).toBe(true);
    expect(engaged.switches[0].flatten).toEqual({
      state: "flattening",
      accounts: 2,
      flat: 0,
      failing: 0,
      text: "flattening: 0 of 2 account(s) confirmed flat so far",
    });
    // An admin sees the trader's switch, and that the admin's own entries are not blocked by it.
    const seenByAdmin = await killSwitchStatus(admin);
    expect([seenByAdmin.engaged, seenByAdmin.switches.map((x) => x.ownerId)]).toEqual([false, [trader.id]]);

    const exits = await startExitWorker();
    closers.push(exits.close);
    expect((await waitForExit(exitId, 30_000)).status).toBe("DONE");
    expect(INSTANCES.map((i) => [...simPositions(sim, i.id)])).toEqual([[], []]);
    const done = (await killSwitchStatus(trader)).switches[0].flatten;
    expect([done.state, done.accounts, done.flat, done.failing]).toEqual(["flat", 2, 2, 0]);
    expect(done.text).toMatch(
      /^all 2 accounts confirmed flat by the broker's positions at \d{4}-\d\d-\d\d \d\d:\d\d IST$/,
    );
  });

  it("engage and execute at the same moment, many rounds: each execute is refused, or its run is flattened by the switch's exit", async () => {
    const dispatch = await startDispatchWorker({ reconcileWindowMs: 300, pollIntervalMs: 50 });
    const exits = await startExitWorker();
    closers.push(exits.close, dispatch.close);
    const trader = await makeUser("TRADER");
    const admin = await makeUser("ADMIN");
    const cookie = await sessionCookie(trader);
    await linkAccounts(sim, trader, INSTANCES);
    const strategy = await makeStrategy(trader, ironCondor());
    const outcomes: string[] = [];
    for (let round = 0; round < 6; round++) {
      // The engage starts a little later each round, so rounds land on both sides of the run's commit; the assertions
      // hold for either outcome.
      const [executed, engaged] = await Promise.all([
        executeRoute(
          jsonRequest("/x", { body: { idempotencyKey: `race-round-${round}` }, cookie }),
          paramsOf({ id: strategy.id }),
        ),
        new Promise((r) => setTimeout(r, round * 120)).then(() =>
          engageKillSwitch(trader, { scope: "mine" }, "127.0.0.1"),
        ),
      ]);
      if (![201, 423].includes(executed.status))
        throw new Error(`execute answered ${executed.status}: ${await executed.text()}`);
      outcomes.push(executed.status === 201 ? "stored" : "refused");
      if (executed.status === 201) expect((await waitForRun((await executed.json()).runId)).status).not.toBe("RUNNING");
      expect((await waitForExit(engaged.exitId, 30_000)).status).toBe("DONE");
      // Flat at the broker once the exit is done, and still flat after every run of the round has settled.
      expect(INSTANCES.map((i) => [...simPositions(sim, i.id)])).toEqual([[], []]);
      expect(await db().strategyRun.count({ where: { kind: { not: "EXIT" }, status: "RUNNING" } })).toBe(0);
      expect(INSTANCES.map((i) => [...simPositions(sim, i.id)])).toEqual([[], []]);
      await rearmKillSwitch(admin, { scope: "owner", ownerId: trader.id }, null);
    }
    expect(outcomes).toHaveLength(6);
    console.info(`kill switch race outcomes: ${outcomes.join(", ")}`);
  }, 240_000);
});
