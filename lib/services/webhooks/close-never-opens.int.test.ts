/**
 * "A close can never open the opposite side", end to end: a long-only webhook fed OpenAlgo's strategy message, whose
 * SELL means exit in LONG mode, exits once and then answers "already flat"; the simulator never sees a short.
 */
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { ironCondor, linkAccounts, startDispatchWorker, waitForRun } from "@/lib/testing/dispatch-kit";
import { makeStrategy, signFlips, simPositions, startExitWorker, waitForExit } from "@/lib/testing/exits-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { startFillsWorker, waitForIntents } from "@/lib/testing/fills-kit";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";
import { makeWebhook, postAlert, startHookServer, startSignalWorker } from "@/lib/testing/webhook-kit";

const INSTANCES = instanceConfigs(2, "cn");
const world = useIntegrationWorld(INSTANCES);

const processed = (id: string) =>
  waitFor(
    `signal ${id} handed on`,
    () => db().signal.findUniqueOrThrow({ where: { id } }),
    (s) => s.processedAt !== null,
  );
/** OpenAlgo's strategy message; distinct ids, so the second SELL is decided again rather than a duplicate. */
const openalgo = (action: "BUY" | "SELL", id: string) => JSON.stringify({ symbol: "NIFTY", action, id });

describe("a close never opens the opposite side", () => {
  it("LONG mode: BUY enters; SELL exits; SELL again is 'already flat'; flat at the broker, never short", async () => {
    const user = await makeUser("TRADER");
    await linkAccounts(world.sim, user, INSTANCES);
    const strategy = await makeStrategy(user, ironCondor());
    const hook = await makeWebhook({ id: strategy.id, ownerId: user.id }, { mode: "LONG" });
    for (const w of [startDispatchWorker(), startExitWorker(), startSignalWorker(), startFillsWorker()])
      world.stopAfterTest(await w);
    const url = world.stopAfterTest(await startHookServer()).url(hook.token);

    const buy = await postAlert(url, openalgo("BUY", "b1"));
    expect(buy.json).toMatchObject({ status: "accepted", action: "ENTRY", from: "FLAT", to: "LONG" });
    await processed(buy.json.signalId as string);
    await waitForIntents((await waitForRun(buy.json.runId as string)).id, (i) => i.state === "filled");
    const held = INSTANCES.map((i) => simPositions(world.sim, i.id));
    for (const h of held) expect(h.size).toBe(4);

    const sell = await postAlert(url, openalgo("SELL", "s1"), { contentType: "text/plain" });
    expect(sell.json).toMatchObject({ status: "accepted", action: "EXIT", from: "LONG", to: "FLAT", runId: null });
    const exitId = (await processed(sell.json.signalId as string)).exitId!;
    expect((await waitForExit(exitId)).status).toBe("DONE");
    const again = await postAlert(url, openalgo("SELL", "s2"));
    expect(again).toMatchObject({ status: 200, json: { status: "ignored", message: expect.stringMatching(/flat/) } });

    for (const [n, i] of INSTANCES.entries()) {
      expect(simPositions(world.sim, i.id).size).toBe(0);
      // Replaying every exit order over the held position: no contract ever crossed zero.
      expect(signFlips(world.sim, i.id, held[n], 4)).toBe(0);
      expect(world.sim.broker.receivedOrders(i.id)).toHaveLength(8);
    }
    expect(await db().exit.count({ where: { strategyId: strategy.id } })).toBe(1);
    expect(await db().strategyRun.count({ where: { strategyId: strategy.id, kind: { not: "EXIT" } } })).toBe(1);
  });
});
