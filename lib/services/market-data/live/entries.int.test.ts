/**
 * Entries refused on a stale underlying, through the API routes against real Postgres, Redis, BullMQ and the
 * simulator: strategy execute and preview, an adjustment's added legs and a ticket answer 409 naming the underlying
 * and since when; another underlying and exits go through; a live tick newer than the flag lets entries in again
 * (docs/market-data.md "Stale data").
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db/client";
import { jsonRequest, makeUser, paramsOf, sessionCookie } from "@/lib/testing/fixtures";
import { useIntegrationWorld } from "@/lib/testing/integration-world";
import { instanceConfigs } from "@/lib/testing/simulator-instances";
import { ironCondor, linkAccounts, startDispatchWorker, waitForRun } from "@/lib/testing/dispatch-kit";
import { makeStrategy, runStrategy, startExitWorker, waitForExit } from "@/lib/testing/exits-kit";
import { POST as exitsPost } from "@/app/api/exits/route";
import { POST as executeRoute } from "@/app/api/strategies/[id]/execute/route";
import { POST as legsRoute } from "@/app/api/strategies/[id]/legs/route";
import { POST as previewRoute } from "@/app/api/strategies/[id]/preview/route";
import { POST as ticketExecuteRoute } from "@/app/api/ticket/execute/route";
import { syncAccountFills } from "@/lib/services/fills";
import { syncPositionInterest } from "@/lib/services/positions";
import type { LiveQuote } from "./contract";
import { readStaleFlags, writeQuote } from "./quote-store";
import { sweepStale } from "./watchdog";
import { liveQuote } from "@/lib/testing/live-quote";

const INSTANCES = instanceConfigs(2, "se").map((c) => ({ ...c, showStrategy: true }));
const world = useIntegrationWorld(INSTANCES);
const OPTS = { indexMs: 5_000, contractMs: 20_000, restEveryMs: 5_000 };

let workers: { close(): Promise<void> }[] = [];
beforeEach(async () => {
  workers = [await startDispatchWorker(), await startExitWorker()];
});
afterEach(async () => {
  for (const w of workers.reverse()) await w.close();
});

const post = (body: unknown, cookie: string) => jsonRequest("/x", { body, cookie });
/** A tick of NIFTY's index from the live feed, received at `at`. */
const niftyTick = (at: number, accountId: string): LiveQuote =>
  liveQuote({
    exchange: "NSE_INDEX",
    symbol: "NIFTY",
    ltp: "24000",
    receivedAt: new Date(at).toISOString(),
    accountId,
  });

describe("entries on a stale underlying", () => {
  it("are refused with 409 naming the underlying and since when; exits and other underlyings go through; a live tick lets them in again", async () => {
    const trader = await makeUser("TRADER");
    const cookie = await sessionCookie(trader);
    const accounts = await linkAccounts(world.sim, trader, INSTANCES);
    const strategy = await makeStrategy(trader, ironCondor());
    const { runId } = await runStrategy(trader.id, strategy.id, ironCondor());
    expect((await waitForRun(runId)).status).toBe("COMPLETED");
    for (const a of accounts) await syncAccountFills(a.id);

    // The open iron condor wants NIFTY's index live; the feed streams it once, then falls silent past the threshold.
    expect((await syncPositionInterest(60_000)).simulated).toBe(5);
    const t0 = Date.now();
    await writeQuote("simulated", niftyTick(t0, accounts[0].id));
    await sweepStale({ now: new Date(t0), alwaysOpen: true }, OPTS);
    expect((await sweepStale({ now: new Date(t0 + 6_000), alwaysOpen: true }, OPTS)).simulated.raised).toEqual([
      "NSE_INDEX:NIFTY",
    ]);
    const flag = (await readStaleFlags("simulated")).get("NSE_INDEX:NIFTY")!;

    const refusals = [
      await executeRoute(post({ idempotencyKey: "stale-entry-0001" }, cookie), paramsOf({ id: strategy.id })),
      await previewRoute(post({}, cookie), paramsOf({ id: strategy.id })),
    ];
    // An adjustment: the legs are stored, but placing them is an entry.
    const added = await legsRoute(post({ legs: [ironCondor().legs[1]] }, cookie), paramsOf({ id: strategy.id }));
    expect(added.status).toBe(200);
    const { addedLegIndexes } = await added.json();
    refusals.push(
      await executeRoute(
        post({ idempotencyKey: "stale-adjust-0001", legIndexes: addedLegIndexes }, cookie),
        paramsOf({ id: strategy.id }),
      ),
    );
    const option = (await db().orderIntent.findFirstOrThrow({ where: { runId } })).symbol;
    const ticket = (symbol: string, exchange: string, product: string, key: string) =>
      ticketExecuteRoute(
        post(
          {
            accountIds: accounts.map((a) => a.id),
            symbol,
            exchange,
            action: "BUY",
            lots: 1,
            product,
            priceType: "MARKET",
            idempotencyKey: key,
          },
          cookie,
        ),
      );
    refusals.push(await ticket(option, "NFO", "NRML", "stale-ticket-0001"));
    for (const res of refusals) {
      expect(res.status).toBe(409);
      const { error } = await res.json();
      expect(error.code).toBe("CONFLICT");
      expect(error.message).toMatch(
        /^New entries on NIFTY are refused while live prices are stale\. NIFTY live simulated prices are stale since \d\d:\d\d:\d\d IST: NSE_INDEX:NIFTY stale since \d\d:\d\d:\d\d IST \(last live tick \d\d:\d\d:\d\d IST\)\. Exits stay allowed/,
      );
      expect(error.fields.underlying).toHaveLength(1);
    }
    expect(await db().strategyRun.count({ where: { kind: { not: "EXIT" } } })).toBe(1);

    // Another underlying is not stale: its ticket goes through.
    const sbin = await ticket("SBIN", "NSE", "CNC", "fresh-ticket-0001");
    expect(sbin.status).toBe(201);
    expect((await waitForRun((await sbin.json()).runId)).status).toBe("COMPLETED");

    // Exits of the stale underlying stay allowed.
    const exit = await exitsPost(
      jsonRequest("/api/exits", { body: { scope: "strategy", strategyId: strategy.id }, cookie }),
    );
    expect(exit.status).toBe(200);
    expect((await waitForExit((await exit.json()).exitId)).status).toBe("DONE");

    // A live tick newer than the flag: the next entry is let in (the flag clears without waiting for a sweep).
    await writeQuote("simulated", niftyTick(Date.parse(flag.since) + 1, accounts[0].id));
    const again = await executeRoute(
      post({ idempotencyKey: "fresh-entry-0001" }, cookie),
      paramsOf({ id: strategy.id }),
    );
    expect(again.status).toBe(201);
    expect((await readStaleFlags("simulated")).size).toBe(0);
    expect((await waitForRun((await again.json()).runId)).status).toBe("COMPLETED");
  });
});
