import { MARKET_DATA_QUEUE, marketDataJobSchemas, POSITION_INTEREST_TTL_MS } from "@/lib/queues/market-data";
import { typedProcessor } from "@/lib/queues/jobs";
import { sweepStale, tradingClock } from "@/lib/services/market-data";
import { syncPositionInterest } from "@/lib/services/positions";

/** Live prices: open positions' interest leases, and the stale-data watchdog's sweep. */
export const processMarketDataJob = typedProcessor(MARKET_DATA_QUEUE, marketDataJobSchemas, async (job) => {
  switch (job.name) {
    case "positions-interest":
      return syncPositionInterest(POSITION_INTEREST_TTL_MS);
    case "stale-sweep":
      return sweepStale(tradingClock());
  }
});
