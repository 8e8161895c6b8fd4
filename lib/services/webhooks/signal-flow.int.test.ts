import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { waitForRun } from "@/lib/testing/dispatch-kit";
import { simPositions, waitForExit } from "@/lib/testing/exits-kit";
import { waitForIntents } from "@/lib/testing/fills-kit";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";
import { condorWithWebhook, postAlert, startAlertPipeline, type WebhookOptions } from "@/lib/testing/webhook-kit";

const INSTANCES = instanceConfigs(2, "sf");
const world = useIntegrationWorld(INSTANCES);

async function setup(opts: WebhookOptions = {}) {
  const { user, strategy, token } = await condorWithWebhook(world, INSTANCES, opts);
  return { user, strategy, url: (await startAlertPipeline(world)).url(token) };
}

const processed = (signalId: string) =>
  waitFor(
    `signal ${signalId} handed on`,
    () => db().signal.findUniqueOrThrow({ where: { id: signalId } }),
    (s) => s.processedAt !== null,
  );
const orders = () => INSTANCES.reduce((n, i) => n + world.sim.broker.receivedOrders(i.id).length, 0);
/** Each instance's open positions (signed units: negative = short). */
const sides = () => INSTANCES.map((i) => [...simPositions(world.sim, i.id).values()]);

async function enter(url: string, body: string, contentType = "application/json") {
  const res = await postAlert(url, body, { contentType });
  expect(res.status).toBe(202);
  const signal = await processed(res.json.signalId as string);
  expect(signal.error).toBeNull();
  const run = await waitForRun(res.json.runId as string);
  expect(run.status).toBe("COMPLETED");
  await waitForIntents(run.id, (i) => i.state === "filled");
  return res;
}

describe("what the workers do", () => {
  it("ENTRY fills in every account; ENTRY again is ignored; EXIT flattens; EXIT when flat is ignored", async () => {
    const { url } = await setup();
    await enter(url, JSON.stringify({ action: "ENTRY" }));
    for (const i of INSTANCES) expect(simPositions(world.sim, i.id).size).toBe(4);
    const sent = orders();
    const again = await postAlert(url, "ENTRY", { contentType: "text/plain; charset=utf-8" });
    expect(again).toMatchObject({ status: 200, json: { status: "ignored" } });
    const exit = await postAlert(url, "EXIT", { contentType: "text/plain" });
    expect(exit.status).toBe(202);
    expect(exit.json).toMatchObject({ action: "EXIT", from: "LONG", to: "FLAT", runId: null });
    const s = await processed(exit.json.signalId as string);
    expect(s.exitId).not.toBeNull();
    expect((await waitForExit(s.exitId!)).status).toBe("DONE");
    for (const i of INSTANCES) expect(simPositions(world.sim, i.id).size).toBe(0);
    const flat = await postAlert(url, JSON.stringify({ action: "EXIT" }));
    expect(flat).toMatchObject({ status: 200, json: { status: "ignored", message: expect.stringMatching(/flat/) } });
    expect(orders()).toBeGreaterThan(sent);
    const afterExit = orders();
    await postAlert(url, JSON.stringify({ action: "EXIT", id: "x2" }));
    expect(orders()).toBe(afterExit);
  });

  it("REVERSE exits first, then enters with every leg reversed", async () => {
    const { url } = await setup({ mode: "BOTH" });
    await enter(url, JSON.stringify({ action: "ENTRY", position: "long" }));
    const before = sides();
    const rev = await postAlert(url, JSON.stringify({ action: "REVERSE" }));
    expect(rev.json).toMatchObject({ status: "accepted", action: "REVERSE", from: "LONG", to: "SHORT" });
    const s = await processed(rev.json.signalId as string);
    expect(s.error).toBeNull();
    expect((await db().exit.findUniqueOrThrow({ where: { id: s.exitId! } })).status).toBe("DONE");
    expect((await waitForRun(rev.json.runId as string)).status).toBe("COMPLETED");
    const after = sides();
    for (const [n, held] of after.entries()) {
      expect(held.length).toBe(4);
      expect([...held].sort((a, b) => a - b)).toEqual(before[n].map((q) => -q).sort((a, b) => a - b));
    }
  });

  it("pyramiding adds entries up to the cap, with the lots multiplier", async () => {
    const { url } = await setup({ pyramiding: true, maxEntries: 2 });
    await enter(url, JSON.stringify({ action: "ENTRY", id: "p1" }));
    const second = await enter(url, JSON.stringify({ action: "ENTRY", id: "p2", lots_multiplier: 2 }));
    expect(second.json).toMatchObject({ from: "LONG", to: "LONG" });
    const intents = await db().orderIntent.findMany({ where: { runId: second.json.runId as string } });
    expect(new Set(intents.map((i) => i.quantity))).toEqual(new Set([130]));
    const third = await postAlert(url, JSON.stringify({ action: "ENTRY", id: "p3" }));
    expect(third).toMatchObject({ status: 200, json: { status: "ignored" } });
  });
});
