/**
 * Test kit for automatic session renewal (docs/direct-brokers.md "Automatic renewal"): one renewal job through the
 * accounts queue as the worker's scheduler runs it, and the readiness board's Session check of an account.
 */
import type { Processor } from "bullmq";
import { expect } from "vitest";
import { GET as readinessRoute } from "@/app/api/readiness/route";
import { ACCOUNTS_QUEUE, accountsQueue } from "@/lib/queues/accounts";
import type { RenewalSummary } from "@/lib/services/accounts";
import { runReadinessCheck, type ReadinessBoardJson } from "@/lib/services/readiness";
import { jsonRequest } from "./fixtures";
import { startQueueWorker } from "./queue-worker";
import { waitFor } from "./wait";

/**
 * One renewal job through the accounts queue, as the worker's scheduler runs it; its summary. `processor` is the
 * accounts queue's (workers/processors/accounts.ts), passed in: nothing in lib/ imports workers/.
 */
export async function runRenewalJob<D, R, N extends string>(
  processor: Processor<D, R, N>,
  tag: string,
): Promise<RenewalSummary> {
  const worker = await startQueueWorker(ACCOUNTS_QUEUE, processor);
  try {
    const jobId = `renew_test_${tag}_${Date.now()}`;
    await accountsQueue().add("renew-sessions", {}, { jobId, removeOnComplete: false, removeOnFail: false });
    const job = await waitFor(
      `renewal job ${tag}`,
      async () => accountsQueue().getJob(jobId),
      (j) => j?.finishedOn !== undefined,
    );
    expect(worker.errors).toEqual([]);
    return job!.returnvalue as RenewalSummary;
  } finally {
    await worker.close();
  }
}

/** The Session check of `accountId` on the readiness board, after a fresh readiness check. */
export async function readinessSession(cookie: string, accountId: string) {
  await runReadinessCheck({ accountIds: [accountId], trigger: "manual" }, { feedWaitMs: 100, clockProbes: 1 });
  const board = (await (await readinessRoute(jsonRequest("/api/readiness", { cookie }))).json()) as ReadinessBoardJson;
  const session = board.accounts
    .find((a) => a.accountId === accountId)
    ?.check?.items.find((i) => i.check === "session");
  if (!session) throw new Error(`No session check on the board: ${JSON.stringify(board)}`);
  return session;
}
