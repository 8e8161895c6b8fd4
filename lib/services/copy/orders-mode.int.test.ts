import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import type { InstanceConfig } from "@/lib/simulator/types";
import { type ChildSpec, makeCopyGroup } from "@/lib/testing/copy-kit";
import { type CopiedOrder, recordChange, recordPlacement } from "@/lib/testing/copy-orders-kit";
import { linkAccounts, startDispatchWorker, waitForRun } from "@/lib/testing/dispatch-kit";
import { startCountingRelay, startFillsWorker } from "@/lib/testing/fills-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { waitFor } from "@/lib/testing/wait";
import { sliceQuantities } from "@/lib/trading/instruments";
import { mirrorChange } from "./orders-mode";
import type { MirroredChild } from "./mirror-types";

// Master and three children, with capital for sliced futures orders.
const instances: InstanceConfig[] = ["omM", "om1", "om2", "om3"].map((id) => ({
  id,
  apiKey: `${id}-key-0123456789abcdef`,
  capital: "5000000000",
}));
const world = useIntegrationWorld(instances);
const [, C1, C2, C3] = instances.map((i) => i.id);

afterEach(() => world.sim.market.holdPrices(false));

/** NIFTY's nearest future: symbol, lot and freeze sizes, and its price now. */
function niftyFuture(sim: RunningSimulator) {
  const fut = sim.market
    .instruments("NFO")
    .filter((i) => i.underlying === "NIFTY" && i.instrumenttype === "FUT")
    .sort((a, b) => (a.expiryTs ?? 0) - (b.expiryTs ?? 0))[0];
  const ltp = sim.market.quote(fut.symbol, "NFO")!.ltp;
  return { symbol: fut.symbol, sizes: { lotSize: fut.lotsize, freezeQty: fut.freezeQty }, ltp: Math.round(ltp) };
}

/** The trader, accounts (linked through a relay that counts broker calls), and an ORDERS group of three children. */
async function setup(children: Omit<ChildSpec, "accountId">[]) {
  const relay = world.stopAfterTest(await startCountingRelay(world.sim.httpUrl));
  const trader = await makeUser("TRADER");
  const accounts = await linkAccounts({ ...world.sim, httpUrl: relay.url }, trader, instances);
  const groupId = await makeCopyGroup(
    trader,
    accounts[0].id,
    children.map((c, i) => ({ accountId: accounts[i + 1].id, ...c })),
    { mode: "ORDERS" },
  );
  world.stopAfterTest(await startDispatchWorker({ reconcileWindowMs: 1_000, pollIntervalMs: 100 }));
  world.stopAfterTest(await startFillsWorker());
  return { relay, trader, accounts, group: { id: groupId, ownerId: trader.id } };
}

const childOrders = (id: string) => world.sim.broker.receivedOrders(id);
/** A child's orders at the simulator in slice order (found by their tags, the intent ids). */
async function sliceOrders(runId: string, accountId: string, instanceId: string) {
  const intents = await db().orderIntent.findMany({ where: { runId, accountId }, orderBy: { sliceIndex: "asc" } });
  return intents.map((i) => childOrders(instanceId).find((o) => o.strategy === i.id)!);
}
const eventRow = (id: string) => db().copyEvent.findUniqueOrThrow({ where: { id } });
/** [account, outcome, units] per child, by account id (the group lists children in the order they were added). */
const outcomes = (children: unknown) =>
  sorted((children as MirroredChild[]).map((c) => [c.accountId, c.outcome, c.quantity]));
const sorted = (rows: (string | number)[][]) => [...rows].sort((a, b) => String(a[0]).localeCompare(String(b[0])));

describe("ORDERS mode: a master modify or cancel mirrored to the children's working orders", () => {
  it("LIMIT: price and quantity re-proportioned over a sliced child, in order, idempotent; then cancelled", async () => {
    const fut = niftyFuture(world.sim);
    const lot = fut.sizes.lotSize;
    world.sim.market.holdPrices(true);
    for (const id of [C1, C2, C3]) world.sim.broker.setFaults(id, { holdRestingOrders: true });
    const { relay, accounts, group } = await setup([{}, { multiplier: "2" }, { multiplier: "0.5", rounding: "UP" }]);
    const order: CopiedOrder = {
      symbol: fut.symbol,
      exchange: "NFO",
      product: "NRML",
      action: "BUY",
      quantity: 16 * lot,
      priceType: "LIMIT",
      price: String(fut.ltp - 300),
    };
    const { runId } = await recordPlacement(group, "M1", order, fut.sizes);
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    expect(childOrders(C1).map((o) => [o.action, o.quantity, o.status])).toEqual([["BUY", 16 * lot, "open"]]);
    const c2Slices = sliceQuantities(32 * lot, lot, fut.sizes.freezeQty);
    expect(c2Slices.length).toBeGreaterThan(1);
    expect((await sliceOrders(runId, accounts[2].id, C2)).map((o) => o.quantity)).toEqual(c2Slices);
    expect(childOrders(C3).map((o) => [o.action, o.quantity])).toEqual([["BUY", 8 * lot]]);

    // Two modifies recorded before either is handled: the later one waits for the earlier one.
    const first = await recordChange(group.id, "M1", 2, "MODIFY", { ...order, price: String(fut.ltp - 310) });
    const newPrice = String(fut.ltp - 320);
    const second = await recordChange(group.id, "M1", 3, "MODIFY", { ...order, quantity: 12 * lot, price: newPrice });
    await mirrorChange(second);
    expect((await eventRow(second)).status).toBe("PENDING");
    expect(relay.count(C1, "modifyorder")).toBe(0);
    await mirrorChange(first);
    expect((await eventRow(first)).status).toBe("SENT");
    await mirrorChange(second);

    const done = await eventRow(second);
    expect(done).toMatchObject({ status: "SENT", reason: null });
    expect(outcomes(done.children)).toEqual(
      sorted([
        [accounts[1].id, "modified", 12 * lot],
        [accounts[2].id, "modified", 24 * lot],
        [accounts[3].id, "modified", 6 * lot],
      ]),
    );
    // Child 2 had 32 lots in slices; 24 lots now: the decrease came off the last slice (cancelled when it reached 0).
    const expectC2 = sliceQuantities(32 * lot, lot, fut.sizes.freezeQty);
    let cut = 8 * lot;
    for (let i = expectC2.length - 1; i >= 0 && cut > 0; i--) {
      const take = Math.min(expectC2[i], cut);
      expectC2[i] -= take;
      cut -= take;
    }
    const c2After = await sliceOrders(runId, accounts[2].id, C2);
    expect(c2After.map((o) => (o.status === "cancelled" ? 0 : o.quantity))).toEqual(expectC2);
    for (const id of [C1, C2, C3])
      for (const o of childOrders(id).filter((x) => x.status === "open")) expect(o.price).toBe(`${newPrice}.00`);
    expect(childOrders(C1).map((o) => o.quantity)).toEqual([12 * lot]);
    expect(childOrders(C3).map((o) => o.quantity)).toEqual([6 * lot]);
    const intents = await db().orderIntent.findMany({ where: { runId, accountId: accounts[1].id } });
    expect(intents.map((i) => [i.quantity, i.price?.toString()])).toEqual([[12 * lot, newPrice]]);

    // Handled: nothing more is sent. A retry after a crash (event still PENDING) finds the values in place.
    const modifies = [C1, C2, C3].map((id) => relay.count(id, "modifyorder"));
    await mirrorChange(second);
    await db().copyEvent.update({ where: { id: second }, data: { status: "PENDING", children: [] } });
    await mirrorChange(second);
    expect([C1, C2, C3].map((id) => relay.count(id, "modifyorder"))).toEqual(modifies);
    expect(outcomes((await eventRow(second)).children).map((c) => c[1])).toEqual([
      "unchanged",
      "unchanged",
      "unchanged",
    ]);

    const cancel = await recordChange(group.id, "M1", 4, "CANCEL", order);
    await mirrorChange(cancel);
    expect((await eventRow(cancel)).status).toBe("SENT");
    for (const id of [C1, C2, C3]) expect(childOrders(id).every((o) => o.status === "cancelled")).toBe(true);
    await waitFor(
      "every child intent cancelled",
      () => db().orderIntent.findMany({ where: { runId } }),
      (rows) => rows.every((r) => r.state === "cancelled"),
    );
  });

  it("SL: trigger and price mirrored; a child whose order filled is noted; a child that refuses is FAILED alone", async () => {
    const fut = niftyFuture(world.sim);
    const lot = fut.sizes.lotSize;
    world.sim.market.holdPrices(true);
    for (const id of [C1, C3]) world.sim.broker.setFaults(id, { holdRestingOrders: true });
    const { accounts, group } = await setup([{}, {}, {}]);
    const trigger = fut.ltp + 100;
    const order: CopiedOrder = {
      symbol: fut.symbol,
      exchange: "NFO",
      product: "NRML",
      action: "BUY",
      quantity: 2 * lot,
      priceType: "SL",
      price: String(fut.ltp + 3000),
      triggerPrice: String(trigger),
    };
    const { runId } = await recordPlacement(group, "M7", order, fut.sizes);
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    for (const id of [C1, C2, C3])
      expect(childOrders(id).map((o) => [o.pricetype, o.status, o.triggerPrice])).toEqual([
        ["SL", "trigger pending", `${trigger}.00`],
      ]);

    // The market jumps through the trigger: child 2's order fills (the others are held resting).
    const spot = world.sim.market.quote("NIFTY", "NSE_INDEX")!.ltp;
    world.sim.market.setSpot("NIFTY", spot * 1.03);
    await waitFor(
      "child 2's order filled",
      async () => childOrders(C2)[0].status,
      (s) => s === "complete",
    );
    // Child 3's OpenAlgo is switched to semi-auto: it refuses modifications.
    world.sim.broker.setMode(C3, "semi_auto");

    const change = { ...order, price: String(fut.ltp + 3500), triggerPrice: String(trigger + 400) };
    const modify = await recordChange(group.id, "M7", 2, "MODIFY", change);
    await mirrorChange(modify);
    const row = await eventRow(modify);
    expect(row.status).toBe("FAILED");
    expect(row.reason).toMatch(/Semi-Auto/);
    expect(row.reason).toContain(accounts[3].name);
    expect(outcomes(row.children)).toEqual(
      sorted([
        [accounts[1].id, "modified", 2 * lot],
        [accounts[2].id, "noted", 2 * lot],
        [accounts[3].id, "failed", 2 * lot],
      ]),
    );
    const noted = (row.children as unknown as MirroredChild[]).find((c) => c.accountId === accounts[2].id);
    expect(noted?.reason).toMatch(/already (complete|filled)/);
    expect(childOrders(C1).map((o) => [o.price, o.triggerPrice, o.status])).toEqual([
      [`${change.price}.00`, `${change.triggerPrice}.00`, "trigger pending"],
    ]);
    expect(childOrders(C3).map((o) => o.triggerPrice)).toEqual([`${trigger}.00`]);
    const c1 = await db().orderIntent.findFirstOrThrow({ where: { runId, accountId: accounts[1].id } });
    expect([c1.price?.toString(), c1.triggerPrice?.toString()]).toEqual([change.price, change.triggerPrice]);
    // Fill tracking: the triggered copy is filled at its own broker, the ones still in trigger pending stay working.
    const tracked = await waitFor(
      "child 2's fill recorded",
      () => db().orderIntent.findMany({ where: { runId }, include: { account: true } }),
      (rows) => rows.some((r) => r.accountId === accounts[2].id && r.state === "filled"),
    );
    expect(tracked.map((r) => [r.account.name, r.state, r.filledQuantity]).sort()).toEqual([
      [accounts[1].name, "accepted", 0],
      [accounts[2].name, "filled", 2 * lot],
      [accounts[3].name, "accepted", 0],
    ]);
  });

  it("SL-M: a change waits while the children's orders are being sent; a cancel before the send skips them", async () => {
    const fut = niftyFuture(world.sim);
    const lot = fut.sizes.lotSize;
    world.sim.market.holdPrices(true);
    const relay = world.stopAfterTest(await startCountingRelay(world.sim.httpUrl));
    const trader = await makeUser("TRADER");
    const accounts = await linkAccounts({ ...world.sim, httpUrl: relay.url }, trader, instances);
    const groupId = await makeCopyGroup(trader, accounts[0].id, [{ accountId: accounts[1].id }], { mode: "ORDERS" });
    const group = { id: groupId, ownerId: trader.id };
    const order: CopiedOrder = {
      symbol: fut.symbol,
      exchange: "NFO",
      product: "NRML",
      action: "SELL",
      quantity: lot,
      priceType: "SL-M",
      triggerPrice: String(fut.ltp - 200),
    };
    // No dispatch worker yet: the child's intents are planned, not sent.
    const { runId } = await recordPlacement(group, "M9", order, fut.sizes);
    const other = await recordPlacement(group, "M10", order, fut.sizes);
    const modify = await recordChange(group.id, "M9", 2, "MODIFY", { ...order, triggerPrice: String(fut.ltp - 250) });
    await mirrorChange(modify);
    expect((await eventRow(modify)).status).toBe("PENDING");
    expect(outcomes((await eventRow(modify)).children)).toEqual([[accounts[1].id, "waiting", 0]]);
    // The other master order is cancelled before its copy went out: the child's intent is skipped, never sent.
    const cancel = await recordChange(group.id, "M10", 2, "CANCEL", order);
    await mirrorChange(cancel);
    expect(await eventRow(cancel)).toMatchObject({ status: "SENT", reason: null });
    expect(outcomes((await eventRow(cancel)).children)).toEqual([[accounts[1].id, "cancelled", 0]]);

    // The child's broker takes the order but its answer is lost: reconciliation finds the SL-M order in the book.
    world.sim.broker.setFaults(C1, { lostResponseRate: 1 });
    world.stopAfterTest(await startDispatchWorker({ reconcileWindowMs: 1_000, pollIntervalMs: 100 }));
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    await waitForRun(other.runId);
    const [adopted] = await db().orderIntent.findMany({ where: { runId } });
    expect([adopted.state, adopted.brokerOrderId]).toEqual(["reconciled_accepted", childOrders(C1)[0].orderid]);
    expect(childOrders(C1).map((o) => [o.pricetype, o.action, o.triggerPrice])).toEqual([
      ["SL-M", "SELL", `${fut.ltp - 200}.00`],
    ]);
    await mirrorChange(modify);
    expect((await eventRow(modify)).status).toBe("SENT");
    expect(childOrders(C1).map((o) => [o.triggerPrice, o.price, o.status])).toEqual([
      [`${fut.ltp - 250}.00`, "0.00", "trigger pending"],
    ]);
    expect(relay.count(C1, "placeorder")).toBe(1);
  });
});
