import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { KillSwitchError } from "@/lib/errors";
import { engageKillSwitch, rearmKillSwitch } from "@/lib/services/kill-switch";
import { makeCopyGroup, masterPlace } from "@/lib/testing/copy-kit";
import { startCopyPipeline } from "@/lib/testing/copy-engine-kit";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { simPositions, startExitWorker, waitForExit } from "@/lib/testing/exits-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";
import type { InstanceConfig } from "@/lib/simulator/types";
import { alertDrift } from "./alerts";
import { copyDriftBoard, copyLog, setCopyGroupPaused } from ".";

const LOT = 65;
const CE = "NIFTY08DEC2624500CE";
const [MASTER, ...CHILDREN] = instanceConfigs(3, "cpt");
const world = useIntegrationWorld([MASTER, ...CHILDREN]);

const childOrders = (inst: InstanceConfig) =>
  world.sim.broker.receivedOrders(inst.id).map((o) => `${o.product} ${o.action} ${o.quantity}`);
/** The simulator's net position of the instance in CE (NRML), units. */
const held = (inst: InstanceConfig) =>
  [...simPositions(world.sim, inst.id)].filter(([k]) => k.includes(CE)).reduce((n, [, q]) => n + q, 0);

/** A drift row's children in the order the test made them (the group lists them by creation, then account id). */
const inOrder = <T extends { accountId: string }>(children: T[], accounts: { id: string }[]) =>
  accounts.slice(1).map((a) => children.find((c) => c.accountId === a.id)!);

async function setup(mode: "FILLS" | "ORDERS", multipliers: string[]) {
  const trader = await makeUser("TRADER");
  const accounts = await linkAccounts(world.sim, trader, [MASTER, ...CHILDREN]);
  const groupId = await makeCopyGroup(
    trader,
    accounts[0].id,
    multipliers.map((multiplier, i) => ({ accountId: accounts[i + 1].id, multiplier })),
    { mode },
  );
  return { trader, accounts, groupId };
}

/** The group's events settled (none PENDING) and its children's copies acknowledged and filled. */
async function settled(groupId: string, events: number) {
  await waitFor(
    `${events} events handed on`,
    () => db().copyEvent.findMany({ where: { groupId } }),
    (e) => e.length === events && e.every((x) => x.status !== "PENDING"),
  );
  await waitFor(
    "child copies settled",
    () => db().orderIntent.findMany({ where: { run: { copyGroupId: groupId } } }),
    (i) => i.every((x) => x.state === "filled"),
  );
}

describe("what the trader sees is true (real workers, simulator over HTTP)", () => {
  it("a filtered master order is logged once as skipped with the reason, never copied, its fills counted as uncopied; a partial fill reads of its order", async () => {
    const { trader, groupId } = await setup("FILLS", ["1"]);
    await db().copyGroup.update({ where: { id: groupId }, data: { products: ["NRML"] } });
    world.sim.broker.setFaults(MASTER.id, { partialFillRate: 1, partialFillMs: 0, holdPartialFills: true });
    await startCopyPipeline(world);
    const mis = await masterPlace(world.sim, MASTER, {
      symbol: CE,
      exchange: "NFO",
      action: "BUY",
      quantity: 4 * LOT,
      product: "MIS",
    });
    const nrml = await masterPlace(world.sim, MASTER, {
      symbol: CE,
      exchange: "NFO",
      action: "BUY",
      quantity: 4 * LOT,
    });
    const [skipped, first] = await waitFor(
      "both partial fills recorded",
      async () => [
        await db().copyEvent.findMany({ where: { groupId, masterOrderId: mis } }),
        await db().copyEvent.findMany({ where: { groupId, masterOrderId: nrml } }),
      ],
      ([a, b]) => a.length === 1 && b.length === 1 && b[0].status !== "PENDING",
    );
    expect(skipped[0]).toMatchObject({ kind: "FILL", status: "SKIPPED", reason: "product MIS not copied" });
    expect(skipped[0].quantity).toBeLessThan(4 * LOT);
    expect(first[0].quantity).toBeLessThan(4 * LOT);
    world.sim.broker.setFaults(MASTER.id, { holdPartialFills: false });
    await waitFor(
      "the rest of the copied order copied",
      () => db().copyEvent.count({ where: { groupId, masterOrderId: nrml } }),
      (n) => n === 2,
    );
    await settled(groupId, 3);
    // One event for the filtered order, whatever filled after; the child got only the NRML copies.
    expect(await db().copyEvent.count({ where: { groupId, masterOrderId: mis } })).toBe(1);
    expect(childOrders(CHILDREN[0]).every((o) => o.startsWith("NRML BUY"))).toBe(true);
    // The group counts the master's whole position: the MIS fills as never copied (all of it uncopied, no child's
    // share), the NRML one copied in full.
    const positions = await db().copyPosition.findMany({ where: { groupId }, orderBy: { product: "asc" } });
    expect(positions.map((p) => [p.product, p.masterQty, p.uncopiedQty])).toEqual([
      ["MIS", 4 * LOT, 4 * LOT],
      ["NRML", 4 * LOT, 0],
    ]);
    const board = await copyDriftBoard(trader, groupId);
    const rows = [...board.rows].sort((a, b) => a.product.localeCompare(b.product));
    expect(rows.map((r) => [r.product, r.children.map((c) => [c.expectedQty, c.state])])).toEqual([
      ["MIS", [[0, "ok"]]],
      ["NRML", [[4 * LOT, "ok"]]],
    ]);

    const log = await copyLog(trader, groupId, { limit: 50 });
    const filtered = log.items.find((e) => e.masterOrderId === mis)!;
    expect(filtered).toMatchObject({
      kind: "FILL",
      status: "SKIPPED",
      reason: "product MIS not copied",
      orderQuantity: 4 * LOT,
      masterBefore: null,
      children: [],
    });
    const partial = log.items.find((e) => e.masterOrderId === nrml && e.seq === 1)!;
    expect(partial).toMatchObject({ quantity: first[0].quantity, orderQuantity: 4 * LOT, masterBefore: 0 });
    expect((await copyLog(trader, groupId, { limit: 50, status: "SKIPPED" })).items.map((e) => e.id)).toEqual([
      filtered.id,
    ]);
  });

  it("ORDERS mode: the master's fills of copied orders are counted, so filled copies are at parity and a master filling slower reads working, not drift", async () => {
    const { trader, accounts, groupId } = await setup("ORDERS", ["1", "2"]);
    await startCopyPipeline(world);
    const filled = await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: LOT });
    await settled(groupId, 1);
    const board = await copyDriftBoard(trader, groupId);
    expect(board.rows).toMatchObject([{ symbol: CE, masterQty: LOT, uncopiedQty: 0, masterWorkingQty: 0 }]);
    expect(inOrder(board.rows[0].children, accounts)).toMatchObject([
      { expectedQty: LOT, actualQty: LOT, driftQty: 0, state: "ok" },
      { expectedQty: 2 * LOT, actualQty: 2 * LOT, driftQty: 0, state: "ok" },
    ]);
    expect(await alertDrift(new Date())).toMatchObject({ drifting: 0 });
    expect(await db().alert.count({ where: { kind: "copy_drift" } })).toBe(0);
    // The log's master position column reads the fill the PLACE was detected with.
    const [place] = (await copyLog(trader, groupId, { limit: 10 })).items;
    expect(place).toMatchObject({ masterOrderId: filled, kind: "PLACE", masterBefore: 0, masterAfter: LOT });

    // The master fills part of its next order; the children fill theirs at once: working while the master's works.
    world.sim.broker.setFaults(MASTER.id, { partialFillRate: 1, partialFillMs: 0, holdPartialFills: true });
    await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: 4 * LOT });
    await settled(groupId, 2);
    const part = await waitFor(
      "the master's partial fill counted",
      async () => (await copyDriftBoard(trader, groupId)).rows[0],
      (r) => r.masterQty > LOT,
    );
    expect(part.masterWorkingQty).toBe(5 * LOT - part.masterQty);
    expect(inOrder(part.children, accounts).map((c) => [c.actualQty, c.state])).toEqual([
      [5 * LOT, "working"],
      [10 * LOT, "working"],
    ]);
    expect(await alertDrift(new Date())).toMatchObject({ drifting: 0 });
    world.sim.broker.setFaults(MASTER.id, { holdPartialFills: false });
    const done = await waitFor(
      "the master's order filled",
      async () => (await copyDriftBoard(trader, groupId)).rows[0],
      (r) => r.masterWorkingQty === 0,
    );
    expect(done).toMatchObject({ masterQty: 5 * LOT, uncopiedQty: 0 });
    expect(inOrder(done.children, accounts).map((c) => [c.expectedQty, c.actualQty, c.state])).toEqual([
      [5 * LOT, 5 * LOT, "ok"],
      [10 * LOT, 10 * LOT, "ok"],
    ]);
    expect(held(MASTER)).toBe(5 * LOT);
  });

  it("the kill switch pauses the group; once re-armed, resuming re-bases it on the flattened master: parity, and copying goes on", async () => {
    const { trader, groupId } = await setup("FILLS", ["1", "2"]);
    await startCopyPipeline(world);
    world.stopAfterTest(await startExitWorker());
    await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: 2 * LOT });
    await settled(groupId, 1);
    expect(CHILDREN.map(held)).toEqual([2 * LOT, 4 * LOT]);

    const { exitId } = await engageKillSwitch(trader, { scope: "mine", reason: "test" }, null);
    expect(await db().copyGroup.findUniqueOrThrow({ where: { id: groupId } })).toMatchObject({
      enabled: false,
      pausedReason: "kill switch",
    });
    expect((await waitForExit(exitId)).status).toBe("DONE");
    expect([MASTER, ...CHILDREN].map(held)).toEqual([0, 0, 0]);
    await expect(setCopyGroupPaused(trader, groupId, false, "127.0.0.1")).rejects.toBeInstanceOf(KillSwitchError);

    await rearmKillSwitch(await makeUser("ADMIN"), { scope: "owner", ownerId: trader.id }, null);
    const resumed = await setCopyGroupPaused(trader, groupId, false, "127.0.0.1");
    expect(resumed).toMatchObject({ enabled: true, pausedReason: null });
    // The board is at parity with the flat children: nothing to show, nothing to sync, no alert.
    expect((await copyDriftBoard(trader, groupId)).rows).toEqual([]);
    expect(await alertDrift(new Date())).toMatchObject({ drifting: 0 });
    const audits = await db().auditLog.findMany({ where: { entityId: groupId }, orderBy: { createdAt: "asc" } });
    expect(audits.map((a) => a.action)).toEqual(["copyGroup.pause", "copyGroup.resume"]);
    expect(audits[1].details).toMatchObject({ pausedReason: "kill switch", rebased: { positions: 0 } });

    // Copying continues from the new baseline: the next master fill is copied as usual.
    await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: LOT });
    await settled(groupId, 2);
    expect(CHILDREN.map(held)).toEqual([LOT, 2 * LOT]);
    expect((await copyDriftBoard(trader, groupId)).rows[0].children.map((c) => c.state)).toEqual(["ok", "ok"]);
  });
});
