import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { makeUser } from "@/lib/testing/fixtures";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { DEFAULT_INSTRUMENT_SETTINGS } from "@/lib/trading/instruments";
import { ironCondor, linkAccounts, startDispatchWorker, startRun, waitForRun } from "@/lib/testing/dispatch-kit";
import { requestExit } from ".";
import { simPositions, startExitWorker, waitForExit } from "@/lib/testing/exits-kit";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import { adapterFor } from "@/lib/services/broker-access";
import { BROKER_FREEZE_TTL_MS, BrokerFreezes } from "./freeze";

const INSTANCES = instanceConfigs(1, "frz").map((c) => ({ ...c, capital: "100000000" }));
const world = useIntegrationWorld(INSTANCES);

beforeEach(async () => {
  world.stopAfterTest(await startDispatchWorker({ reconcileWindowMs: 500, pollIntervalMs: 50 }));
  world.stopAfterTest(await startExitWorker());
});
afterEach(() => {
  world.sim.market.overrideContract("NIFTY", { freezeQty: DEFAULT_INSTRUMENT_SETTINGS.NIFTY.freezeQty });
  world.sim.market.setExchangeFreeze("NIFTY", null);
});

describe("exit slicing after a freeze revision", () => {
  it("an exit slices from the current freeze quantity, not the entry's: 1,300-unit legs leave in 650-unit orders, none rejected", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(world.sim, trader, INSTANCES);
    // 20 lots of 65 = 1,300 units per leg: one order each under the entry's freeze (1,755).
    const { runId } = await startRun(trader.id, ironCondor(20));
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    const entry = world.sim.broker.receivedOrders(INSTANCES[0].id);
    expect(entry.map((o) => o.quantity)).toEqual([1300, 1300, 1300, 1300]);
    const held = simPositions(world.sim, INSTANCES[0].id);
    expect([...held.values()].sort()).toEqual([-1300, -1300, 1300, 1300]);

    // The exchange revises NIFTY's freeze limit to 650 (10 lots) during the day.
    world.sim.market.overrideContract("NIFTY", { freezeQty: 650 });
    const { exitId } = await requestExit(trader, { scope: "run", runId }, "127.0.0.1");
    const exit = await waitForExit(exitId, 30_000);
    expect(exit.status).toBe("DONE");

    const exitOrders = world.sim.broker.receivedOrders(INSTANCES[0].id).slice(entry.length);
    expect(exitOrders.filter((o) => o.status === "rejected")).toEqual([]);
    expect(exitOrders.map((o) => o.quantity)).toEqual(Array(8).fill(650));
    // Two orders per position, on the closing side.
    for (const [key, qty] of held) {
      const [symbol] = key.split("|");
      const closing = exitOrders.filter((o) => o.symbol === symbol);
      expect(closing.map((o) => o.action)).toEqual(Array(2).fill(qty > 0 ? "SELL" : "BUY"));
    }
    expect([...simPositions(world.sim, INSTANCES[0].id)]).toEqual([]);
    expect(await db().alert.count({ where: { kind: "exit_failed" } })).toBe(0);
  });

  it("an exit whose slices the exchange rejects for a freeze limit the broker does not report is re-sliced to the learned limit: flat, once", async () => {
    const trader = await makeUser("TRADER");
    await linkAccounts(world.sim, trader, INSTANCES);
    const { runId } = await startRun(trader.id, ironCondor(20));
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    const entry = world.sim.broker.receivedOrders(INSTANCES[0].id);
    expect(entry.map((o) => o.quantity)).toEqual([1300, 1300, 1300, 1300]);
    const held = simPositions(world.sim, INSTANCES[0].id);

    // The exchange now enforces 650 units, but the broker's instrument data still says 1,755: the exit's first
    // slices (one 1,300-unit order per leg) are rejected, naming the limit.
    world.sim.market.setExchangeFreeze("NIFTY", 650);
    const reported = world.sim.market.instrument([...held.keys()][0].split("|")[0], "NFO");
    expect(reported?.freezeQty).toBe(DEFAULT_INSTRUMENT_SETTINGS.NIFTY.freezeQty);
    const { exitId } = await requestExit(trader, { scope: "run", runId }, "127.0.0.1");
    const exit = await waitForExit(exitId, 60_000);
    expect(exit.status).toBe("DONE");

    const exitOrders = world.sim.broker.receivedOrders(INSTANCES[0].id).slice(entry.length);
    const rejected = exitOrders.filter((o) => o.status === "rejected");
    expect(rejected.map((o) => o.quantity)).toEqual([1300, 1300, 1300, 1300]);
    expect(rejected.every((o) => /exceeds the freeze limit of 650/.test(o.rejectionReason))).toBe(true);
    // Then re-sliced to the learned limit: two 650-unit orders per position on the closing side, and nothing else.
    const taken = exitOrders.filter((o) => o.status !== "rejected");
    expect(taken.map((o) => `${o.status} ${o.quantity}`)).toEqual(Array(8).fill("complete 650"));
    for (const [key, qty] of held) {
      const [symbol] = key.split("|");
      const closing = taken.filter((o) => o.symbol === symbol);
      expect(closing.map((o) => o.action)).toEqual(Array(2).fill(qty > 0 ? "SELL" : "BUY"));
      expect(closing.reduce((n, o) => n + o.filledQuantity, 0)).toBe(Math.abs(qty));
    }
    expect([...simPositions(world.sim, INSTANCES[0].id)]).toEqual([]);
  });

  it("a drive shares the broker's freeze answer of a contract for BROKER_FREEZE_TTL_MS, then asks again; a failure is never kept", async () => {
    const trader = await makeUser("TRADER");
    const [account] = await linkAccounts(world.sim, trader, INSTANCES);
    const adapter = adapterFor((await loadAccountSecret(account.id))!);
    const { runId } = await startRun(trader.id, ironCondor(1));
    await waitForRun(runId);
    const symbol = [...simPositions(world.sim, INSTANCES[0].id).keys()][0].split("|")[0];
    const contract = { symbol, exchange: "NFO" };
    let clock = 1_000_000;
    const freezes = new BrokerFreezes(() => clock);
    const read = () => freezes.read(adapter, "broker-a", contract);
    expect(await read()).toBe(DEFAULT_INSTRUMENT_SETTINGS.NIFTY.freezeQty);

    // The broker now states 650: within the TTL the drive keeps the answer it had, after it the broker is asked.
    world.sim.market.overrideContract("NIFTY", { freezeQty: 650 });
    clock += BROKER_FREEZE_TTL_MS - 1;
    expect(await read()).toBe(DEFAULT_INSTRUMENT_SETTINGS.NIFTY.freezeQty);
    clock += 1;
    expect(await read()).toBe(650);
    // Another broker (host) is asked for itself.
    world.sim.market.overrideContract("NIFTY", { freezeQty: 520 });
    expect(await freezes.read(adapter, "broker-b", contract)).toBe(520);

    // A failed read is not shared: the next caller asks the broker again.
    const fresh = new BrokerFreezes(() => clock);
    world.sim.broker.setFaults(INSTANCES[0].id, { http500Rate: 1 });
    await expect(fresh.read(adapter, "broker-a", contract)).rejects.toThrow();
    world.sim.broker.setFaults(INSTANCES[0].id, { http500Rate: 0 });
    expect(await fresh.read(adapter, "broker-a", contract)).toBe(520);
  });
});
