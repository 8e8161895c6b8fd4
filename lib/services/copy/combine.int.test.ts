/**
 * Combined copy orders (docs/copy-trading.md "Events, runs and exactly once"): the FILL and SYNC events one run
 * carries become one order per child and contract, the net of the child's shares; nothing when they net to zero.
 * Real workers and the simulator over HTTP; the events of one run are recorded by one detection pass.
 */
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { findScanGroup } from "@/lib/db/queries/copy-engine";
import type { InstanceConfig } from "@/lib/simulator/types";
import { makeCopyGroup, masterPlace } from "@/lib/testing/copy-kit";
import { startCopyPipeline } from "@/lib/testing/copy-engine-kit";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";
import { intentId } from "@/lib/trading/intents";
import { copyIntentKey } from "@/lib/trading/copy/types";
import { copyDriftBoard } from "./drift";
import { exposureBook } from "./exposure";
import { handOnEvents } from "./hand-on";
import { copyLog, copyLogQuerySchema } from "./log";
import { detectAndRecord } from "./record";

const LOT = 65;
const CE = "NIFTY08DEC2624500CE";
const PE = "NIFTY08DEC2624500PE";
const [MASTER, ...CHILDREN] = instanceConfigs(3, "cpc");
const world = useIntegrationWorld([MASTER, ...CHILDREN]);

const received = (inst: InstanceConfig) =>
  world.sim.broker.receivedOrders(inst.id).map((o) => `${o.symbol} ${o.action} ${o.quantity}`);

async function setup() {
  const trader = await makeUser("TRADER");
  const accounts = await linkAccounts(world.sim, trader, [MASTER, ...CHILDREN]);
  const groupId = await makeCopyGroup(trader, accounts[0].id, [
    { accountId: accounts[1].id, multiplier: "1" },
    { accountId: accounts[2].id, multiplier: "2", maxLotsPerOrder: 3 },
  ]);
  return { trader, accounts, groupId, group: (await findScanGroup(groupId))! };
}

const place = (symbol: string, action: "BUY" | "SELL", lots = 1) =>
  masterPlace(world.sim, MASTER, { symbol, exchange: "NFO", action, quantity: lots * LOT });

describe("combined copy orders (real workers, simulator over HTTP)", () => {
  it("a burst found by one scan goes out as one order per child and contract, keyed on the first event", async () => {
    const { trader, accounts, groupId, group } = await setup();
    // Typed in the master while no worker runs: one detection pass finds all five fills.
    for (const [symbol, action] of [
      [CE, "BUY"],
      [CE, "BUY"],
      [PE, "BUY"],
      [CE, "BUY"],
      [CE, "SELL"],
    ] as const)
      await place(symbol, action);
    expect(await detectAndRecord(group, "poll")).toMatchObject({ events: 5 });
    await startCopyPipeline(world);
    await waitFor(
      "every child order filled",
      () => db().orderIntent.findMany({ where: { run: { copyGroupId: groupId } } }),
      (i) => i.length === 5 && i.every((x) => x.state === "filled"),
    );
    // The net of three buys and a sell is two lots (× the multiplier), one order per contract; child 2's four CE
    // lots are two orders of at most its 3 lots per order.
    expect(received(CHILDREN[0]).sort()).toEqual([`${CE} BUY 130`, `${PE} BUY 65`]);
    expect(received(CHILDREN[1]).sort()).toEqual([`${CE} BUY 195`, `${CE} BUY 65`, `${PE} BUY 130`]);

    const events = await db().copyEvent.findMany({
      where: { groupId },
      orderBy: [{ detectedAt: "asc" }, { masterOrderId: "asc" }, { seq: "asc" }],
    });
    expect(events.every((e) => e.status === "SENT")).toBe(true);
    expect(new Set(events.map((e) => e.runId)).size).toBe(1);
    const ce = events.filter((e) => e.symbol === CE);
    expect(new Set(ce.map((e) => e.legIndex)).size).toBe(1);
    expect(events.find((e) => e.symbol === PE)!.legIndex).not.toBe(ce[0].legIndex);
    // Each CE event keeps its own share and names the one order that carried it.
    for (const e of ce) {
      const byChild = new Map((e.children as { accountId: string }[]).map((c) => [c.accountId, c]));
      expect(byChild.get(accounts[1].id)).toMatchObject({
        quantity: LOT,
        combined: { events: 4, action: "BUY", quantity: 2 * LOT },
      });
      expect(byChild.get(accounts[2].id)).toMatchObject({
        quantity: 2 * LOT,
        combined: { events: 4, action: "BUY", quantity: 4 * LOT },
      });
    }
    // Intent ids derive from the first event the leg carries and the child.
    const tags = world.sim.broker.receivedOrders(CHILDREN[1].id).map((o) => o.strategy);
    const key = copyIntentKey(groupId, ce[0].masterOrderId, ce[0].seq);
    expect(tags).toEqual(
      expect.arrayContaining([intentId(key, accounts[2].id, 0, 0), intentId(key, accounts[2].id, 0, 1)]),
    );

    // The exposure and the drift board count the combined orders once, at parity.
    const book = await exposureBook(groupId, new Map());
    expect(book.exposure(accounts[2].id, { symbol: CE, exchange: "NFO", product: "NRML" })).toBe(4 * LOT);
    const board = await copyDriftBoard(trader, groupId);
    const inOrder = (r: (typeof board.rows)[number]) =>
      accounts.slice(1).map((a) => r.children.find((c) => c.accountId === a.id)!);
    expect(
      board.rows.map((r) => [r.symbol, r.masterQty, inOrder(r).map((c) => [c.actualQty, c.driftQty, c.state])]),
    ).toEqual([
      [
        CE,
        2 * LOT,
        [
          [2 * LOT, 0, "ok"],
          [4 * LOT, 0, "ok"],
        ],
      ],
      [
        PE,
        LOT,
        [
          [LOT, 0, "ok"],
          [2 * LOT, 0, "ok"],
        ],
      ],
    ]);
    // The log shows each CE event with the one order, filled against its own quantity.
    const log = await copyLog(trader, groupId, copyLogQuerySchema.parse({ symbol: CE }));
    expect(log.items).toHaveLength(4);
    for (const item of log.items)
      expect(item.children.find((c) => c.accountId === accounts[2].id)).toMatchObject({
        state: "filled",
        filledQuantity: 4 * LOT,
        combined: { events: 4, action: "BUY", quantity: 4 * LOT },
      });
  });

  it("fills that net to zero send nothing and say so; the next fill is copied as usual", async () => {
    const { accounts, groupId, group } = await setup();
    await place(CE, "BUY");
    await place(CE, "SELL");
    expect(await detectAndRecord(group, "poll")).toMatchObject({ events: 2 });
    await startCopyPipeline(world);
    const closed = await waitFor(
      "both events handed on",
      () => db().copyEvent.findMany({ where: { groupId } }),
      (e) => e.every((x) => x.status !== "PENDING"),
    );
    expect(closed.map((e) => [e.status, e.reason])).toEqual([
      ["SKIPPED", `netted to zero with the run's other ${CE} events: nothing to send`],
      ["SKIPPED", `netted to zero with the run's other ${CE} events: nothing to send`],
    ]);
    expect(CHILDREN.flatMap(received)).toEqual([]);
    expect(await db().strategyRun.count({ where: { copyGroupId: groupId } })).toBe(0);
    // Flat and at parity: the next fill is copied whole.
    await place(CE, "BUY");
    await waitFor(
      "the next fill copied",
      async () => CHILDREN.map(received),
      (r) => r.every((x) => x.length === 1),
    );
    expect(CHILDREN.map(received)).toEqual([[`${CE} BUY 65`], [`${CE} BUY 130`]]);
    const book = await exposureBook(groupId, new Map());
    expect(book.exposure(accounts[1].id, { symbol: CE, exchange: "NFO", product: "NRML" })).toBe(LOT);
  });

  it("while copy orders are in flight, same-side fills go at once and the other side waits its turn", async () => {
    const { groupId, group } = await setup();
    const step = async (action: "BUY" | "SELL") => {
      await place(CE, action);
      expect(await detectAndRecord(group, "poll")).toMatchObject({ events: 1 });
      return handOnEvents(group);
    };
    // No dispatch worker yet: every copy order stays planned (in flight).
    const first = await step("BUY");
    expect(first.runId).not.toBeNull();
    const second = await step("BUY");
    expect(second).toMatchObject({ waiting: false, sent: 1 });
    expect(second.runId).not.toBe(first.runId);
    expect(await step("SELL")).toMatchObject({ runId: null, waiting: true });
    expect(await db().copyEvent.count({ where: { groupId, status: "PENDING" } })).toBe(1);
    await startCopyPipeline(world);
    await waitFor(
      "the sell copied",
      async () => CHILDREN.map(received),
      (r) => r.every((x) => x.length === 3),
    );
    expect(CHILDREN.map(received)).toEqual([
      [`${CE} BUY 65`, `${CE} BUY 65`, `${CE} SELL 65`],
      [`${CE} BUY 130`, `${CE} BUY 130`, `${CE} SELL 130`],
    ]);
    // The sell left only after both buys were acknowledged.
    const intents = await db().orderIntent.findMany({ where: { run: { copyGroupId: groupId } } });
    const lastBuyAck = Math.max(...intents.filter((i) => i.action === "BUY").map((i) => +i.acknowledgedAt!));
    for (const sell of intents.filter((i) => i.action === "SELL"))
      expect(+sell.sentAt!).toBeGreaterThanOrEqual(lastBuyAck);
  });
});
