import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { writeSignalStateIfUnchanged } from "@/lib/db/queries/webhooks";
import { inTransaction } from "@/lib/db/transaction";
import { requestExit } from "@/lib/services/exits";
import { ironCondor, startDispatchWorker, waitForRun } from "@/lib/testing/dispatch-kit";
import { runStrategy, startExitWorker, waitForExit } from "@/lib/testing/exits-kit";
import { startFillsWorker, waitForIntents } from "@/lib/testing/fills-kit";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { condorWithWebhook } from "@/lib/testing/webhook-kit";
import { reconcileSignalStates } from "./signal-state";

const INSTANCES = instanceConfigs(2, "ss");
const world = useIntegrationWorld(INSTANCES);

async function setup() {
  const { user, strategy, hookId } = await condorWithWebhook(world, INSTANCES);
  return { user, strategy, definition: ironCondor(), hookId };
}
const state = (id: string) =>
  db().strategyWebhook.findUniqueOrThrow({ where: { id }, select: { position: true, entries: true, updatedAt: true } });

describe("the signal-state sweep", () => {
  it("follows the ledger once nothing is in flight: a click's entry makes it long, a manual exit flat", async () => {
    const { user, strategy, definition, hookId } = await setup();
    world.stopAfterTest(await startDispatchWorker());
    world.stopAfterTest(await startFillsWorker());
    world.stopAfterTest(await startExitWorker());
    // Entered by a click, not by an alert: the stored state still says flat.
    const { runId } = await runStrategy(user.id, strategy.id, definition);
    await waitForRun(runId);
    await waitForIntents(runId, (i) => i.state === "filled");
    expect(await state(hookId)).toMatchObject({ position: "FLAT" });
    await reconcileSignalStates();
    expect(await state(hookId)).toMatchObject({ position: "LONG", entries: 1 });

    const { exitId } = await requestExit(user, { scope: "strategy", strategyId: strategy.id }, null);
    expect((await waitForExit(exitId)).status).toBe("DONE");
    await reconcileSignalStates();
    expect(await state(hookId)).toMatchObject({ position: "FLAT", entries: 0 });
  });

  it("leaves the state alone while an accepted alert is not handed on, or when an alert changed it meanwhile", async () => {
    const { strategy, user, hookId } = await setup();
    await db().strategyWebhook.update({ where: { id: hookId }, data: { position: "LONG", entries: 1 } });
    await db().signal.create({
      data: {
        id: crypto.randomUUID(),
        webhookId: hookId,
        strategyId: strategy.id,
        ownerId: user.id,
        ip: "unknown",
        contentType: "text/plain",
        body: "ENTRY",
        bodyHash: "x",
        verdict: "ACCEPTED",
        status: 202,
        reason: "Entry: flat → long",
      },
    });
    expect(await reconcileSignalStates()).toBe(0);
    expect(await state(hookId)).toMatchObject({ position: "LONG" });

    await db().signal.updateMany({ where: { strategyId: strategy.id }, data: { processedAt: new Date() } });
    const before = await state(hookId);
    // An alert wrote the state after the sweep read it: the sweep's write must not land.
    await db().strategyWebhook.update({ where: { id: hookId }, data: { entries: 2 } });
    const wrote = await inTransaction((tx) =>
      writeSignalStateIfUnchanged(tx, hookId, before.updatedAt, { position: "FLAT", entries: 0 }),
    );
    expect(wrote).toBe(false);
    expect(await state(hookId)).toMatchObject({ position: "LONG", entries: 2 });
    // Nothing open and nothing in flight: the next sweep puts it flat.
    expect(await reconcileSignalStates()).toBe(1);
    expect(await state(hookId)).toMatchObject({ position: "FLAT", entries: 0 });
  });
});
