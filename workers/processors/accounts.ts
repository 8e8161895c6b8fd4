import { ACCOUNTS_QUEUE, accountsJobSchemas } from "@/lib/queues/accounts";
import { typedProcessor } from "@/lib/queues/jobs";
import { env } from "@/lib/env";
import { checkAllAccounts, renewBrokerSessions, warmSizingFunds } from "@/lib/services/accounts";
import { inSession } from "@/lib/services/calendar";

/** Funds are kept warm only while some derivatives market is open (or every market counts as open). */
async function marketsOpen(now: Date): Promise<boolean> {
  if (env().MARKET_ALWAYS_OPEN) return true;
  for (const exchange of ["NFO", "BFO", "MCX"]) if (await inSession(exchange, now)) return true;
  return false;
}

/**
 * Account health round: ping every active account, raise/clear alerts, fail over the primary. Funds warm-up: the
 * funds of accounts strategies trade, refreshed for sizing. Session renewal: direct-broker sessions due to end.
 */
export const processAccountsJob = typedProcessor(ACCOUNTS_QUEUE, accountsJobSchemas, async (job) => {
  switch (job.name) {
    case "health":
      return checkAllAccounts(new Date());
    case "warm-funds":
      return (await marketsOpen(new Date())) ? warmSizingFunds() : 0;
    case "renew-sessions":
      return renewBrokerSessions(new Date());
  }
});
