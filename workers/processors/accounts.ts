import type { Job } from "bullmq";
import { accountHealthJobSchema } from "@/lib/queues/jobs";
import { checkAllAccounts } from "@/lib/services/accounts";

/** Account health round: ping every active account, raise/clear alerts, fail over the primary. */
export async function processAccountsJob(job: Job): Promise<unknown> {
  if (job.name !== "health") throw new Error(`unknown accounts job ${job.name}`);
  accountHealthJobSchema.parse(job.data);
  return checkAllAccounts(new Date());
}
