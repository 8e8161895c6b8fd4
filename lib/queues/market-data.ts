/**
 * The market-data queue: `positions-interest` (register the live prices open positions need; every few seconds and
 * right after fills change the ledger) and `stale-sweep` (the stale-data watchdog, every second). docs/market-data.md
 * "Stale data".
 */
import { z } from "zod";
import { coalescer } from "@/lib/db/queries/coalesce";
import { queue, upsertScheduler } from "./queues";
import { SCHEDULED_JOB } from "./jobs";

export const MARKET_DATA_QUEUE = "market-data";

/** Both jobs carry nothing: they read the ledger, the interest leases and the quote store afresh. */
const emptyJobSchema = z.object({}).strict();
export const marketDataJobSchemas = { "positions-interest": emptyJobSchema, "stale-sweep": emptyJobSchema };
export type MarketDataJobName = keyof typeof marketDataJobSchemas;
export type MarketDataJobData = z.infer<typeof emptyJobSchema>;

/** How often open positions' interest is re-registered, ms; its lease lives a few of these (POSITION_INTEREST_TTL_MS). */
export const POSITION_INTEREST_SYNC_MS = 5_000;
/** A missed sync or two never drops a subscription; a dead worker's lease runs out within this. */
export const POSITION_INTEREST_TTL_MS = 4 * POSITION_INTEREST_SYNC_MS;
/** Watchdog sweep period, ms. */
export const STALE_SWEEP_MS = 1_000;

export const POSITION_INTEREST_SCHEDULER = "market-data:positions-interest";
export const STALE_SWEEP_SCHEDULER = "market-data:stale-sweep";

export async function scheduleMarketDataJobs(
  interestEveryMs = POSITION_INTEREST_SYNC_MS,
  sweepEveryMs = STALE_SWEEP_MS,
): Promise<void> {
  await upsertScheduler(MARKET_DATA_QUEUE, POSITION_INTEREST_SCHEDULER, interestEveryMs, {
    name: "positions-interest",
    data: {},
    opts: SCHEDULED_JOB,
  });
  await upsertScheduler(MARKET_DATA_QUEUE, STALE_SWEEP_SCHEDULER, sweepEveryMs, {
    name: "stale-sweep",
    data: {},
    opts: SCHEDULED_JOB,
  });
}

/**
 * A positions-interest sync now (fills changed the ledger). Deduplicated by job id: while one waits, more fills add
 * nothing, as the sync reads the whole ledger anyway; one already running may miss the newest fill, which the next
 * periodic sync then picks up. Within a process, the asks of a burst (hundreds of accounts' fills at once) share one
 * add: each ask is served by an add that starts after it.
 */
export function enqueuePositionInterestSync(): Promise<void> {
  return positionInterestAsks(undefined);
}

const positionInterestAsks = coalescer<undefined, void>(async (batch) => {
  await queue<MarketDataJobData, MarketDataJobName>(MARKET_DATA_QUEUE).add(
    "positions-interest",
    {},
    { jobId: "positions-interest-now", removeOnComplete: true, removeOnFail: true },
  );
  return batch.map(() => undefined);
});
