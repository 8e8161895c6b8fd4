import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { InstanceConfig } from "@/lib/simulator/types";
import { makeCopyGroup, masterCancel, masterModify, masterPlace } from "@/lib/testing/copy-kit";
import { startCopyWorker } from "@/lib/testing/copy-engine-kit";
import { linkAccounts, startDispatchWorker } from "@/lib/testing/dispatch-kit";
import { startFillsWorker } from "@/lib/testing/fills-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";

const FAST = { reconcileWindowMs: 1_000, pollIntervalMs: 100, refusedBackoffMs: 50 };
const [MASTER, ...CHILDREN] = instanceConfigs(4, "cpo");
const world = useIntegrationWorld([MASTER, ...CHILDREN]);

afterEach(() => world.sim.market.holdPrices(false));

/** NIFTY's nearest-expiry call closest to the money, its lot size and price now (whole rupees). */
function niftyCall() {
  const spot = world.sim.market.quote("NIFTY", "NSE_INDEX")!.ltp;
  const calls = world.sim.market
    .instruments("NFO")
    .filter((i) => i.underlying === "NIFTY" && i.instrumenttype === "CE");
  const expiry = Math.min(...calls.map((c) => c.expiryTs ?? Infinity));
  const ce = calls
    .filter((c) => c.expiryTs === expiry)
    .sort((a, b) => Math.abs(a.strike - spot) - Math.abs(b.strike - spot))[0];
  return { symbol: ce.symbol, lot: ce.lotsize, ltp: Math.round(world.sim.market.quote(ce.symbol, "NFO")!.ltp) };
}

/** The children's orders at their simulators: "TYPE SIDE units @price trigger status", per child, oldest first. */
const book = (c: InstanceConfig) =>
  world.sim.broker
    .receivedOrders(c.id)
    .map((o) => `${o.pricetype} ${o.action} ${o.quantity} @${o.price} ^${o.triggerPrice} ${o.status}`);

describe("copy engine, ORDERS mode (real workers, simulator over HTTP)", () => {
  it("orders typed in the master are mirrored as placed, modified (found by the poll) and cancelled; fills are not copied", async () => {
    world.sim.market.holdPrices(true);
    for (const inst of [MASTER, ...CHILDREN]) world.sim.broker.setFaults(inst.id, { holdRestingOrders: true });
    const trader = await makeUser("TRADER");
    const accounts = await linkAccounts(world.sim, trader, [MASTER, ...CHILDREN]);
    const groupId = await makeCopyGroup(
      trader,
      accounts[0].id,
      [{ multiplier: "1" }, { multiplier: "0.5", rounding: "NEAREST" as const }, { multiplier: "2" }].map((c, i) => ({
        accountId: accounts[i + 1].id,
        ...c,
      })),
      { mode: "ORDERS" },
    );
    world.stopAfterTest(await startDispatchWorker(FAST));
    world.stopAfterTest(await startFillsWorker());
    const copy = world.stopAfterTest(await startCopyWorker());
    const { symbol, lot, ltp } = niftyCall();
    const limit = Math.max(Math.round(ltp / 2), 2);
    const trigger = ltp + 20;

    const limitId = await masterPlace(world.sim, MASTER, {
      symbol,
      exchange: "NFO",
      action: "BUY",
      quantity: 3 * lot,
      pricetype: "LIMIT",
      price: limit,
    });
    const slId = await masterPlace(world.sim, MASTER, {
      symbol,
      exchange: "NFO",
      action: "BUY",
      quantity: 2 * lot,
      pricetype: "SL",
      price: trigger + 5,
      trigger_price: trigger,
    });
    await waitFor(
      "both orders copied",
      async () => CHILDREN.map(book),
      (b) => b.every((x) => x.length === 2),
    );
    const px = (n: number) => `${n}.00`;
    expect(CHILDREN.map(book)).toEqual(
      [3, 2, 6].map((lots, i) => [
        `LIMIT BUY ${lots * lot} @${px(limit)} ^0.00 open`,
        `SL BUY ${[2, 1, 4][i] * lot} @${px(trigger + 5)} ^${px(trigger)} trigger pending`,
      ]),
    );

    // OpenAlgo sends no event for a modify: the poll finds both.
    await masterModify(world.sim, MASTER, limitId, {
      symbol,
      exchange: "NFO",
      action: "BUY",
      quantity: 4 * lot,
      pricetype: "LIMIT",
      price: limit - 1,
    });
    await masterModify(world.sim, MASTER, slId, {
      symbol,
      exchange: "NFO",
      action: "BUY",
      quantity: 2 * lot,
      pricetype: "SL",
      price: trigger + 10,
      trigger_price: trigger + 5,
    });
    const modified = [4, 2, 8].map((lots, i) => [
      `LIMIT BUY ${lots * lot} @${px(limit - 1)} ^0.00 open`,
      `SL BUY ${[2, 1, 4][i] * lot} @${px(trigger + 10)} ^${px(trigger + 5)} trigger pending`,
    ]);
    await waitFor(
      "both modifications mirrored",
      async () => CHILDREN.map(book),
      (b) => JSON.stringify(b) === JSON.stringify(modified),
    );

    await masterCancel(world.sim, MASTER, limitId);
    await waitFor(
      "the cancel mirrored",
      async () => CHILDREN.map(book),
      (b) => b.every((x) => x[0].endsWith(" cancelled")),
    );
    expect(CHILDREN.map((c) => book(c)[1])).toEqual(modified.map((m) => m[1]));

    // A master order that fills: its copy is the child's own order (filled at its own broker), never a fill copy.
    const marketId = await masterPlace(world.sim, MASTER, { symbol, exchange: "NFO", action: "BUY", quantity: lot });
    await waitFor(
      "the filled master order recorded as complete",
      () => db().copyMasterOrder.findUnique({ where: { groupId_masterOrderId: { groupId, masterOrderId: marketId } } }),
      (o) => o?.status === "complete",
    );
    await waitFor(
      "the market copies placed",
      async () => CHILDREN.map(book),
      (b) => b.every((x) => x.length === 3),
    );
    expect(CHILDREN.map((c) => book(c)[2].replace(/ @\S+/, ""))).toEqual(
      [1, 1, 2].map((lots) => `MARKET BUY ${lots * lot} ^0.00 complete`),
    );
    const events = await db().copyEvent.findMany({
      where: { groupId },
      orderBy: [{ detectedAt: "asc" }, { seq: "asc" }],
    });
    expect(events.map((e) => [e.kind, e.seq, e.status])).toEqual([
      ["PLACE", 1, "SENT"],
      ["PLACE", 1, "SENT"],
      ["MODIFY", 2, "SENT"],
      ["MODIFY", 2, "SENT"],
      ["CANCEL", 3, "SENT"],
      ["PLACE", 1, "SENT"],
    ]);
    // Exactly once: one order per intent at every child.
    for (const c of CHILDREN) {
      const tags = world.sim.broker.receivedOrders(c.id).map((o) => o.strategy);
      expect(new Set(tags).size).toBe(3);
    }
    expect(copy.errors).toEqual([]);
  });
});
