/**
 * An entry never races an exit of its strategy: the exit's orders are held unconfirmed at the simulator (its order
 * book lags: the orders executed, but the exit cannot see them), so the exit stays working for as long as the test
 * wants, and the entry must not be planned until it is done.
 */
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { queue } from "@/lib/queues/queues";
import { SIGNALS_QUEUE } from "@/lib/queues/signals";
import { waitForRun } from "@/lib/testing/dispatch-kit";
import { simPositions, waitForExit } from "@/lib/testing/exits-kit";
import { jsonRequest, sessionCookie } from "@/lib/testing/fixtures";
import { waitForIntents } from "@/lib/testing/fills-kit";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";
import { condorWithWebhook, postAlert, startAlertPipeline, type WebhookOptions } from "@/lib/testing/webhook-kit";
import { POST as exitsRoute } from "@/app/api/exits/route";

const INSTANCES = instanceConfigs(2, "eo");
const world = useIntegrationWorld(INSTANCES);

async function setup(opts: WebhookOptions = {}) {
  const { user, strategy, token } = await condorWithWebhook(world, INSTANCES, opts);
  return { user, strategy, url: (await startAlertPipeline(world)).url(token) };
}

const signalRow = (id: string) => db().signal.findUniqueOrThrow({ where: { id } });
const processed = (id: string) =>
  waitFor(
    `signal ${id} handed on`,
    () => signalRow(id),
    (s) => s.processedAt !== null,
  );
const ordersOf = (n: number) => world.sim.broker.receivedOrders(INSTANCES[n].id);
const orderCount = () => INSTANCES.reduce((n, _, i) => n + ordersOf(i).length, 0);
const positions = () => INSTANCES.map((i) => Object.fromEntries(simPositions(world.sim, i.id)));
const lagBooks = (lagging: boolean) => {
  for (const i of INSTANCES) world.sim.broker.setFaults(i.id, { bookLagging: lagging });
};
/** The job of an alert is delayed: its handler ran and decided to look again later. */
const jobDelayed = (signalId: string) =>
  waitFor(
    `job of ${signalId} delayed`,
    async () => (await queue(SIGNALS_QUEUE).getJob(signalId))?.getState(),
    (s) => s === "delayed",
  );

async function enter(url: string, body: string) {
  const res = await postAlert(url, body);
  expect(res.status).toBe(202);
  expect((await processed(res.json.signalId as string)).error).toBeNull();
  const run = await waitForRun(res.json.runId as string);
  expect(run.status).toBe("COMPLETED");
  await waitForIntents(run.id, (i) => i.state === "filled");
  return run;
}

/** Holds until the exit has sent every order it will send while the books lag; the exit stays PENDING. */
async function exitHeld(exitId: string, ordersBefore: number) {
  await waitFor(
    "exit orders sent",
    async () => orderCount(),
    (n) => n === ordersBefore + 4 * INSTANCES.length,
  );
  await waitFor(
    "exit waiting for the book",
    () => db().exitAccount.findMany({ where: { exitId } }),
    (rows) => rows.length === INSTANCES.length && rows.every((r) => /waiting for the order book/.test(r.message ?? "")),
  );
  expect((await db().exit.findUniqueOrThrow({ where: { id: exitId } })).status).toBe("PENDING");
}

/** The entry's first intent was stored after every account of the exit was done. */
async function expectPlannedAfter(runId: string, exit: { accounts: { finishedAt: Date | null }[] }) {
  const first = await db().orderIntent.findFirstOrThrow({ where: { runId }, orderBy: { createdAt: "asc" } });
  const lastDone = Math.max(...exit.accounts.map((a) => a.finishedAt!.getTime()));
  expect(first.createdAt.getTime()).toBeGreaterThanOrEqual(lastDone);
}

/** After the entry: exactly one entry's worth held, the exit's orders before the entry's and inverse to the first. */
function expectOneEntryAfterExit(oneEntry: ReturnType<typeof positions>) {
  expect(positions()).toEqual(oneEntry);
  for (const n of INSTANCES.keys()) {
    const [first, exit, second] = [0, 4, 8].map((k) => ordersOf(n).slice(k, k + 4));
    expect(ordersOf(n)).toHaveLength(12);
    const key = (o: { action: string; symbol: string; quantity: number }) => `${o.action} ${o.symbol} ${o.quantity}`;
    const flip = (o: { action: string; symbol: string; quantity: number }) => ({
      ...o,
      action: o.action === "BUY" ? "SELL" : "BUY",
    });
    expect(exit.map(key).sort()).toEqual(first.map(flip).map(key).sort());
    expect(second.map(key).sort()).toEqual(first.map(key).sort());
    expect([...exit, ...second].every((o) => o.status === "complete")).toBe(true);
  }
}

describe("an entry waits for the exits of its accounts", () => {
  it("EXIT then ENTRY: the entry's run is created only once the exit is DONE; one entry's worth is left", async () => {
    const { url } = await setup();
    await enter(url, JSON.stringify({ action: "ENTRY", id: "first" }));
    const oneEntry = positions();
    const before = orderCount();
    lagBooks(true);
    const exit = await postAlert(url, "EXIT", { contentType: "text/plain" });
    expect(exit.json).toMatchObject({ status: "accepted", action: "EXIT", from: "LONG", to: "FLAT" });
    const exitId = (await processed(exit.json.signalId as string)).exitId!;
    await exitHeld(exitId, before);

    const entry = await postAlert(url, JSON.stringify({ action: "ENTRY", id: "second" }));
    expect(entry.json).toMatchObject({ status: "accepted", action: "ENTRY", from: "FLAT", to: "LONG" });
    const entryId = entry.json.signalId as string;
    await jobDelayed(entryId);
    // The handler has looked and chose to wait: no run, no order, the alert not handed on.
    expect(await db().strategyRun.findUnique({ where: { id: entry.json.runId as string } })).toBeNull();
    expect(orderCount()).toBe(before + 4 * INSTANCES.length);
    expect((await signalRow(entryId)).processedAt).toBeNull();

    lagBooks(false);
    const done = await waitForExit(exitId);
    expect(done.status).toBe("DONE");
    expect((await processed(entryId)).error).toBeNull();
    const run = await waitForRun(entry.json.runId as string);
    expect(run.status).toBe("COMPLETED");
    await expectPlannedAfter(run.id, done);
    await waitForIntents(run.id, (i) => i.state === "filled");
    expectOneEntryAfterExit(oneEntry);
  });

  it("ENTRY while a manual exit of the strategy (POST /api/exits) is working waits for it", async () => {
    const { url, user, strategy } = await setup({ pyramiding: true, maxEntries: 3 });
    await enter(url, JSON.stringify({ action: "ENTRY", id: "first" }));
    const oneEntry = positions();
    const before = orderCount();
    lagBooks(true);
    const res = await exitsRoute(
      jsonRequest("/api/exits", {
        body: { scope: "strategy", strategyId: strategy.id },
        cookie: await sessionCookie(user),
      }),
    );
    expect(res.status).toBeLessThan(300);
    const { exitId } = (await res.json()) as { exitId: string };
    await exitHeld(exitId, before);

    // The stored state still says long (the manual exit is in flight): a pyramid add, which must wait.
    const entry = await postAlert(url, JSON.stringify({ action: "ENTRY", id: "second" }));
    expect(entry.json).toMatchObject({ status: "accepted", action: "ENTRY", from: "LONG", to: "LONG" });
    await jobDelayed(entry.json.signalId as string);
    expect(await db().strategyRun.findUnique({ where: { id: entry.json.runId as string } })).toBeNull();

    lagBooks(false);
    const done = await waitForExit(exitId);
    expect(done.status).toBe("DONE");
    expect((await processed(entry.json.signalId as string)).error).toBeNull();
    const run = await waitForRun(entry.json.runId as string);
    await expectPlannedAfter(run.id, done);
    await waitForIntents(run.id, (i) => i.state === "filled");
    expectOneEntryAfterExit(oneEntry);
  });

  it("a waiting entry is superseded by a later EXIT: not sent, said on the alert, and the strategy ends flat", async () => {
    const { url } = await setup();
    await enter(url, JSON.stringify({ action: "ENTRY", id: "first" }));
    const before = orderCount();
    lagBooks(true);
    const exit = await postAlert(url, JSON.stringify({ action: "EXIT", id: "x1" }));
    const exitId = (await processed(exit.json.signalId as string)).exitId!;
    await exitHeld(exitId, before);
    const entry = await postAlert(url, JSON.stringify({ action: "ENTRY", id: "second" }));
    await jobDelayed(entry.json.signalId as string);
    const again = await postAlert(url, JSON.stringify({ action: "EXIT", id: "x2" }));
    expect(again.json).toMatchObject({ status: "accepted", from: "LONG", to: "FLAT" });
    const superseded = await processed(entry.json.signalId as string);
    expect(superseded.error).toMatch(/later exit alert/);
    expect((await processed(again.json.signalId as string)).exitId).toBe(exitId);

    lagBooks(false);
    expect((await waitForExit(exitId)).status).toBe("DONE");
    expect(await db().strategyRun.findUnique({ where: { id: entry.json.runId as string } })).toBeNull();
    expect(positions()).toEqual(INSTANCES.map(() => ({})));
    expect(orderCount()).toBe(before + 4 * INSTANCES.length);
  });
});
