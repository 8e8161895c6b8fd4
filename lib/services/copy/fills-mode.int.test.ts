import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { InstanceConfig } from "@/lib/simulator/types";
import { makeCopyGroup, masterPlace } from "@/lib/testing/copy-kit";
import { linkAccounts, startDispatchWorker } from "@/lib/testing/dispatch-kit";
import { startFillsWorker } from "@/lib/testing/fills-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { startCopyWorker } from "@/lib/testing/copy-engine-kit";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";
import { engageKillSwitch, rearmKillSwitch } from "@/lib/services/kill-switch";
import { setCopyGroupPaused } from ".";

const FAST = { reconcileWindowMs: 1_000, pollIntervalMs: 100, refusedBackoffMs: 50 };
const LOT = 65;
const CE = "NIFTY08DEC2624500CE";
const [MASTER, ...CHILDREN] = instanceConfigs(4, "cpf");
const world = useIntegrationWorld([MASTER, ...CHILDREN]);

/** Every worker the copy path needs, as workers/index.ts runs them, and the copy queue's schedulers. */
async function startWorkers() {
  world.stopAfterTest(await startDispatchWorker(FAST));
  world.stopAfterTest(await startFillsWorker());
  return world.stopAfterTest(await startCopyWorker());
}

/** Child orders the simulator received, as "SIDE units", per child instance. */
const childOrders = (inst: InstanceConfig) =>
  world.sim.broker.receivedOrders(inst.id).map((o) => `${o.action} ${o.quantity}`);
const units = (inst: InstanceConfig, side: "BUY" | "SELL") =>
  world.sim.broker
    .receivedOrders(inst.id)
    .filter((o) => o.action === side)
    .reduce((n, o) => n + Number(o.quantity), 0);

async function setup(children: { multiplier?: string; rounding?: "DOWN" | "NEAREST" | "UP" }[]) {
  const trader = await makeUser("TRADER");
  const accounts = await linkAccounts(world.sim, trader, [MASTER, ...CHILDREN]);
  const groupId = await makeCopyGroup(
    trader,
    accounts[0].id,
    children.map((c, i) => ({ accountId: accounts[i + 1].id, ...c })),
  );
  return { trader, accounts, groupId };
}

describe("copy engine, FILLS mode (real workers, simulator over HTTP)", () => {
  it("copies a master fill into every child with its rounding, then the master closing half closes half of each", async () => {
    const { groupId } = await setup([
      { multiplier: "1" },
      { multiplier: "0.5", rounding: "NEAREST" },
      { multiplier: "2" },
    ]);
    await startWorkers();
    await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: 3 * LOT });
    await waitFor(
      "children's copies",
      async () => CHILDREN.map(childOrders),
      (o) => o.every((x) => x.length === 1),
    );
    expect(CHILDREN.map(childOrders)).toEqual([["BUY 195"], ["BUY 130"], ["BUY 390"]]);
    // The master adds one lot: 1× buys 1, 0.5× NEAREST is at 2 lots for 4 (no order), 2× buys 2.
    await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: LOT });
    await waitFor(
      "the add copied",
      async () => [units(CHILDREN[0], "BUY"), units(CHILDREN[2], "BUY")],
      ([a, c]) => a === 4 * LOT && c === 8 * LOT,
    );
    // Half closed: each child sells half of its own position.
    await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "SELL", quantity: 2 * LOT });
    await waitFor(
      "the half close copied",
      async () => CHILDREN.map((c) => units(c, "SELL")),
      (s) => s.every((x) => x > 0),
    );
    expect(CHILDREN.map((c) => units(c, "SELL"))).toEqual([2 * LOT, LOT, 4 * LOT]);
    const events = await db().copyEvent.findMany({ where: { groupId }, orderBy: { detectedAt: "asc" } });
    expect(events.map((e) => [e.kind, e.action, e.quantity, e.masterBefore, e.masterAfter])).toEqual([
      ["FILL", "BUY", 195, 0, 195],
      ["FILL", "BUY", 65, 195, 260],
      ["FILL", "SELL", 130, 260, 130],
    ]);
    // The 0.5× child had nothing to do on the add: that event is still SENT, for the others.
    expect(events.every((e) => e.status === "SENT")).toBe(true);
    // Exactly once: every child order's tag is a distinct intent.
    for (const c of CHILDREN) {
      const tags = world.sim.broker.receivedOrders(c.id).map((o) => o.strategy);
      expect(new Set(tags).size).toBe(tags.length);
    }
  });

  it("the kill switch pauses copying; re-armed and resumed, the group copies what the master does from then on", async () => {
    const { trader, groupId } = await setup([{ multiplier: "1" }]);
    await startWorkers();
    await engageKillSwitch(trader, { scope: "mine", reason: "test" }, null);
    await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: LOT });
    const skipped = await waitFor(
      "the event recorded",
      () => db().copyEvent.findMany({ where: { groupId } }),
      (e) => e.length === 1 && e[0].status !== "PENDING",
    );
    expect(skipped[0]).toMatchObject({ status: "SKIPPED", reason: "group paused" });
    expect(childOrders(CHILDREN[0])).toEqual([]);
    await rearmKillSwitch(await makeUser("ADMIN"), { scope: "owner", ownerId: trader.id }, null);
    // Re-armed, the group stays paused until a person resumes it; resuming re-bases it on the master's books (no
    // exit ran here: the master's lot bought meanwhile is its own, never copied).
    expect(await db().copyGroup.findUniqueOrThrow({ where: { id: groupId } })).toMatchObject({ enabled: false });
    await setCopyGroupPaused(trader, groupId, false, "127.0.0.1");
    expect(await db().copyPosition.findFirstOrThrow({ where: { groupId } })).toMatchObject({
      masterQty: LOT,
      uncopiedQty: LOT,
    });
    await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: LOT });
    await waitFor(
      "copy after resuming",
      async () => childOrders(CHILDREN[0]),
      (o) => o.length === 1,
    );
    expect(childOrders(CHILDREN[0])).toEqual(["BUY 65"]);
  });

  it("a paused group records the master's fills as skipped and sends nothing", async () => {
    const { groupId } = await setup([{ multiplier: "1" }]);
    await db().copyGroup.update({ where: { id: groupId }, data: { enabled: false, pausedReason: "test" } });
    await startWorkers();
    await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: LOT });
    const events = await waitFor(
      "the event recorded",
      () => db().copyEvent.findMany({ where: { groupId } }),
      (e) => e.length === 1,
    );
    expect(events[0]).toMatchObject({ status: "SKIPPED", reason: "group paused" });
    const position = await db().copyPosition.findFirstOrThrow({ where: { groupId } });
    expect(position).toMatchObject({ masterQty: LOT, uncopiedQty: LOT });
    expect(childOrders(CHILDREN[0])).toEqual([]);
  });
});
