import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { InstanceConfig } from "@/lib/simulator/types";
import { makeCopyGroup, masterPlace } from "@/lib/testing/copy-kit";
import { startCopyPipeline } from "@/lib/testing/copy-engine-kit";
import { linkAccounts, waitForRun } from "@/lib/testing/dispatch-kit";
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
});
