import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { findScanGroup } from "@/lib/db/queries/copy-engine";
import { listPendingEvents, markEventsSent } from "@/lib/db/queries/copy-events";
import { createRun } from "@/lib/services/runs";
import { makeCopyGroup, masterPlace } from "@/lib/testing/copy-kit";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { runTotals } from "@/lib/trading/plan";
import { handOnEvents } from "./hand-on";
import { detectAndRecord } from "./record";

const [MASTER, CHILD] = instanceConfigs(2, "cho");
const world = useIntegrationWorld([MASTER, CHILD]);

describe("copy hand-on: exactly once", () => {
  it("a second hand-on working from a stale list of pending events creates no run for events already sent", async () => {
    const trader = await makeUser("TRADER");
    const [master, child] = await linkAccounts(world.sim, trader, [MASTER, CHILD]);
    const groupId = await makeCopyGroup(trader, master.id, [{ accountId: child.id }]);
    await masterPlace(world.sim, MASTER, {
      symbol: "NIFTY08DEC2624500CE",
      exchange: "NFO",
      action: "BUY",
      quantity: 65,
    });
    const group = (await findScanGroup(groupId))!;
    expect(await detectAndRecord(group, "poll")).toMatchObject({ events: 1 });
    // Another worker read the same pending event before this hand-on sent it.
    const stale = await listPendingEvents(groupId);
    const first = await handOnEvents(group);
    expect(first).toMatchObject({ sent: 1 });

    const runId = randomUUID();
    await expect(
      createRun({
        runId,
        ownerId: trader.id,
        strategyId: null,
        kind: "COPY",
        idempotencyKey: `copy:${groupId}:${runId}`,
        triggeredAt: new Date(),
        preview: { legs: [], conditions: {}, accounts: [], totals: runTotals([]) },
        copyGroupId: groupId,
        andThen: (tx) => markEventsSent(tx, runId, [{ id: stale[0].id, legIndex: 0, children: stale[0].children }]),
      }),
    ).rejects.toThrow(/already handed on/);
    expect(await db().strategyRun.findMany({ where: { copyGroupId: groupId }, select: { id: true } })).toEqual([
      { id: first.runId },
    ]);
  });
});
