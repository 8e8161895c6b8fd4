import Decimal from "decimal.js";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import type { RunningSimulator } from "@/lib/simulator/server/start-simulator";
import { writeQuote } from "@/lib/services/market-data";
import { linkAccounts } from "@/lib/testing/dispatch-kit";
import { startCountingRelay } from "@/lib/testing/fills-kit";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { instanceConfigs, startSim } from "@/lib/testing/simulator-instances";
import { recordMtm } from "./index";
import { REST_REUSE_MS } from "./prices";
import { liveQuote } from "@/lib/testing/live-quote";

const [A] = instanceConfigs(1, "mtm");
let sim: RunningSimulator;
let relay: Awaited<ReturnType<typeof startCountingRelay>>;

beforeAll(async () => {
  sim = await startSim([A]);
  relay = await startCountingRelay(sim.httpUrl);
});
beforeEach(resetState);
afterAll(async () => {
  await relay.close();
  await sim.close();
  await closeConnections();
});

const T0 = new Date("2026-12-07T05:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

describe("P&L snapshot prices without a live quote", () => {
  it("falls back to the market-data account's REST quote, says so, and reuses it instead of calling every snapshot", async () => {
    const trader = await makeUser("TRADER");
    const [account] = await linkAccounts({ ...sim, httpUrl: relay.url }, trader, [A]);
    const runId = crypto.randomUUID();
    await db().strategyRun.create({
      data: { id: runId, ownerId: trader.id, kind: "TICKET", idempotencyKey: `k-${runId}`, triggeredAt: T0, plan: {} },
    });
    await db().orderIntent.create({
      data: {
        id: `${runId.slice(0, 8)}-0`,
        runId,
        accountId: account.id,
        legIndex: 0,
        sliceIndex: 0,
        phase: 1,
        symbol: "SBIN",
        exchange: "NSE",
        action: "BUY",
        product: "CNC",
        priceType: "MARKET",
        quantity: 10,
        state: "filled",
        filledQuantity: 10,
        averagePrice: new Decimal("700"),
      },
    });
    const quotes = () => relay.count(A.id, "quotes");
    const runPoints = () => db().mtmSnapshot.findMany({ where: { series: `run:${runId}` }, orderBy: { at: "asc" } });

    await recordMtm(T0);
    expect(quotes()).toBe(1);
    const [first] = await runPoints();
    expect(first.unrealised).not.toBeNull();
    expect(first.allLive).toBe(false);

    await recordMtm(at(5_000));
    expect(quotes()).toBe(1);
    expect((await runPoints())[1].unrealised?.toString()).toBe(first.unrealised?.toString());

    await recordMtm(at(REST_REUSE_MS + 1_000));
    expect(quotes()).toBe(2);

    // Once the feed has the contract, the live quote prices it and no REST call is made.
    await writeQuote(
      "simulated",
      liveQuote({ exchange: "NSE", symbol: "SBIN", ltp: "750", receivedAt: T0.toISOString(), accountId: account.id }),
    );
    await recordMtm(at(REST_REUSE_MS + 2_000));
    expect(quotes()).toBe(2);
    const live = (await runPoints()).at(-1)!;
    expect(live.unrealised?.toString()).toBe("500");
    expect(live.allLive).toBe(true);
  });
});
