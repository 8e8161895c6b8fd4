import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { jsonRequest, makeUser, paramsOf, sessionCookie } from "@/lib/testing/fixtures";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import type { StrategyDefinition } from "@/lib/trading/strategy";
import { GET as runsRoute } from "@/app/api/runs/route";
import { GET as runRoute } from "@/app/api/runs/[id]/route";
import { cancelRunOrders } from "./actions";
import { ironCondor, linkAccounts, startDispatchWorker, startRun, waitForRun } from "@/lib/testing/dispatch-kit";
import { syncAccountFills } from "@/lib/services/fills";

const instances = instanceConfigs(2, "rs");
const world = useIntegrationWorld(instances);

/** Limit prices far from the market: the broker accepts every order and it rests, unfilled. */
function restingCondor(): StrategyDefinition {
  const base = ironCondor();
  return {
    ...base,
    legs: base.legs.map((l) => ({
      ...l,
      orderType: { kind: "LIMIT", price: new Decimal(l.action === "BUY" ? "0.05" : "9000") },
    })),
  };
}

async function shown(cookie: string, runId: string) {
  const one = (await (await runRoute(jsonRequest("/x", { cookie }), paramsOf({ id: runId }))).json()).run;
  const list = (await (await runsRoute(jsonRequest("/api/runs", { cookie }))).json()).runs.find(
    (r: { id: string }) => r.id === runId,
  );
  return [one.status, one.displayStatus, list.status, list.displayStatus];
}

describe("run status shown to a person", () => {
  it("stays working while accepted orders rest unfilled, and is shown cancelled once they all are, nothing filled", async () => {
    world.stopAfterTest(await startDispatchWorker({ reconcileWindowMs: 1_000, pollIntervalMs: 100 }));
    const trader = await makeUser("TRADER");
    const cookie = await sessionCookie(trader);
    await linkAccounts(world.sim, trader, instances);
    const { runId } = await startRun(trader.id, restingCondor());
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    expect(instances.flatMap((i) => world.sim.broker.receivedOrders(i.id)).map((o) => o.status)).toEqual(
      Array(8).fill("open"),
    );
    // Dispatch is done (every order acknowledged), but 0 of 8 orders filled: the run is shown working.
    expect(await shown(cookie, runId)).toEqual(["COMPLETED", "WORKING", "COMPLETED", "WORKING"]);
    expect(await cancelRunOrders(trader, runId)).toEqual({ cancelled: 8, failed: [] });
    // Dispatch still says COMPLETED (every slice was accepted), but nothing traded: a person is told "cancelled".
    expect(await shown(cookie, runId)).toEqual(["COMPLETED", "CANCELLED", "COMPLETED", "CANCELLED"]);
  });

  it("a run of market orders is working until their fills are recorded, then completed", async () => {
    world.stopAfterTest(await startDispatchWorker({ reconcileWindowMs: 1_000, pollIntervalMs: 100 }));
    const trader = await makeUser("TRADER");
    const cookie = await sessionCookie(trader);
    const accounts = await linkAccounts(world.sim, trader, instances);
    const { runId } = await startRun(trader.id);
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    const states = async () => (await db().orderIntent.findMany({ where: { runId } })).map((i) => i.state).sort();
    expect(await states()).toEqual(Array(8).fill("accepted"));
    expect(await shown(cookie, runId)).toEqual(["COMPLETED", "WORKING", "COMPLETED", "WORKING"]);
    for (const a of accounts) await syncAccountFills(a.id);
    expect(await states()).toEqual(Array(8).fill("filled"));
    expect(await shown(cookie, runId)).toEqual(["COMPLETED", "COMPLETED", "COMPLETED", "COMPLETED"]);
  });
});
