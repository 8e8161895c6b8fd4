import Decimal from "decimal.js";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { GET as exitsGet, POST as exitsPost } from "@/app/api/exits/route";
import { GET as killGet, POST as killPost } from "@/app/api/kill-switch/route";
import { GET as ledgerGet } from "@/app/api/positions/ledger/route";
import { GET as strategyPositionsGet } from "@/app/api/strategies/[id]/positions/route";
import { POST as executeRoute } from "@/app/api/strategies/[id]/execute/route";
import { POST as ticketExecuteRoute } from "@/app/api/ticket/execute/route";
import { adapterFor } from "@/lib/services/broker-access";
import { ironCondor, linkAccounts, startDispatchWorker, waitForRun } from "@/lib/testing/dispatch-kit";
import { makeStrategy, runStrategy, simPositions, startExitWorker, waitForExit } from "@/lib/testing/exits-kit";
import { syncAccountFills } from "@/lib/services/fills";

const FAST = { reconcileWindowMs: 1_000, pollIntervalMs: 100, refusedBackoffMs: 50 };
const INSTANCES = instanceConfigs(2, "xa").map((c) => ({ ...c, showStrategy: true }));
let sim: RunningSimulator;
let dispatch: Awaited<ReturnType<typeof startDispatchWorker>>;
let exits: Awaited<ReturnType<typeof startExitWorker>>;

beforeAll(async () => {
  sim = await startSim(INSTANCES);
});
beforeEach(async () => {
  await resetState();
  dispatch = await startDispatchWorker(FAST);
  exits = await startExitWorker();
});
afterEach(async () => {
  await exits.close();
  await dispatch.close();
  sim.broker.reset();
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

async function trading() {
  const trader = await makeUser("TRADER");
  const cookie = await sessionCookie(trader);
  const accounts = await linkAccounts(sim, trader, INSTANCES);
  const strategy = await makeStrategy(trader, ironCondor());
  return { trader, cookie, accounts, strategy };
}
const post = (url: string, body: unknown, cookie: string) => jsonRequest(url, { body, cookie });
const get = (url: string, cookie: string) => jsonRequest(url, { cookie });
const syncAll = async (ids: readonly string[]) => {
  for (const id of ids) await syncAccountFills(id);
};

describe("kill switch API", () => {
  it("blocks strategy runs and tickets with 423 while engaged; only an admin re-arms; entries pass again after", async () => {
    const { trader, cookie, strategy } = await trading();
    const admin = await makeUser("ADMIN");
    const adminCookie = await sessionCookie(admin);
    const engaged = await killPost(
      post("/api/kill-switch", { action: "engage", scope: "mine", reason: "desk closed" }, cookie),
    );
    expect(engaged.status).toBe(200);
    expect((await engaged.json()).exitId).toMatch(/^[0-9a-f-]{36}$/);

    const status = await (await killGet(get("/api/kill-switch", cookie))).json();
    expect(status).toMatchObject({
      engaged: true,
      switches: [
        { scope: "owner", ownerId: trader.id, ownerName: trader.name, engagedBy: trader.name, reason: "desk closed" },
      ],
    });
    expect(Date.parse(status.switches[0].engagedAt)).not.toBeNaN();

    const refused = await executeRoute(
      post("/x", { idempotencyKey: "entry-while-engaged-1" }, cookie),
      paramsOf({ id: strategy.id }),
    );
    expect(refused.status).toBe(423);
    const body = await refused.json();
    expect(body.error.code).toBe("KILL_SWITCH");
    expect(body.error.message).toMatch(/^Kill switch engaged/);
    const ticket = await ticketExecuteRoute(
      post(
        "/x",
        {
          symbol: "SBIN",
          exchange: "NSE",
          action: "BUY",
          lots: 1,
          product: "CNC",
          priceType: "MARKET",
          accountTags: [],
          accountIds: (await db().tradingAccount.findMany({ where: { ownerId: trader.id } })).map((a) => a.id),
          idempotencyKey: "ticket-while-engaged",
        },
        cookie,
      ),
    );
    expect(ticket.status).toBe(423);
    expect(await db().strategyRun.count({ where: { kind: { not: "EXIT" } } })).toBe(0);

    // Only admins re-arm; a trader may not, nor engage it for everyone.
    expect(
      (await killPost(post("/api/kill-switch", { action: "rearm", scope: "owner", ownerId: trader.id }, cookie)))
        .status,
    ).toBe(403);
    expect((await killPost(post("/api/kill-switch", { action: "engage", scope: "all" }, cookie))).status).toBe(403);
    expect((await killPost(post("/api/kill-switch", { action: "rearm", scope: "owner" }, adminCookie))).status).toBe(
      400,
    );
    expect(
      (await killPost(post("/api/kill-switch", { action: "rearm", scope: "owner", ownerId: trader.id }, adminCookie)))
        .status,
    ).toBe(200);
    expect(
      (await killPost(post("/api/kill-switch", { action: "rearm", scope: "owner", ownerId: trader.id }, adminCookie)))
        .status,
    ).toBe(409);
    expect((await (await killGet(get("/api/kill-switch", cookie))).json()).engaged).toBe(false);

    const accepted = await executeRoute(
      post("/x", { idempotencyKey: "entry-after-rearm-1" }, cookie),
      paramsOf({ id: strategy.id }),
    );
    expect(accepted.status).toBe(201);
    expect((await waitForRun((await accepted.json()).runId)).status).toBe("COMPLETED");

    // The global switch blocks every owner; a viewer cannot touch it.
    expect((await killPost(post("/api/kill-switch", { action: "engage", scope: "all" }, adminCookie))).status).toBe(
      200,
    );
    const viewer = await makeUser("VIEWER");
    expect(
      (await killPost(post("/api/kill-switch", { action: "engage", scope: "mine" }, await sessionCookie(viewer))))
        .status,
    ).toBe(403);
    expect((await (await killGet(get("/api/kill-switch", await sessionCookie(viewer)))).json()).engaged).toBe(true);
    expect(
      (await executeRoute(post("/x", { idempotencyKey: "entry-global-1" }, cookie), paramsOf({ id: strategy.id })))
        .status,
    ).toBe(423);
    expect((await killPost(post("/api/kill-switch", { action: "rearm", scope: "all" }, adminCookie))).status).toBe(200);
    const actions = (await db().auditLog.findMany({ where: { entity: "kill_switch" }, orderBy: { id: "asc" } })).map(
      (a) => a.action,
    );
    expect(actions).toEqual(["kill_switch.engage", "kill_switch.rearm", "kill_switch.engage", "kill_switch.rearm"]);
  });
});

describe("exits and ledger API", () => {
  it("ledger rows per account and contract with the broker's prices; an exit closes them with the broker's realised P&L", async () => {
    const { cookie, accounts, strategy } = await trading();
    const { runId } = await runStrategy(accounts[0].ownerId, strategy.id, ironCondor());
    await waitForRun(runId);
    await syncAll(accounts.map((a) => a.id));

    const res = await strategyPositionsGet(get("/x", cookie), paramsOf({ id: strategy.id }));
    expect(res.status).toBe(200);
    const { positions } = await res.json();
    expect(positions).toHaveLength(8);
    for (const p of positions) {
      const inst = INSTANCES.find((i) => p.accountName.endsWith(i.id))!;
      const at = sim.broker.instance(inst.id)!.account.positions.get(`${p.symbol}|${p.exchange}|${p.product}`)!;
      expect(p).toMatchObject({
        strategyId: strategy.id,
        strategyName: strategy.name,
        runId: null,
        product: "NRML",
        realisedPnl: "0",
      });
      expect(p.netQty).toBe(at.qty);
      // The broker's average fill price, not an LTP; unrealised from the LTP the owner's source quotes.
      expect(new Decimal(p.avgPrice).toFixed(2)).toBe(at.avg.toFixed(2));
      expect(p.ltp).toMatch(/^\d+(\.\d+)?$/);
      expect(new Decimal(p.unrealisedPnl).eq(new Decimal(p.ltp).minus(p.avgPrice).mul(p.netQty))).toBe(true);
    }

    const exit = await exitsPost(post("/api/exits", { scope: "strategy", strategyId: strategy.id }, cookie));
    expect(exit.status).toBe(200);
    const { exitId, runIds, joined } = await exit.json();
    expect([typeof exitId, Array.isArray(runIds), joined]).toEqual(["string", true, false]);
    expect((await waitForExit(exitId)).status).toBe("DONE");
    await syncAll(accounts.map((a) => a.id));

    const after = (await (await ledgerGet(get("/api/positions/ledger", cookie))).json()).positions;
    expect(after).toHaveLength(8);
    for (const p of after) {
      const inst = INSTANCES.find((i) => p.accountName.endsWith(i.id))!;
      const at = sim.broker.instance(inst.id)!.account.positions.get(`${p.symbol}|${p.exchange}|${p.product}`)!;
      expect(p.netQty).toBe(0);
      expect([p.avgPrice, p.unrealisedPnl]).toEqual([null, "0"]);
      expect(new Decimal(p.realisedPnl).toFixed(2)).toBe(at.realized.toFixed(2));
    }

    const listed = await (await exitsGet(get("/api/exits?status=DONE", cookie))).json();
    expect(listed.exits).toHaveLength(1);
    expect(listed.exits[0]).toMatchObject({ id: exitId, scope: "strategy", reason: "manual", status: "DONE" });
    expect(listed.exits[0].runIds.length).toBeGreaterThan(0);
    expect(listed.exits[0].accounts.map((a: { status: string; message: string }) => a.status)).toEqual([
      "DONE",
      "DONE",
    ]);
    expect((await (await exitsGet(get("/api/exits?status=PENDING", cookie))).json()).exits).toEqual([]);
    // Nothing left: a clear 409, not an exit.
    const again = await exitsPost(post("/api/exits", { scope: "strategy", strategyId: strategy.id }, cookie));
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toMatch(/Nothing is open to exit/);
  });

  it("an over-filled leg: the excess exit sells only filled − target, and a second one finds nothing", async () => {
    const { cookie, accounts } = await trading();
    const trader = { id: accounts[0].ownerId, role: "TRADER" as const };
    // One BUY leg resting far below the market, then enlarged at the broker to 2 lots and made marketable.
    const definition = {
      ...ironCondor(),
      legs: [{ ...ironCondor().legs[1], orderType: { kind: "LIMIT" as const, price: new Decimal("0.05") } }],
    };
    const strategy = await makeStrategy(trader, definition);
    const { runId } = await runStrategy(trader.id, strategy.id, definition);
    await waitForRun(runId);
    const intent = await db().orderIntent.findFirstOrThrow({ where: { runId, accountId: accounts[0].id } });
    const account = await db().tradingAccount.findUniqueOrThrow({ where: { id: accounts[0].id } });
    await adapterFor(account).modifyOrder({
      orderId: intent.brokerOrderId!,
      symbol: intent.symbol,
      exchange: "NFO",
      action: "BUY",
      product: "NRML",
      priceType: "LIMIT",
      quantity: 130,
      price: new Decimal(5000),
      triggerPrice: new Decimal(0),
      strategy: intent.id,
    });
    await syncAccountFills(accounts[0].id);
    expect((await db().orderIntent.findUniqueOrThrow({ where: { id: intent.id } })).filledQuantity).toBe(130);
    const before = sim.broker.receivedOrders(INSTANCES[0].id).length;

    const refused = await exitsPost(
      post("/api/exits", { scope: "excess", runId, accountId: accounts[1].id, legIndex: 0 }, cookie),
    );
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.message).toMatch(/not over-filled/);
    const ok = await exitsPost(
      post("/api/exits", { scope: "excess", runId, accountId: accounts[0].id, legIndex: 0 }, cookie),
    );
    expect(ok.status).toBe(200);
    expect((await waitForExit((await ok.json()).exitId)).status).toBe("DONE");
    const exitOrders = sim.broker.receivedOrders(INSTANCES[0].id).slice(before);
    expect(exitOrders.map((o) => [o.action, o.quantity, o.symbol])).toEqual([["SELL", 65, intent.symbol]]);
    expect([...simPositions(sim, INSTANCES[0].id).values()]).toEqual([65]);
    await syncAccountFills(accounts[0].id);
    expect(
      (await exitsPost(post("/api/exits", { scope: "excess", runId, accountId: accounts[0].id, legIndex: 0 }, cookie)))
        .status,
    ).toBe(409);
  });

  it("answers bad input with the field, someone else's run with 404, a viewer with 403", async () => {
    const { cookie, accounts } = await trading();
    const bad = await exitsPost(post("/api/exits", { scope: "run" }, cookie));
    expect(bad.status).toBe(400);
    expect(Object.keys((await bad.json()).error.fields)).toEqual(["runId"]);
    expect(
      (
        await exitsPost(
          post(
            "/api/exits",
            { scope: "excess", runId: crypto.randomUUID(), accountId: accounts[0].id, legIndex: -1 },
            cookie,
          ),
        )
      ).status,
    ).toBe(400);
    expect((await exitsGet(get("/api/exits?status=DONE2", cookie))).status).toBe(400);

    const other = await makeUser("TRADER");
    const otherCookie = await sessionCookie(other);
    const strategy = await makeStrategy({ id: accounts[0].ownerId, role: "TRADER" }, ironCondor());
    const { runId } = await runStrategy(accounts[0].ownerId, strategy.id, ironCondor());
    expect((await exitsPost(post("/api/exits", { scope: "run", runId }, otherCookie))).status).toBe(404);
    expect(
      (await exitsPost(post("/api/exits", { scope: "account", accountId: accounts[0].id }, otherCookie))).status,
    ).toBe(404);
    expect((await strategyPositionsGet(get("/x", otherCookie), paramsOf({ id: strategy.id }))).status).toBe(404);
    const viewer = await makeUser("VIEWER");
    expect((await exitsPost(post("/api/exits", { scope: "run", runId }, await sessionCookie(viewer)))).status).toBe(
      403,
    );
    expect((await exitsGet(get("/api/exits", await sessionCookie(viewer)))).status).toBe(200);
    await waitForRun(runId);
  });
});
