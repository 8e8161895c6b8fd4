import Decimal from "decimal.js";
import { Worker } from "bullmq";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { BULL_PREFIX, queue } from "@/lib/queues/queues";
import {
  MTM_COMPACT_SCHEDULER,
  MTM_SNAPSHOT_SCHEDULER,
  PNL_HISTORY_QUEUE,
  schedulePnlHistory,
} from "@/lib/queues/pnl-history";
import { createBlockingRedis } from "@/lib/redis";
import { writeQuote } from "@/lib/services/market-data";
import { closeConnections, makeUser, resetState } from "@/lib/testing/fixtures";
import { waitFor } from "@/lib/testing/wait";
import { processPnlHistoryJob } from "./pnl-history";
import { liveQuote } from "@/lib/testing/live-quote";

beforeEach(resetState);
afterAll(closeConnections);

const SYMBOL = "NIFTY08DEC2624500CE";

describe("the pnl-history queue", () => {
  it("schedules snapshots and the nightly compaction, and the worker's processor records open positions", async () => {
    const trader = await makeUser("TRADER");
    const account = await db().tradingAccount.create({
      data: {
        ownerId: trader.id,
        name: "acct 1",
        hostUrl: "http://127.0.0.1:9",
        wsUrl: "ws://127.0.0.1:9",
        apiKeyEnc: "not-a-ciphertext",
        apiKeyLast4: "0000",
        brokerName: "simulator",
      },
    });
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
        id: `${runId.slice(0, 8)}-0`,
        runId,
        accountId: account.id,
        legIndex: 0,
        sliceIndex: 0,
        phase: 1,
        symbol: SYMBOL,
        exchange: "NFO",
        action: "SELL",
        product: "NRML",
        priceType: "MARKET",
        quantity: 75,
        state: "filled",
        filledQuantity: 75,
        averagePrice: new Decimal("80"),
      },
    });
    await writeQuote("simulated", liveQuote({ exchange: "NFO", symbol: SYMBOL, ltp: "70", accountId: account.id }));

    await schedulePnlHistory(250);
    const schedulers = await queue(PNL_HISTORY_QUEUE).getJobSchedulers();
    expect(Object.fromEntries(schedulers.map((s) => [s.key, s.pattern ?? s.every]))).toEqual({
      [MTM_SNAPSHOT_SCHEDULER]: 250,
      [MTM_COMPACT_SCHEDULER]: "0 15 0 * * *",
    });
    expect(schedulers.find((s) => s.key === MTM_COMPACT_SCHEDULER)?.tz).toBe("Asia/Kolkata");

    const connection = createBlockingRedis();
    const worker = new Worker(PNL_HISTORY_QUEUE, processPnlHistoryJob, { connection, prefix: BULL_PREFIX });
    try {
      const points = await waitFor(
        "snapshots of the open short",
        () => db().mtmSnapshot.findMany({ where: { series: `run:${runId}` } }),
        (rows) => rows.length >= 2,
      );
      // Short 75 at ₹80, LTP ₹70: (70 − 80) × −75 = ₹750 at every instant while the price stands still.
      expect(points.map((p) => p.total?.toString())).toEqual(points.map(() => "750"));
      expect(points.every((p) => p.allLive && p.openPositions === 1)).toBe(true);
    } finally {
      await worker.close();
      await connection.quit().catch(() => connection.disconnect());
      for (const id of [MTM_SNAPSHOT_SCHEDULER, MTM_COMPACT_SCHEDULER])
        await queue(PNL_HISTORY_QUEUE).removeJobScheduler(id);
    }
  });
});
