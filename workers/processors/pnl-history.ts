import { typedProcessor } from "@/lib/queues/jobs";
import { PNL_HISTORY_QUEUE, pnlHistoryJobSchemas } from "@/lib/queues/pnl-history";
import { compactMtm, recordMtm } from "@/lib/services/pnl-history";

/** P&L history: one snapshot of every open series, or the nightly compaction of the days before today. */
export const processPnlHistoryJob = typedProcessor(PNL_HISTORY_QUEUE, pnlHistoryJobSchemas, async (job) => {
  switch (job.name) {
    case "snapshot":
      return recordMtm(new Date());
    case "compact":
      return compactMtm(new Date());
  }
});
