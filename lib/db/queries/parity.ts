import { db } from "@/lib/db/client";

/** A strategy's latest runs with their intents, newest first (the caller has checked the strategy is visible). */
export function listStrategyRunsWithIntents(strategyId: string, limit: number) {
  return db().strategyRun.findMany({
    where: { strategyId },
    orderBy: { triggeredAt: "desc" },
    take: limit,
    include: { intents: { orderBy: [{ accountId: "asc" }, { legIndex: "asc" }, { sliceIndex: "asc" }] } },
  });
}
