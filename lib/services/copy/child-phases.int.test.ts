import { afterEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { InstanceConfig } from "@/lib/simulator/types";
import { makeCopyGroup, masterPlace } from "@/lib/testing/copy-kit";
import { FAST_DISPATCH, startCopyPipeline, startCopyWorker } from "@/lib/testing/copy-engine-kit";
import { linkAccounts, startDispatchWorker, waitForRun } from "@/lib/testing/dispatch-kit";
import { startFillsWorker } from "@/lib/testing/fills-kit";
import { simPositions } from "@/lib/testing/exits-kit";
import { makeUser } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { waitFor } from "@/lib/testing/wait";

// The child has money for an option, not for a future's margin.
const [MASTER, RICH] = instanceConfigs(2, "cph");
const CHILD: InstanceConfig = { ...RICH, capital: "100000" };
const world = useIntegrationWorld([MASTER, CHILD]);

/** NIFTY's nearest-expiry call nearest the money, and its nearest future. */
function contracts() {
  const spot = world.sim.market.quote("NIFTY", "NSE_INDEX")!.ltp;
  const nfo = world.sim.market.instruments("NFO").filter((i) => i.underlying === "NIFTY");
  const nearest = <T extends { expiryTs?: number | null }>(rows: T[]) =>
    rows.filter((r) => r.expiryTs === Math.min(...rows.map((x) => x.expiryTs ?? Infinity)));
  const ce = nearest(nfo.filter((i) => i.instrumenttype === "CE")).sort(
    (a, b) => Math.abs(a.strike - spot) - Math.abs(b.strike - spot),
  )[0];
  const fut = nearest(nfo.filter((i) => i.instrumenttype === "FUT"))[0];
  return { ce: ce.symbol, fut: fut.symbol, lot: ce.lotsize };
}

/** The nearest-expiry NIFTY call whose lot costs closest to `rupees`. */
function callCosting(rupees: number) {
  const calls = world.sim.market
    .instruments("NFO")
    .filter((i) => i.underlying === "NIFTY" && i.instrumenttype === "CE");
  const expiry = Math.min(...calls.map((c) => c.expiryTs ?? Infinity));
  const cost = (c: (typeof calls)[number]) => world.sim.market.quote(c.symbol, "NFO")!.ltp * c.lotsize;
  const ce = calls
    .filter((c) => c.expiryTs === expiry)
    .sort((a, b) => Math.abs(cost(a) - rupees) - Math.abs(cost(b) - rupees))[0];
  return { symbol: ce.symbol, lot: ce.lotsize };
}

afterEach(() => world.sim.market.holdPrices(false));

const childNet = (symbol: string) => simPositions(world.sim, CHILD.id).get(`${symbol}|NFO|NRML`) ?? 0;

describe("copy runs: a child's closing order never waits on an opening it could not get", () => {
  it("a roll (close one contract, open another) whose opening BUY the child's broker refuses still closes the child", async () => {
    const { ce, fut, lot } = contracts();
    const trader = await makeUser("TRADER");
    const accounts = await linkAccounts(world.sim, trader, [MASTER, CHILD]);
    const groupId = await makeCopyGroup(trader, accounts[0].id, [{ accountId: accounts[1].id }]);
    await startCopyPipeline(world);
    await masterPlace(world.sim, MASTER, { symbol: ce, exchange: "NFO", action: "BUY", quantity: lot });
    await waitFor(
      "the child's call",
      async () => childNet(ce),
      (n) => n === lot,
    );

    // The roll reaches the engine in one scan (the book shows both orders at once): one run, two legs.
    world.sim.broker.setFaults(MASTER.id, { bookLagging: true });
    await masterPlace(world.sim, MASTER, { symbol: ce, exchange: "NFO", action: "SELL", quantity: lot });
    await masterPlace(world.sim, MASTER, { symbol: fut, exchange: "NFO", action: "BUY", quantity: lot });
    world.sim.broker.setFaults(MASTER.id, { bookLagging: false });
    const events = await waitFor(
      "the roll handed on",
      () => db().copyEvent.findMany({ where: { groupId }, orderBy: { detectedAt: "asc" } }),
      (e) => e.length === 3 && e.every((x) => x.status !== "PENDING"),
    );
    expect(events.map((e) => [e.symbol, e.action, e.status])).toEqual(
      expect.arrayContaining([
        [ce, "SELL", "SENT"],
        [fut, "BUY", "SENT"],
      ]),
    );
    expect(events[1].runId).toBe(events[2].runId);
    await waitForRun(events[2].runId!);
    const intents = await waitFor(
      "the close filled",
      () => db().orderIntent.findMany({ where: { runId: events[2].runId! }, orderBy: { action: "asc" } }),
      (rows) => rows.some((i) => i.state === "filled" || i.state === "held"),
    );
    expect(intents.map((i) => [i.symbol, i.action, i.state])).toEqual([
      [fut, "BUY", "rejected"],
      [ce, "SELL", "filled"],
    ]);
    expect(childNet(ce)).toBe(0);
    expect(childNet(fut)).toBe(0);
  });

  it("a close sized while the child's opening was on its way is cut to what the child holds when that opening is refused", async () => {
    world.sim.market.holdPrices(true);
    // One lot of this call is about 70% of the child's money: a second lot is refused, and so is a naked short.
    const { symbol: ce, lot } = callCosting(70_000);
    const trader = await makeUser("TRADER");
    const accounts = await linkAccounts(world.sim, trader, [MASTER, CHILD]);
    const groupId = await makeCopyGroup(trader, accounts[0].id, [{ accountId: accounts[1].id }]);
    const dispatch = await startDispatchWorker(FAST_DISPATCH);
    world.stopAfterTest(await startFillsWorker());
    world.stopAfterTest(await startCopyWorker());
    await masterPlace(world.sim, MASTER, { symbol: ce, exchange: "NFO", action: "BUY", quantity: lot });
    await waitFor(
      "the child's first lot",
      async () => childNet(ce),
      (n) => n === lot,
    );

    // No dispatch for a while: the master's second lot is planned for the child, not yet sent ...
    await dispatch.close();
    await masterPlace(world.sim, MASTER, { symbol: ce, exchange: "NFO", action: "BUY", quantity: lot });
    await waitFor(
      "the second lot's run",
      () => db().copyEvent.findMany({ where: { groupId, status: "SENT" } }),
      (e) => e.length === 2,
    );
    // ... when the master closes everything: sized against the lot held plus the lot on its way.
    await masterPlace(world.sim, MASTER, { symbol: ce, exchange: "NFO", action: "SELL", quantity: 2 * lot });
    const close = await waitFor(
      "the close recorded",
      () => db().copyEvent.findFirst({ where: { groupId, action: "SELL" } }),
      (e) => e !== null,
    );
    expect(close!.children).toMatchObject([{ action: "SELL", quantity: 2 * lot }]);

    // The child's broker refuses the second lot (money): the close must take only the lot the child holds.
    world.stopAfterTest(await startDispatchWorker(FAST_DISPATCH));
    const handled = await waitFor(
      "the close handed on",
      () => db().copyEvent.findUniqueOrThrow({ where: { id: close!.id } }),
      (e) => e.status !== "PENDING",
    );
    expect(handled.status).toBe("SENT");
    await waitForRun(handled.runId!);
    expect(handled.children).toMatchObject([{ action: "SELL", quantity: lot }]);
    await waitFor(
      "the child flat",
      async () => childNet(ce),
      (n) => n === 0,
    );
    expect(world.sim.broker.receivedOrders(CHILD.id).map((o) => `${o.action} ${o.quantity} ${o.status}`)).toEqual([
      `BUY ${lot} complete`,
      `BUY ${lot} rejected`,
      `SELL ${lot} complete`,
    ]);
  });
});
