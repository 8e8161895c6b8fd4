import { RISK_QUEUE, riskJobSchemas } from "@/lib/queues/risk";
import { typedProcessor } from "@/lib/queues/jobs";
import { sweepRiskNow } from "@/lib/services/risk";

/** Risk queue: `sweep` (every armed run and daily loss limit evaluated at the latest fresh prices, every second). */
export const processRiskJob = typedProcessor(RISK_QUEUE, riskJobSchemas, async (job) => {
  switch (job.name) {
    case "sweep":
      return sweepRiskNow();
  }
});
