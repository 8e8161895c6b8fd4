import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { engageKillSwitch, rearmKillSwitch } from "@/lib/services/kill-switch";
import { makeCopyGroup, masterPlace } from "@/lib/testing/copy-kit";
import { startCopyPipeline, unitsReceived } from "@/lib/testing/copy-engine-kit";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { simPositions, startExitWorker, waitForExit } from "@/lib/testing/exits-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { setCopyGroupPaused } from ".";
import { waitFor } from "@/lib/testing/wait";
import { startCopying } from "./baseline";

// Fills in the master that the children never copied (an order from before copying started, MirrorDesk's own
// orders there, the kill switch's flatten) still move the master's position as the group counts it.
const [MASTER, CHILD] = instanceConfigs(2, "cuf");
const world = useIntegrationWorld([MASTER, CHILD]);
const CE = "NIFTY08DEC2624500CE";
const LOT = 65;

afterEach(() => world.sim.market.holdPrices(false));

async function setup() {
  const trader = await makeUser("TRADER");
  const accounts = await linkAccounts(world.sim, trader, [MASTER, CHILD]);
  const groupId = await makeCopyGroup(trader, accounts[0].id, [{ accountId: accounts[1].id, rounding: "DOWN" }]);
  return { trader, accounts, groupId };
}

/** The group's events once none is PENDING, when there are `n`. */
const settledEvents = (groupId: string, n: number) =>
  waitFor(
    `${n} events handled`,
    () => db().copyEvent.findMany({ where: { groupId }, orderBy: [{ detectedAt: "asc" }, { seq: "asc" }] }),
    (e) => e.length === n && e.every((x) => x.status !== "PENDING"),
  );
/** The child's net position in a contract as its broker holds it. */
const childNet = (symbol: string, product = "NRML") =>
  simPositions(world.sim, CHILD.id).get(`${symbol}|NFO|${product}`) ?? 0;

describe("copy engine: master fills that were never copied still count in the master's position", () => {
  it("a stop-loss placed before copying started fires later: the master's next round trip leaves the child flat", async () => {
    world.sim.market.holdPrices(true);
    const fut = world.sim.market
      .instruments("NFO")
      .filter((i) => i.underlying === "NIFTY" && i.instrumenttype === "FUT")
      .sort((a, b) => (a.expiryTs ?? 0) - (b.expiryTs ?? 0))[0];
    const lot = fut.lotsize;
    const ltp = world.sim.market.quote(fut.symbol, "NFO")!.ltp;
    // Before copying: a long lot and its stop-loss.
    await masterPlace(world.sim, MASTER, { symbol: fut.symbol, exchange: "NFO", action: "BUY", quantity: lot });
    const stop = await masterPlace(world.sim, MASTER, {
      symbol: fut.symbol,
      exchange: "NFO",
      action: "SELL",
      quantity: lot,
      pricetype: "SL-M",
      trigger_price: Math.round(ltp - 100),
    });
    const { groupId } = await setup();
    expect(await startCopying(groupId)).toEqual({ orders: 2, positions: 1 });
    await startCopyPipeline(world);

    // The market falls through the stop: the master is flat; the children never had that lot.
    const spot = world.sim.market.quote("NIFTY", "NSE_INDEX")!.ltp;
    world.sim.market.setSpot("NIFTY", spot * 0.97);
    await waitFor(
      "the stop-loss filled",
      async () => world.sim.broker.receivedOrders(MASTER.id).find((o) => o.orderid === stop)?.status,
      (s) => s === "complete",
    );
    // A round trip by hand: the child copies the lot in, and must copy it out.
    await masterPlace(world.sim, MASTER, { symbol: fut.symbol, exchange: "NFO", action: "BUY", quantity: lot });
    await settledEvents(groupId, 1);
    await waitFor(
      "the child's lot",
      async () => childNet(fut.symbol),
      (n) => n === lot,
    );
    await masterPlace(world.sim, MASTER, { symbol: fut.symbol, exchange: "NFO", action: "SELL", quantity: lot });
    const events = await settledEvents(groupId, 2);
    expect(events.map((e) => [e.action, e.masterBefore, e.masterAfter, e.status])).toEqual([
      ["BUY", 0, lot, "SENT"],
      ["SELL", lot, 0, "SENT"],
    ]);
    await waitFor(
      "the child flat",
      async () => childNet(fut.symbol),
      (n) => n === 0,
    );
    expect(unitsReceived(world.sim, CHILD, "SELL")).toBe(lot);
    const position = await db().copyPosition.findFirstOrThrow({ where: { groupId } });
    expect(position).toMatchObject({ masterQty: 0, uncopiedQty: 0 });
  });

  it("after the kill switch flattened master and child, the master's next lot is copied once, not twice", async () => {
    const { trader, groupId } = await setup();
    await startCopyPipeline(world);
    world.stopAfterTest(await startExitWorker());
    await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: LOT });
    await settledEvents(groupId, 1);
    await waitFor(
      "the child's lot",
      async () => childNet(CE),
      (n) => n === LOT,
    );

    const { exitId } = await engageKillSwitch(trader, { scope: "mine", reason: "test" }, null);
    expect((await waitForExit(exitId)).status).toBe("DONE");
    expect([simPositions(world.sim, MASTER.id).size, childNet(CE)]).toEqual([0, 0]);
    // The flatten's order in the master is MirrorDesk's own: not copied, but the master is flat in the count.
    await waitFor(
      "the master's flat position counted",
      () => db().copyPosition.findFirstOrThrow({ where: { groupId } }),
      (p) => p.masterQty === 0,
    );
    await rearmKillSwitch(await makeUser("ADMIN"), { scope: "owner", ownerId: trader.id }, null);
    // The switch paused the group; a person resumes it (re-based on the flat master).
    expect(await db().copyGroup.findUniqueOrThrow({ where: { id: groupId } })).toMatchObject({ enabled: false });
    await setCopyGroupPaused(trader, groupId, false, "127.0.0.1");

    await masterPlace(world.sim, MASTER, { symbol: CE, exchange: "NFO", action: "BUY", quantity: LOT });
    await settledEvents(groupId, 2);
    await waitFor(
      "the child's new lot",
      async () => childNet(CE),
      (n) => n !== 0,
    );
    expect(childNet(CE)).toBe(LOT);
    expect(unitsReceived(world.sim, CHILD, "BUY")).toBe(2 * LOT);
  });
});
