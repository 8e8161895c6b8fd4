/**
 * Drives an exit until every account in it is flat.
 *
 * Every account of the exit runs its own loop (no account waits for a slow one):
 *  - claim the account (one exit at a time per account: exit_claims), prepare the attempt (./attempt.ts: stop unsent
 *    entries, cancel working orders, refresh fills, read positions) and plan it;
 *  - nothing left → DONE; otherwise the plan is sent through the run/intents/dispatch pipeline (exactly once, short
 *    reconcile windows, ONE send per slice). Plans ready within a few ms share one EXIT run per owner, created under a
 *    deterministic key written first, so after a crash the run is looked up, never planned again over orders in flight;
 *  - wait until the attempt's slices in this account have settled; a slice whose send could not be confirmed is
 *    skipped (never resent blindly), the claim released, and the loop starts again — reading the broker first.
 * An account never silently reverts: failures back off and are retried; after FAIL_AFTER consecutive ones it shows
 * FAILED while retries go on. One driver per exit at a time (a lease on the exit row, renewed while it works).
 * What an account's exit spends its time on, and what keeps it short: docs/performance.md "The way out".
 */
import {
  appendExitRun,
  claimAccount,
  claimHolders,
  refreshExitStatus,
  updateExitAccounts,
  type ExitWithAccounts,
} from "@/lib/db/queries/exits";
import { findRunIdByKey } from "@/lib/db/queries/runs";
import { log } from "@/lib/log";
import { classifyRejection } from "@/lib/trading/rejection-cause";
import { sleep } from "@/lib/util/sleep";
import { prepareAttempt, type AttemptOutcome } from "./attempt";
import { alertFailure, clearFailureAlert, refusalsOf } from "./alerts";
import type { BrokerFreezes } from "./freeze";
import type { PlanBatcher } from "./plan-batcher";
import type { ExitPorts } from "./ports";
import type { SettlePoller } from "./settle-poller";

/** Consecutive failed attempts after which the account shows FAILED (a person should look); retries go on. */
export const FAIL_AFTER = 8;
const WAIT_MS = 150;
/** Attempts in a row whose sends went unconfirmed that are retried at once (see settle). */
const QUICK_RETRIES = 3;

/** Delay before retrying after `failures` consecutive failed attempts: quick at first (transient errors), then slower. */
export function failureBackoffMs(failures: number): number {
  return failures <= 3 ? 100 * failures : Math.min(30_000, 500 * 2 ** (failures - 4));
}

type Account = ExitWithAccounts["accounts"][number];

export interface Ctx {
  exit: ExitWithAccounts;
  until: number;
  failAfter: number;
  poller: SettlePoller;
  /** The broker's freeze answers, shared by the drive's accounts and attempts for a few seconds. */
  freezes: BrokerFreezes;
  batcher: PlanBatcher;
  ports: ExitPorts;
}

/** Records a non-sending outcome; true when the account is finished (done, or gone for good). */
async function record(ctx: Ctx, a: Account, o: Exclude<AttemptOutcome, { kind: "plan" }>): Promise<boolean> {
  const { exit } = ctx;
  const now = Date.now();
  let finished = false;
  // Every branch also gives up the claim, in the same statement as the account's progress.
  if (o.kind === "flat") {
    await updateExitAccounts(exit.id, [a.accountId], {
      status: "DONE",
      message: o.message,
      nextAttemptAt: null,
      resetFailures: true,
      releaseClaim: true,
    });
    a.status = "DONE";
    finished = true;
  } else if (o.kind === "gone") {
    await updateExitAccounts(exit.id, [a.accountId], {
      status: "FAILED",
      message: o.message,
      nextAttemptAt: null,
      releaseClaim: true,
    });
    a.status = "FAILED";
    finished = true;
  } else if (o.kind === "wait") {
    a.nextAttemptAt = new Date(now + WAIT_MS);
    await updateExitAccounts(exit.id, [a.accountId], {
      message: o.message,
      nextAttemptAt: a.nextAttemptAt,
      releaseClaim: true,
    });
  } else {
    a.failures += 1;
    a.status = a.failures >= ctx.failAfter ? "FAILED" : "PENDING";
    a.nextAttemptAt = new Date(now + failureBackoffMs(a.failures));
    await updateExitAccounts(exit.id, [a.accountId], {
      failuresDelta: 1,
      message: o.message,
      status: a.status,
      nextAttemptAt: a.nextAttemptAt,
      releaseClaim: true,
    });
    if (a.failures === ctx.failAfter) await alertFailure(exit, a, o.message, classifyRejection(o.message));
  }
  if (o.kind === "flat") await clearFailureAlert(a);
  // The exit's own status follows its accounts' (DONE when all are, FAILED when any is) as they change.
  if (finished || a.status === "FAILED") await refreshExitStatus(exit.id);
  return finished;
}

/** Waits for the account's attempt in flight, then releases its claim and books progress or a failure. */
async function settle(ctx: Ctx, a: Account): Promise<void> {
  const runId = a.currentRunId!;
  const s = await ctx.poller.wait(runId, a.accountId);
  const refusal = s && s.confirmed < s.total ? await refusalsOf(runId, a.accountId) : null;
  const progressed = (s?.confirmed ?? 0) > 0;
  a.failures = progressed ? 0 : a.failures + 1;
  // Unconfirmed sends already waited out their reconcile window before they were skipped, and the next attempt's
  // reads go through the account's rate budget: only a broker that keeps refusing is given time to recover.
  const backoff = progressed || a.failures <= QUICK_RETRIES ? 0 : failureBackoffMs(a.failures);
  a.nextAttemptAt = new Date(Date.now() + backoff);
  // Attempts the broker keeps refusing (rejections, unconfirmed sends) count as failures too.
  a.status = a.failures >= ctx.failAfter ? "FAILED" : "PENDING";
  await updateExitAccounts(ctx.exit.id, [a.accountId], {
    status: a.status,
    currentRunId: null,
    nextAttemptAt: a.nextAttemptAt,
    message: s
      ? `attempt ${a.attempts}: ${s.confirmed} of ${s.total} exit order(s) taken by the broker`
      : `attempt ${a.attempts}: no exit order stored`,
    ...(progressed ? { resetFailures: true } : { failuresDelta: 1 }),
    releaseClaim: true,
  });
  a.currentRunId = null;
  if (a.failures === ctx.failAfter) {
    const why = s
      ? `${s.total - s.confirmed} of ${s.total} exit order(s) not taken by the broker, ${a.failures} attempts in a row${refusal ? ` (${refusal.reason})` : ""}`
      : "no exit order stored";
    await alertFailure(ctx.exit, a, why, refusal?.cause ?? "other");
  }
  if (a.status === "FAILED") await refreshExitStatus(ctx.exit.id);
}

/** One account's loop until it is finished or the drive's time is up. */
export async function driveAccount(ctx: Ctx, a: Account): Promise<void> {
  const { exit } = ctx;
  if (a.pendingRunKey && !a.currentRunId) {
    // A run being created when a worker died: adopt it if it exists, else it never did (the claim still stands).
    a.currentRunId = await findRunIdByKey(a.pendingRunKey);
    await updateExitAccounts(exit.id, [a.accountId], { currentRunId: a.currentRunId, pendingRunKey: null });
    if (a.currentRunId) {
      await appendExitRun(exit.id, a.currentRunId);
      if (!exit.runIds.includes(a.currentRunId)) exit.runIds.push(a.currentRunId);
    }
  }
  while (Date.now() < ctx.until) {
    if (a.currentRunId) await settle(ctx, a);
    if (a.status === "DONE" || (a.status === "FAILED" && a.nextAttemptAt === null)) return;
    const wait = (a.nextAttemptAt?.getTime() ?? 0) - Date.now();
    if (wait > 0) {
      if (Date.now() + wait > ctx.until) return;
      await sleep(wait);
    }
    if (!(await claimAccount(exit.id, a.accountId))) {
      const holder = (await claimHolders([a.accountId])).get(a.accountId);
      a.nextAttemptAt = new Date(Date.now() + WAIT_MS);
      await updateExitAccounts(exit.id, [a.accountId], {
        message: `waiting: exit ${holder ?? "?"} is working in this account`,
        nextAttemptAt: a.nextAttemptAt,
      });
      continue;
    }
    let o: AttemptOutcome;
    try {
      o = await prepareAttempt(exit, a.accountId, ctx.ports, ctx.freezes);
    } catch (e) {
      log().error({ err: e, exitId: exit.id, accountId: a.accountId }, "exit attempt failed unexpectedly");
      o = { kind: "failed", message: `unexpected error: ${e instanceof Error ? e.message : String(e)}` };
    }
    if (o.kind !== "plan") {
      if (await record(ctx, a, o)) return;
      continue;
    }
    a.currentRunId = await ctx.batcher.submit(a, o);
    a.attempts += 1;
  }
}
