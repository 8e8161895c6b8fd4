import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { makeCopyGroup, masterPlace } from "@/lib/testing/copy-kit";
import { startCopyWorker } from "@/lib/testing/copy-engine-kit";
import { linkAccounts, startDispatchWorker } from "@/lib/testing/dispatch-kit";
import { startFillsWorker, waitForIntents } from "@/lib/testing/fills-kit";
import { jsonRequest, makeUser, paramsOf, sessionCookie } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";
import { GET as driftRoute } from "@/app/api/copy-groups/[id]/drift/route";
import { POST as syncRoute } from "@/app/api/copy-groups/[id]/sync/route";
import { createRun } from "@/lib/services/runs";
import type { DriftBoardJson } from "./types";

const FAST = { reconcileWindowMs: 1_000, pollIntervalMs: 100, refusedBackoffMs: 50 };
const LOT = 65;
const CE = "NIFTY08DEC2624500CE";
const [MASTER, CHILD] = instanceConfigs(2, "cps");
const world = useIntegrationWorld([MASTER, CHILD]);

const childOrders = () => world.sim.broker.receivedOrders(CHILD.id).map((o) => `${o.action} ${o.quantity}`);

describe("drift board and sync now", () => {
  it("a child paused through a fill drifts; sync now brings it to its share", async () => {
    const trader = await makeUser("TRADER");
    const [master, child] = await linkAccounts(world.sim, trader, [MASTER, CHILD]);
    const groupId = await makeCopyGroup(trader, master.id, [{ accountId: child.id, multiplier: "2", enabled: false }]);
    world.stopAfterTest(await startDispatchWorker(FAST));
    world.stopAfterTest(await startFillsWorker());
    world.stopAfterTest(await startCopyWorker());
    await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: LOT });
    const [event] = await waitFor(
      "the fill recorded",
      () => db().copyEvent.findMany({ where: { groupId } }),
      (e) => e.length === 1 && e[0].status !== "PENDING",
    );
    expect(event).toMatchObject({ status: "SKIPPED", reason: "child paused" });
    expect(childOrders()).toEqual([]);
    await db().copyChild.update({
      where: { groupId_accountId: { groupId, accountId: child.id } },
      data: { enabled: true },
    });

    const cookie = await sessionCookie(trader);
    const url = `/api/copy-groups/${groupId}`;
    const board = async () =>
      (await (
        await driftRoute(jsonRequest(`${url}/drift`, { cookie }), paramsOf({ id: groupId }))
      ).json()) as DriftBoardJson;
    expect((await board()).rows).toMatchObject([
      {
        symbol: CE,
        masterQty: LOT,
        children: [{ expectedQty: 2 * LOT, actualQty: 0, workingQty: 0, driftQty: 2 * LOT, state: "drift" }],
      },
    ]);

    const res = await syncRoute(
      jsonRequest(`${url}/sync`, { body: { accountId: child.id }, cookie }),
      paramsOf({ id: groupId }),
    );
    expect(res.status).toBe(200);
    const { eventId, runId } = (await res.json()) as { eventId: string; runId: string };
    expect(runId).toBeTruthy();
    await waitForIntents(runId, (i) => i.state === "filled");
    expect(childOrders()).toEqual(["BUY 130"]);
    expect((await db().copyEvent.findUniqueOrThrow({ where: { id: eventId } })).status).toBe("SENT");
    expect((await board()).rows[0].children[0]).toMatchObject({ actualQty: 2 * LOT, driftQty: 0, state: "ok" });
    expect(await db().auditLog.count({ where: { action: "copy.sync", entityId: groupId } })).toBe(1);
    // At its share: a second sync is refused, naming why.
    const again = await syncRoute(
      jsonRequest(`${url}/sync`, { body: { accountId: child.id }, cookie }),
      paramsOf({ id: groupId }),
    );
    expect(again.status).toBe(409);
  });

  it("MirrorDesk's own order in the master (a run into the master account) is recorded as own, never copied", async () => {
    const trader = await makeUser("TRADER");
    const [master, child] = await linkAccounts(world.sim, trader, [MASTER, CHILD]);
    const groupId = await makeCopyGroup(trader, master.id, [{ accountId: child.id }]);
    world.stopAfterTest(await startDispatchWorker(FAST));
    world.stopAfterTest(await startCopyWorker());
    const { runId } = await createRun({
      ownerId: trader.id,
      strategyId: null,
      kind: "TICKET",
      idempotencyKey: "own-order",
      triggeredAt: new Date(),
      preview: {
        legs: [],
        conditions: {},
        totals: {
          accounts: 1,
          accountsPlanned: 1,
          accountsSkipped: 0,
          orders: 1,
          quantity: LOT,
          marginNeeded: new Decimal(0),
        },
        accounts: [
          {
            status: "planned",
            accountId: master.id,
            accountName: "master",
            marginSource: "available",
            marginAvailable: new Decimal(0),
            marginNeeded: new Decimal(0),
            warnings: [],
            legs: [
              {
                legIndex: 0,
                symbol: CE,
                exchange: "NFO",
                action: "BUY",
                product: "NRML",
                priceType: "MARKET",
                price: null,
                phase: 1,
                lots: 1,
                lotSize: LOT,
                quantity: LOT,
                slices: [LOT],
                marginKind: "option_buy",
                marginNeeded: null,
                marginAvailable: null,
                warnings: [],
              },
            ],
          },
        ],
      },
    });
    await waitForIntents(runId, (i) => i.state === "accepted" || i.state === "filled");
    const [row] = await waitFor(
      "the master order recorded",
      () => db().copyMasterOrder.findMany({ where: { groupId } }),
      (r) => r.length === 1,
    );
    expect(row.ignoredReason).toBe("own");
    expect(await db().copyEvent.count({ where: { groupId } })).toBe(0);
    expect(childOrders()).toEqual([]);
  });
});
