import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { makeCopyGroup } from "@/lib/testing/copy-kit";
import { FAST_DISPATCH } from "@/lib/testing/copy-engine-kit";
import { ironCondor, linkAccounts, startDispatchWorker, startRun, waitForRun } from "@/lib/testing/dispatch-kit";
import { startCountingRelay } from "@/lib/testing/fills-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";
import { scanGroup } from "./engine";

const [MASTER, CHILD] = instanceConfigs(2, "cow");
const world = useIntegrationWorld([MASTER, CHILD]);

describe("copy engine: MirrorDesk's own orders in the master are never copied", () => {
  it("an own order placed while a scan waits on the master's order book is recognised as own", async () => {
    const relay = world.stopAfterTest(await startCountingRelay(world.sim.httpUrl));
    const trader = await makeUser("TRADER");
    const [master] = await linkAccounts({ ...world.sim, httpUrl: relay.url }, trader, [MASTER]);
    const [child] = await linkAccounts(world.sim, trader, [CHILD]);
    await db().tradingAccount.update({ where: { id: child.id }, data: { active: false } });
    const groupId = await makeCopyGroup(trader, master.id, [{ accountId: child.id }]);
    world.stopAfterTest(await startDispatchWorker(FAST_DISPATCH));

    // A scan asks for the master's book; the broker answers only after a strategy's order went into the master.
    relay.hold(MASTER.id, "orderbook");
    const scan = scanGroup(groupId, "poll");
    await waitFor(
      "the scan reading the book",
      async () => relay.held(MASTER.id, "orderbook"),
      (n) => n === 1,
    );
    const condor = ironCondor(1);
    const { runId } = await startRun(trader.id, { ...condor, legs: [condor.legs[1]] });
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    const [intent] = await db().orderIntent.findMany({ where: { runId } });
    relay.release();
    await scan;

    const row = await db().copyMasterOrder.findUniqueOrThrow({
      where: { groupId_masterOrderId: { groupId, masterOrderId: intent.brokerOrderId! } },
    });
    expect(row.ignoredReason).toBe("own");
    expect(await db().copyEvent.count({ where: { groupId } })).toBe(0);
  });
});
