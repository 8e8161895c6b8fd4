/**
 * Positions' live-price interest against real Postgres, Redis, BullMQ and the simulator: a filled ticket opens a
 * position, the fill tracker queues a sync, the market-data worker registers the contract and its index under
 * `positions:<kind>`; closing it to flat releases them (docs/market-data.md "Stale data").
 */
import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { POSITION_INTEREST_TTL_MS } from "@/lib/queues/market-data";
import { redis } from "@/lib/redis";
import { LIVE, wantedContracts } from "@/lib/services/market-data";
import { syncAccountFills } from "@/lib/services/fills";
import { jsonRequest, makeUser, sessionCookie } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { linkAccounts, startDispatchWorker, waitForRun } from "@/lib/testing/dispatch-kit";
import { startMarketDataWorker } from "@/lib/testing/market-data-kit";
import { waitFor } from "@/lib/testing/wait";
import { POST as ticketExecuteRoute } from "@/app/api/ticket/execute/route";
import { syncPositionInterest } from ".";

const INSTANCES = instanceConfigs(2, "pi");
const world = useIntegrationWorld(INSTANCES);

const wantedList = async (kind: "real" | "simulated") =>
  [...(await wantedContracts(kind)).entries()].map(([key, w]) => ({ key, mode: w.mode, holders: w.holders }));

describe("positions interest", () => {
  it("a filled entry subscribes its contract and index at once; closing it to flat releases them", async () => {
    const trader = await makeUser("TRADER");
    const cookie = await sessionCookie(trader);
    const [account] = await linkAccounts(world.sim, trader, INSTANCES.slice(0, 1));
    world.stopAfterTest(await startDispatchWorker());
    const md = world.stopAfterTest(await startMarketDataWorker());
    const expiry = world.sim.market.expiries("NIFTY", "NFO", "options")[0].replace(/-/g, "");
    const option = world.sim.market.optionChain("NIFTY", "NFO", expiry)!.rows[0].ce!.instrument.symbol;
    const ticket = async (action: "BUY" | "SELL", key: string) => {
      const res = await ticketExecuteRoute(
        jsonRequest("/x", {
          cookie,
          body: {
            accountIds: [account.id],
            symbol: option,
            exchange: "NFO",
            action,
            lots: 1,
            product: "NRML",
            priceType: "MARKET",
            idempotencyKey: key,
          },
        }),
      );
      expect(res.status).toBe(201);
      await waitForRun((await res.json()).runId);
      // The fill tracker records the fill and queues the interest sync (nothing else runs it in this test).
      expect((await syncAccountFills(account.id)).changed).toBe(1);
    };

    expect(await wantedList("simulated")).toEqual([]);
    await ticket("BUY", "interest-open-0001");
    const open = await waitFor(
      "the position's contract and index wanted",
      () => wantedList("simulated"),
      (w) => w.length === 2,
    );
    expect(open.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: `NFO:${option}`, mode: 2, holders: ["positions:simulated"] },
      { key: "NSE_INDEX:NIFTY", mode: 1, holders: ["positions:simulated"] },
    ]);
    const ttl = await redis().pttl(LIVE.lease("positions:simulated"));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(POSITION_INTEREST_TTL_MS);
    // Simulated positions never ask the real feed.
    expect(await wantedList("real")).toEqual([]);

    await ticket("SELL", "interest-close-0001");
    await waitFor(
      "the flat position released",
      () => wantedList("simulated"),
      (w) => w.length === 0,
    );
    expect(await redis().exists(LIVE.lease("positions:simulated"))).toBe(0);
    expect(await redis().sismember(LIVE.holders, "positions:simulated")).toBe(0);
    expect(md.errors).toEqual([]);
  });

  it("registers each account's positions under its own feed kind, and a contract expired before today under none", async () => {
    const trader = await makeUser("TRADER");
    const [sim, other] = await linkAccounts(world.sim, trader, INSTANCES);
    // The second account's broker is a real one (as its health ping would have recorded): real prices for it.
    await db().tradingAccount.update({ where: { id: other.id }, data: { brokerName: "zerodha" } });
    const fill = async (accountId: string, symbol: string, action: "BUY" | "SELL", quantity: number) => {
      const runId = crypto.randomUUID();
      await db().strategyRun.create({
        data: {
          id: runId,
          ownerId: trader.id,
          kind: "TICKET",
          idempotencyKey: `k-${runId}`,
          triggeredAt: new Date(),
          plan: {},
        },
      });
      await db().orderIntent.create({
        data: {
          id: `${runId}-0`,
          runId,
          accountId,
          legIndex: 0,
          sliceIndex: 0,
          phase: 1,
          symbol,
          exchange: symbol.startsWith("SENSEX") ? "BFO" : "NFO",
          action,
          product: "NRML",
          priceType: "MARKET",
          quantity,
          state: "filled",
          sentAt: new Date(),
          filledQuantity: quantity,
          averagePrice: new Decimal("100"),
        },
      });
    };
    await fill(sim.id, "NIFTY29DEC2624000CE", "SELL", 65);
    await fill(other.id, "SENSEX31DEC2680000PE", "BUY", 20);
    await fill(other.id, "NIFTY01DEC2624000PE", "BUY", 65);

    const counts = await syncPositionInterest(60_000, new Date("2026-12-07T05:00:00Z"));
    expect(counts).toEqual({ real: 2, simulated: 2 });
    expect((await wantedList("simulated")).map((w) => w.key).sort()).toEqual([
      "NFO:NIFTY29DEC2624000CE",
      "NSE_INDEX:NIFTY",
    ]);
    expect((await wantedList("real")).map((w) => [w.key, w.mode, w.holders])).toEqual([
      ["BFO:SENSEX31DEC2680000PE", 2, ["positions:real"]],
      ["BSE_INDEX:SENSEX", 1, ["positions:real"]],
    ]);
  });
});
