import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { openAlerts } from "@/lib/services/alerts";
import {
  ironCondor,
  linkAccounts,
  ordersByTag,
  startDispatchWorker,
  startRun,
  waitForRun,
} from "@/lib/testing/dispatch-kit";
import { waitUntil } from "@/lib/testing/wait";
import { DEFAULT_DISPATCH_OPTIONS } from "./options";
import { recoverInFlight } from ".";

const instances = instanceConfigs(2, "exp");
let sim: RunningSimulator;
let worker: Awaited<ReturnType<typeof startDispatchWorker>> | undefined;

beforeAll(async () => {
  sim = await startSim(instances);
});
beforeEach(resetState);
afterEach(async () => {
  await worker?.close();
  worker = undefined;
  sim.broker.reset();
});
afterAll(async () => {
  await sim.close();
  await closeConnections();
});

describe("dispatch of slices planned long ago", () => {
  it("a run recovered after the maximum age sends nothing: its slices expire, with an alert and an audit entry; a fresh run goes out", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(sim, trader, instances);
    // Planned while no worker ran (the worker was down), and found by recovery six minutes later.
    const { runId } = await startRun(trader.id);
    const plannedAt = new Date(Date.now() - DEFAULT_DISPATCH_OPTIONS.maxIntentAgeMs - 60_000);
    await db().strategyRun.update({ where: { id: runId }, data: { triggeredAt: plannedAt } });
    worker = await startDispatchWorker({ reconcileWindowMs: 300, pollIntervalMs: 50 });
    await recoverInFlight(worker.workerId);
    const run = await waitForRun(runId);

    expect(run.status).toBe("FAILED");
    expect(
      ordersByTag(
        sim,
        instances.map((i) => i.id),
      ).size,
    ).toBe(0);
    const intents = await db().orderIntent.findMany({ where: { runId } });
    expect(intents).toHaveLength(8);
    expect(intents.map((i) => i.state)).toEqual(Array(8).fill("skipped"));
    expect(
      intents.every((i) =>
        /^not sent: expired: planned at \d{4}-\d\d-\d\d \d\d:\d\d IST, more than 300 s before it could be sent$/.test(
          i.reason ?? "",
        ),
      ),
    ).toBe(true);
    // Each account reports its expired slices just after skipping them, so the run can turn terminal (from the other
    // account's dispatch) a moment before the last report is written: wait for both reports.
    const countReports = () => db().auditLog.count({ where: { action: "run.intents_expired", entityId: runId } });
    await waitUntil(async () => (await countReports()) >= 2, 60_000, "both accounts' expiry reports");
    const alerts = (await openAlerts(trader)).filter((a) => a.kind === "intents_expired");
    expect(alerts).toHaveLength(2);
    expect(
      alerts.every(
        (a) =>
          a.severity === "WARNING" && /^4 order slice\(s\) of a run planned at .* IST were not sent/.test(a.message),
      ),
    ).toBe(true);
    const audits = await db().auditLog.findMany({ where: { action: "run.intents_expired", entityId: runId } });
    expect(audits).toHaveLength(2);
    expect(audits.map((a) => (a.details as { intents: string[] }).intents.length)).toEqual([4, 4]);

    const fresh = await startRun(trader.id, ironCondor());
    expect((await waitForRun(fresh.runId)).status).toBe("COMPLETED");
    expect(
      ordersByTag(
        sim,
        instances.map((i) => i.id),
      ).size,
    ).toBe(8);
  });
});
