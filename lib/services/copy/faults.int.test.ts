/**
 * The copy engine under faults (docs/copy-trading.md "Events, runs and exactly once"): partial master fills, a
 * dropped master stream, a worker that died between recording and handing on, two scanners over the same fills.
 * Real workers and the simulator over HTTP and WebSocket; states driven by the simulator's faults and control API.
 */
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { findScanGroup } from "@/lib/db/queries/copy-engine";
import type { InstanceConfig } from "@/lib/simulator/types";
import { makeCopyGroup, masterPlace } from "@/lib/testing/copy-kit";
import { dropInstanceSockets, startCopyPipeline, unitsReceived } from "@/lib/testing/copy-engine-kit";
import { linkAccounts, ordersByTag, startDispatchWorker } from "@/lib/testing/dispatch-kit";
import { startFillsWorker } from "@/lib/testing/fills-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";
import { FAST_DISPATCH } from "@/lib/testing/copy-engine-kit";
import { masterStreamOpen } from "./master-streams";
import { handOnEvents } from "./hand-on";
import { detectAndRecord } from "./record";

const LOT = 65;
const CE = "NIFTY08DEC2624500CE";
const [MASTER, ...CHILDREN] = instanceConfigs(3, "cpx");
const world = useIntegrationWorld([MASTER, ...CHILDREN]);
const MULTIPLIERS = ["1", "2"];

async function setup() {
  const trader = await makeUser("TRADER");
  const accounts = await linkAccounts(world.sim, trader, [MASTER, ...CHILDREN]);
  const groupId = await makeCopyGroup(
    trader,
    accounts[0].id,
    MULTIPLIERS.map((multiplier, i) => ({ accountId: accounts[i + 1].id, multiplier })),
  );
  return { accounts, groupId };
}

const bought = (inst: InstanceConfig) => unitsReceived(world.sim, inst, "BUY");

/** Every child order at the simulator carries a distinct intent id: nothing was sent twice. */
function expectEachIntentOnce() {
  const counts = ordersByTag(
    world.sim,
    CHILDREN.map((c) => c.id),
  );
  expect(counts.size).toBeGreaterThan(0);
  expect([...counts.values()].every((n) => n === 1)).toBe(true);
}

/** Waits until each child bought `lots` × its multiplier, then checks it was not more and nothing was doubled. */
async function expectChildrenAt(lots: number) {
  const want = MULTIPLIERS.map((m) => lots * Number(m) * LOT);
  await waitFor(
    `children at ${lots} master lots`,
    async () => CHILDREN.map(bought),
    (got) => got.every((u, i) => u >= want[i]),
  );
  expect(CHILDREN.map(bought)).toEqual(want);
  expectEachIntentOnce();
}

describe("copy engine under faults (real workers, simulator over HTTP and WebSocket)", () => {
  it("a partly filled master order is copied in part; the rest, once released, is copied too; totals exact", async () => {
    const { groupId } = await setup();
    world.sim.broker.setFaults(MASTER.id, { partialFillRate: 1, partialFillMs: 0, holdPartialFills: true });
    await startCopyPipeline(world);
    await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: 4 * LOT });
    const [first] = await waitFor(
      "the partial fill recorded",
      () => db().copyEvent.findMany({ where: { groupId } }),
      (e) => e.length === 1,
    );
    expect(first.quantity).toBeLessThan(4 * LOT);
    await expectChildrenAt(first.quantity / LOT);
    world.sim.broker.setFaults(MASTER.id, { holdPartialFills: false });
    await expectChildrenAt(4);
    const events = await db().copyEvent.findMany({ where: { groupId }, orderBy: { seq: "asc" } });
    expect(events.map((e) => [e.kind, e.seq, e.masterAfter])).toEqual([
      ["FILL", 1, first.quantity],
      ["FILL", 2, 4 * LOT],
    ]);
    expect(events.reduce((n, e) => n + e.quantity, 0)).toBe(4 * LOT);
  });

  it("the master's order stream dropped mid-burst: the poll finds the rest and every fill is copied once", async () => {
    const { accounts, groupId } = await setup();
    await startCopyPipeline(world);
    await waitFor(
      "the master stream open",
      () => masterStreamOpen(accounts[0].id),
      (open) => open,
    );
    for (let i = 0; i < 2; i++)
      await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: LOT });
    // Copied before the drop: no scan a push asked for is still to read the book (it would find the later fills).
    await expectChildrenAt(2);
    expect(await dropInstanceSockets(world.sim, MASTER.id)).toBeGreaterThan(0);
    await waitFor(
      "the master stream down",
      () => masterStreamOpen(accounts[0].id),
      (open) => !open,
    );
    for (let i = 0; i < 3; i++)
      await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: LOT });
    await expectChildrenAt(5);
    const events = await db().copyEvent.findMany({ where: { groupId } });
    expect(events).toHaveLength(5);
    // The stream was down (it retries after ORDER_STREAM_RETRY_MS): the last fills can only have come from the poll.
    expect(events.filter((e) => e.source === "poll").length).toBeGreaterThanOrEqual(3);
  });

  it("a worker that died after recording the events: the next one hands them on, once", async () => {
    const { groupId } = await setup();
    for (let i = 0; i < 3; i++)
      await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: LOT });
    // The first worker's scan: detection and recording only, then it is gone before its hand-on.
    const group = (await findScanGroup(groupId))!;
    expect(await detectAndRecord(group, "poll")).toMatchObject({ recorded: 3, events: 3 });
    expect(await db().copyEvent.count({ where: { groupId, status: "PENDING" } })).toBe(3);
    await startCopyPipeline(world);
    await expectChildrenAt(3);
    const events = await db().copyEvent.findMany({ where: { groupId } });
    expect(events.map((e) => e.status)).toEqual(["SENT", "SENT", "SENT"]);
    expect(new Set(events.map((e) => e.runId)).size).toBe(1);
    expect(await db().strategyRun.count({ where: { copyGroupId: groupId } })).toBe(1);
    // The run's three fills went out as one order per child.
    expect(CHILDREN.map((c) => world.sim.broker.receivedOrders(c.id).length)).toEqual([1, 1]);
  });

  it("two scanners over the same master fills record one event per change and hand them on as one run", async () => {
    const { groupId } = await setup();
    for (let i = 0; i < 2; i++)
      await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: LOT });
    const group = (await findScanGroup(groupId))!;
    // Two workers' scans at once (no scan lock between them: correctness rests on the compare-and-set records).
    const [a, b] = await Promise.all([detectAndRecord(group, "poll"), detectAndRecord(group, "stream")]);
    expect(a.events + b.events).toBe(2);
    const [x, y] = await Promise.all([handOnEvents(group), handOnEvents(group)]);
    expect(x.runId ?? y.runId).not.toBeNull();
    expect(await db().strategyRun.count({ where: { copyGroupId: groupId } })).toBe(1);
    expect(await db().copyEvent.count({ where: { groupId } })).toBe(2);
    world.stopAfterTest(await startDispatchWorker(FAST_DISPATCH));
    world.stopAfterTest(await startFillsWorker());
    await expectChildrenAt(2);
    // A third scan finds nothing new.
    expect(await detectAndRecord(group, "poll")).toMatchObject({ events: 0 });
  });
});
