import { ACCOUNTS_QUEUE, accountsJobSchemas } from "@/lib/queues/accounts";
import { typedProcessor } from "@/lib/queues/jobs";
import { checkAllAccounts } from "@/lib/services/accounts";

/** Account health round: ping every active account, raise/clear alerts, fail over the primary. */
export const processAccountsJob = typedProcessor(ACCOUNTS_QUEUE, accountsJobSchemas, async (job) => {
  switch (job.name) {
    case "health":
      return checkAllAccounts(new Date());
  }
});
