import { RISK_STOPS_QUEUE, riskStopsJobSchemas } from "@/lib/queues/risk-stops";
import { typedProcessor } from "@/lib/queues/jobs";
import { sweepStops, syncAccountStops } from "@/lib/services/risk-stops";

/**
 * Risk-stops queue: `sync` (one account's broker-side leg stops brought in line with what its runs hold) and `sweep`
 * (a sync for every account with such runs).
 */
export const processRiskStopsJob = typedProcessor(RISK_STOPS_QUEUE, riskStopsJobSchemas, async (job) => {
  switch (job.name) {
    case "sync":
      return syncAccountStops(job.data.accountId);
    case "sweep":
      return sweepStops(new Date());
  }
});
