/**
 * Accepted alerts whose job was lost: the sweep hands them on exactly once, or gives up on them visibly after its
 * bound; and handling one alert twice never creates two runs or two exits.
 */
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { queue } from "@/lib/queues/queues";
import { SIGNALS_QUEUE } from "@/lib/queues/signals";
import { waitForRun } from "@/lib/testing/dispatch-kit";
import { simPositions, waitForExit } from "@/lib/testing/exits-kit";
import { waitForIntents } from "@/lib/testing/fills-kit";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";
import { condorWithWebhook, postAlert, startAlertPipeline, startSignalWorker } from "@/lib/testing/webhook-kit";
import { handleSignal } from "./handle-signal";
import { recoverSignals, SIGNAL_GIVE_UP_MS, SIGNAL_RECOVER_AFTER_MS } from "./signal-recovery";
import { reconcileSignalStates } from "./signal-state";

const INSTANCES = instanceConfigs(1, "sr");
const world = useIntegrationWorld(INSTANCES);

async function setup() {
  const { user, strategy, token } = await condorWithWebhook(world, INSTANCES);
  return { user, strategy, url: (await startAlertPipeline(world, { signals: false })).url(token) };
}

/** Posts an alert while no signal worker runs, then loses its job (as a Redis flush or a failed enqueue would). */
async function acceptedWithoutJob(url: string, body: string, ageMs: number) {
  const res = await postAlert(url, body);
  expect(res.status).toBe(202);
  const id = res.json.signalId as string;
  await queue(SIGNALS_QUEUE).remove(id);
  expect(await queue(SIGNALS_QUEUE).getJob(id)).toBeUndefined();
  await db().signal.update({ where: { id }, data: { receivedAt: new Date(Date.now() - ageMs) } });
  return res.json as { signalId: string; runId: string | null };
}

const processed = (id: string) =>
  waitFor(
    `signal ${id} handed on`,
    () => db().signal.findUniqueOrThrow({ where: { id } }),
    (s) => s.processedAt !== null,
  );
const orders = () => world.sim.broker.receivedOrders(INSTANCES[0].id);

describe("recovering accepted alerts whose job was lost", () => {
  it("the sweep re-queues an accepted alert with no job; it is handled exactly once", async () => {
    const { url } = await setup();
    const young = await acceptedWithoutJob(url, JSON.stringify({ action: "ENTRY", id: "young" }), 0);
    world.stopAfterTest(await startSignalWorker());
    // Younger than the recovery age: left alone (its job may just be slow).
    expect(await recoverSignals(new Date())).toEqual({ requeued: [], abandoned: [] });
    const swept = await recoverSignals(new Date(Date.now() + SIGNAL_RECOVER_AFTER_MS + 1_000));
    expect(swept).toEqual({ requeued: [young.signalId], abandoned: [] });
    expect((await processed(young.signalId)).error).toBeNull();
    const run = await waitForRun(young.runId!);
    expect(run.status).toBe("COMPLETED");
    await waitForIntents(run.id, (i) => i.state === "filled");
    // Sweeping again, or a late duplicate job, does nothing more.
    expect(await recoverSignals(new Date(Date.now() + SIGNAL_RECOVER_AFTER_MS + 1_000))).toEqual({
      requeued: [],
      abandoned: [],
    });
    expect(await handleSignal(young.signalId)).toEqual({ state: "skipped" });
    expect(await db().strategyRun.count()).toBe(1);
    expect(orders()).toHaveLength(4);
  });

  it("past the bound the alert is given up: marked with the reason, the owner alerted, the state unfrozen", async () => {
    const { url, user } = await setup();
    const lost = await acceptedWithoutJob(url, JSON.stringify({ action: "ENTRY" }), SIGNAL_GIVE_UP_MS + 60_000);
    expect(await recoverSignals(new Date())).toEqual({ requeued: [], abandoned: [lost.signalId] });
    const row = await db().signal.findUniqueOrThrow({ where: { id: lost.signalId } });
    expect(row.processedAt).not.toBeNull();
    expect(row.error).toMatch(/within 15 minutes/);
    const alert = await db().alert.findFirstOrThrow({ where: { ownerId: user.id, kind: "signal_failed" } });
    expect(alert.message).toMatch(/did not trade/);
    expect(await db().strategyRun.count()).toBe(0);
    // Nothing is in flight any more: the state sweep re-derives it from the (flat) ledger, not the stored "long".
    expect(await reconcileSignalStates()).toBe(1);
    const next = await postAlert(url, JSON.stringify({ action: "ENTRY", id: "after" }));
    expect(next.json).toMatchObject({ status: "accepted", from: "FLAT", to: "LONG" });
    expect(orders()).toHaveLength(0);
  });
});

describe("handling an alert twice", () => {
  it("never creates two runs or two exits, at once or after a crash before it was marked handled", async () => {
    const { url, strategy } = await setup();
    const entry = await acceptedWithoutJob(url, JSON.stringify({ action: "ENTRY", id: "e" }), 0);
    const [a, b] = await Promise.all([handleSignal(entry.signalId), handleSignal(entry.signalId)]);
    // Both may act (the second may start before the first marks the alert): they meet on the same run.
    for (const o of [a, b]) if (o.state !== "skipped") expect(o).toMatchObject({ state: "done", runId: entry.runId });
    // As if the worker died after creating the run, before marking the alert handled.
    await db().signal.update({ where: { id: entry.signalId }, data: { processedAt: null } });
    expect(await handleSignal(entry.signalId)).toMatchObject({ state: "done", runId: entry.runId });
    expect(await db().strategyRun.count()).toBe(1);
    await waitForIntents((await waitForRun(entry.runId!)).id, (i) => i.state === "filled");
    const held = simPositions(world.sim, INSTANCES[0].id);
    expect(held.size).toBe(4);

    const exit = await acceptedWithoutJob(url, JSON.stringify({ action: "EXIT", id: "x" }), 0);
    const outcomes = await Promise.all([handleSignal(exit.signalId), handleSignal(exit.signalId)]);
    const exitIds = outcomes.flatMap((o) => (o.state === "done" ? [o.exitId] : []));
    expect(new Set(exitIds).size).toBe(1);
    await db().signal.update({ where: { id: exit.signalId }, data: { processedAt: null } });
    expect(await handleSignal(exit.signalId)).toMatchObject({ state: "done", exitId: exitIds[0] });
    expect((await waitForExit(exitIds[0]!)).status).toBe("DONE");
    expect(await db().exit.count({ where: { strategyId: strategy.id } })).toBe(1);
    expect(simPositions(world.sim, INSTANCES[0].id).size).toBe(0);
    expect(orders()).toHaveLength(8);
  });
});
