/**
 * Ownership on every path that picks accounts or positions for an order: ids, tags, runs and strategies of another
 * owner send nothing to that owner's broker and create nothing for them, while the same request over the caller's
 * own accounts does send (the positive control that keeps each "0 orders" from passing vacuously).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, jsonRequest, makeUser, paramsOf, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { POST as exitsPost } from "@/app/api/exits/route";
import { POST as retryRoute } from "@/app/api/runs/[id]/retry/route";
import { POST as executeRoute } from "@/app/api/strategies/[id]/execute/route";
import { POST as previewRoute } from "@/app/api/strategies/[id]/preview/route";
import { POST as ticketExecuteRoute } from "@/app/api/ticket/execute/route";
import { POST as ticketPreviewRoute } from "@/app/api/ticket/preview/route";
import { ironCondor, linkAccounts, startDispatchWorker, startRun, waitForRun } from "@/lib/testing/dispatch-kit";
import { makeStrategy, runStrategy, simPositions, startExitWorker, waitForExit } from "@/lib/testing/exits-kit";

/** Instance 0 belongs to the caller, instance 1 to the victim. */
const INSTANCES = instanceConfigs(2, "own");
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

const received = (i: number) => sim.broker.receivedOrders(INSTANCES[i].id).length;

async function twoOwners() {
  const dispatch = await startDispatchWorker({
    reconcileWindowMs: 300,
    pollIntervalMs: 50,
    maxAttempts: 1,
    refusedBackoffMs: 20,
  });
  closers.push(dispatch.close);
  const caller = await makeUser("TRADER");
  const victim = await makeUser("TRADER");
  const [mine] = await linkAccounts(sim, caller, INSTANCES.slice(0, 1));
  const [theirs] = await linkAccounts(sim, victim, INSTANCES.slice(1, 2));
  return { caller, victim, mine, theirs, cookie: await sessionCookie(caller) };
}

const victimRows = async (victimId: string) => ({
  runs: await db().strategyRun.count({ where: { ownerId: victimId } }),
  exits: await db().exit.count({ where: { ownerId: victimId } }),
});

async function errorOf(res: Response) {
  const body = await res.json();
  return { status: res.status, code: body.error?.code, fields: Object.keys(body.error?.fields ?? {}) };
}

describe("another owner's accounts, runs and strategies are never selected for an order", () => {
  it("manual ticket: another owner's account ids or a tag only they use select nothing (400 on accountIds); mixed ids send to mine only", async () => {
    const { victim, mine, theirs, cookie } = await twoOwners();
    await db().tradingAccount.update({ where: { id: theirs.id }, data: { tags: ["victim-only"] } });
    const ticket = { symbol: "SBIN", exchange: "NSE", action: "BUY", lots: 1, product: "CNC", priceType: "MARKET" };
    const empty = { status: 400, code: "BAD_REQUEST", fields: ["accountIds"] };
    for (const targets of [
      { accountIds: [theirs.id] },
      { accountTags: ["victim-only"] },
      { accountIds: [theirs.id], accountTags: ["victim-only"] },
    ]) {
      expect(
        await errorOf(await ticketPreviewRoute(jsonRequest("/x", { body: { ...ticket, ...targets }, cookie }))),
      ).toEqual(empty);
      expect(
        await errorOf(
          await ticketExecuteRoute(
            jsonRequest("/x", {
              body: { ...ticket, ...targets, idempotencyKey: `t-${JSON.stringify(targets)}` },
              cookie,
            }),
          ),
        ),
      ).toEqual(empty);
    }
    expect(await db().strategyRun.count()).toBe(0);

    const both = { ...ticket, accountIds: [mine.id, theirs.id], accountTags: ["victim-only"] };
    const preview = await ticketPreviewRoute(jsonRequest("/x", { body: both, cookie }));
    expect(preview.status).toBe(200);
    expect((await preview.json()).preview.accounts.map((a: { accountId: string }) => a.accountId)).toEqual([mine.id]);
    const executed = await ticketExecuteRoute(
      jsonRequest("/x", { body: { ...both, idempotencyKey: "ticket-mixed" }, cookie }),
    );
    expect(executed.status).toBe(201);
    const { runId } = await executed.json();
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    expect([received(0), received(1)]).toEqual([1, 0]);
    expect(await db().orderIntent.count({ where: { accountId: theirs.id } })).toBe(0);
    expect(await victimRows(victim.id)).toEqual({ runs: 0, exits: 0 });
  });

  it("strategy: its tag selection and stored ids never reach another owner's account with the same tag", async () => {
    const { caller, victim, mine, theirs, cookie } = await twoOwners();
    await db().tradingAccount.updateMany({ where: { id: { in: [mine.id, theirs.id] } }, data: { tags: ["desk"] } });
    const strategy = await makeStrategy(caller, ironCondor());
    await db().strategy.update({
      where: { id: strategy.id },
      data: { accountIds: [theirs.id], accountTags: ["desk"] },
    });

    const preview = await previewRoute(jsonRequest("/x", { body: {}, cookie }), paramsOf({ id: strategy.id }));
    expect(preview.status).toBe(200);
    expect((await preview.json()).preview.accounts.map((a: { accountId: string }) => a.accountId)).toEqual([mine.id]);
    const executed = await executeRoute(
      jsonRequest("/x", { body: { idempotencyKey: "strategy-desk" }, cookie }),
      paramsOf({ id: strategy.id }),
    );
    expect(executed.status).toBe(201);
    expect((await waitForRun((await executed.json()).runId)).status).toBe("COMPLETED");
    expect([received(0), received(1)]).toEqual([4, 0]);
    expect(await db().orderIntent.count({ where: { accountId: theirs.id } })).toBe(0);

    // Only the victim's account left in the selection: nothing to plan.
    await db().strategy.update({ where: { id: strategy.id }, data: { accountIds: [theirs.id], accountTags: [] } });
    expect(
      await errorOf(await previewRoute(jsonRequest("/x", { body: {}, cookie }), paramsOf({ id: strategy.id }))),
    ).toEqual({ status: 400, code: "BAD_REQUEST", fields: ["accountIds"] });
    const refused = await executeRoute(
      jsonRequest("/x", { body: { idempotencyKey: "strategy-victim" }, cookie }),
      paramsOf({ id: strategy.id }),
    );
    expect(await errorOf(refused)).toEqual({ status: 400, code: "BAD_REQUEST", fields: ["accountIds"] });
    expect([received(0), received(1)]).toEqual([4, 0]);
    expect(await victimRows(victim.id)).toEqual({ runs: 0, exits: 0 });
  });

  it("exits: run, strategy, account and excess exits naming another owner's targets are 404; my own account exit flattens mine only", async () => {
    const { caller, victim, mine, theirs, cookie } = await twoOwners();
    const exits = await startExitWorker();
    closers.push(exits.close);
    const victimStrategy = await makeStrategy(victim, ironCondor());
    const victimRun = await runStrategy(victim.id, victimStrategy.id, ironCondor());
    expect((await waitForRun(victimRun.runId)).status).toBe("COMPLETED");
    const myRun = await startRun(caller.id);
    expect((await waitForRun(myRun.runId)).status).toBe("COMPLETED");
    expect([received(0), received(1)]).toEqual([4, 4]);
    const victimBook = [...simPositions(sim, INSTANCES[1].id)];
    expect(victimBook).toHaveLength(4);

    const exit = (body: unknown) => exitsPost(jsonRequest("/api/exits", { body, cookie }));
    const attempts = [
      { scope: "run", runId: victimRun.runId },
      { scope: "strategy", strategyId: victimStrategy.id },
      { scope: "account", accountId: theirs.id },
      { scope: "excess", runId: victimRun.runId, accountId: theirs.id, legIndex: 0 },
      { scope: "excess", runId: myRun.runId, accountId: theirs.id, legIndex: 0 },
    ];
    const statuses = [];
    for (const body of attempts) statuses.push((await errorOf(await exit(body))).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404]);
    expect(await db().exit.count()).toBe(0);

    const mineOut = await exit({ scope: "account", accountId: mine.id });
    expect(mineOut.status).toBe(200);
    const { exitId } = await mineOut.json();
    expect((await waitForExit(exitId, 60_000)).status).toBe("DONE");
    expect([...simPositions(sim, INSTANCES[0].id)]).toEqual([]);
    expect([received(0), received(1)]).toEqual([8, 4]);
    expect([...simPositions(sim, INSTANCES[1].id)]).toEqual(victimBook);
    expect(await victimRows(victim.id)).toEqual({ runs: 1, exits: 0 });
  });

  it("retry and resend-missing of another owner's run are 404 and send nothing; the owner's own retry sends", async () => {
    const { victim, theirs, cookie } = await twoOwners();
    // The victim's broker refuses every order: the run ends FAILED with every slice waiting for a retry.
    const { runId } = await startRun(victim.id, ironCondor(), () =>
      sim.broker.setFaults(INSTANCES[1].id, { http429Rate: 1 }),
    );
    expect((await waitForRun(runId)).status).toBe("FAILED");
    sim.broker.setFaults(INSTANCES[1].id, { http429Rate: 0 });
    expect([received(0), received(1)]).toEqual([0, 0]);
    const intentsBefore = await db().orderIntent.findMany({
      where: { runId },
      select: { id: true, state: true },
      orderBy: { id: "asc" },
    });

    const retry = (url: string, who: string) =>
      retryRoute(jsonRequest(url, { body: {}, cookie: who }), paramsOf({ id: runId }));
    expect((await errorOf(await retry(`/api/runs/${runId}/retry`, cookie))).status).toBe(404);
    expect((await errorOf(await retry(`/api/runs/${runId}/retry?accountId=${theirs.id}`, cookie))).status).toBe(404);
    expect((await db().strategyRun.findUniqueOrThrow({ where: { id: runId } })).status).toBe("FAILED");
    expect(
      await db().orderIntent.findMany({ where: { runId }, select: { id: true, state: true }, orderBy: { id: "asc" } }),
    ).toEqual(intentsBefore);
    expect(await db().auditLog.count({ where: { action: "run.retry" } })).toBe(0);
    expect([received(0), received(1)]).toEqual([0, 0]);

    const own = await retry(`/api/runs/${runId}/retry?accountId=${theirs.id}`, await sessionCookie(victim));
    expect(own.status).toBe(200);
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    expect([received(0), received(1)]).toEqual([0, 4]);
  });
});
