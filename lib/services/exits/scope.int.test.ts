import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, jsonRequest, makeUser, resetState, sessionCookie } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { GET as exitsGet } from "@/app/api/exits/route";
import { POST as killPost } from "@/app/api/kill-switch/route";
import { ironCondor, linkAccounts, startDispatchWorker, startRun, waitForRun } from "@/lib/testing/dispatch-kit";
import { startExitWorker, waitForExit } from "@/lib/testing/exits-kit";

const FAST = { reconcileWindowMs: 1_000, pollIntervalMs: 100, refusedBackoffMs: 50 };
const INSTANCES = instanceConfigs(2, "xs").map((c) => ({ ...c, showStrategy: true }));
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

describe("a global kill switch seen by each owner", () => {
  it("lists only the caller's own EXIT run ids of the global exit; an admin sees every one", async () => {
    const [alice, bob, admin] = [await makeUser("TRADER"), await makeUser("TRADER"), await makeUser("ADMIN")];
    await linkAccounts(sim, alice, [INSTANCES[0]]);
    await linkAccounts(sim, bob, [INSTANCES[1]]);
    for (const owner of [alice, bob])
      expect((await waitForRun((await startRun(owner.id, ironCondor())).runId)).status).toBe("COMPLETED");

    const engaged = await killPost(
      jsonRequest("/api/kill-switch", { body: { action: "engage", scope: "all" }, cookie: await sessionCookie(admin) }),
    );
    expect(engaged.status).toBe(200);
    const { exitId } = await engaged.json();
    expect((await waitForExit(exitId)).status).toBe("DONE");

    const exitRuns = await db().strategyRun.findMany({ where: { kind: "EXIT" }, select: { id: true, ownerId: true } });
    const own = (ownerId: string) =>
      exitRuns
        .filter((r) => r.ownerId === ownerId)
        .map((r) => r.id)
        .sort();
    expect(own(alice.id)).toHaveLength(1);
    expect(own(bob.id)).toHaveLength(1);

    const seenBy = async (user: { id: string; sessionVersion: number }) => {
      const res = await exitsGet(jsonRequest("/api/exits", { cookie: await sessionCookie(user) }));
      expect(res.status).toBe(200);
      const global = ((await res.json()).exits as { id: string; runIds: string[] }[]).find((e) => e.id === exitId);
      return [...global!.runIds].sort();
    };
    expect(await seenBy(alice)).toEqual(own(alice.id));
    expect(await seenBy(bob)).toEqual(own(bob.id));
    expect(await seenBy(admin)).toEqual(exitRuns.map((r) => r.id).sort());
  });
});
