/**
 * Drives an exit until every account in it is flat.
 *
 * Every account of the exit runs its own loop (no account waits for a slow one):
 *  - claim the account (one exit at a time per account: exit_claims), prepare the attempt (lib/services/
 *    exit-attempt.ts: stop unsent entries, cancel working orders, refresh fills, read positions) and plan it;
 *  - nothing left → DONE; otherwise the plan is sent through the run/intents/dispatch pipeline (exactly once, short
 *    reconcile windows, ONE send per slice). Plans ready within a few ms share one EXIT run per owner, created under a
 *    deterministic key written first, so after a crash the run is looked up, never planned again over orders in flight;
 *  - wait until the attempt's slices in this account have settled; a slice whose send could not be confirmed is
 *    skipped (never resent blindly), the claim released, and the loop starts again — reading the broker first.
 * An account never silently reverts: failures back off and are retried; after FAIL_AFTER consecutive ones it shows
 * FAILED while retries go on. One driver per exit at a time (a lease on the exit row, renewed while it works).
 */
import { randomUUID } from "node:crypto";
import { insertAudit } from "@/lib/db/queries/audit";
import {
  appendExitRun,
  claimAccount,
  claimHolders,
  findExit,
  listUndrivenExits,
  nextExitPass,
  refreshExitStatus,
  releaseClaims,
  releaseExitLease,
  takeExitLease,
  updateExitAccounts,
  type ExitWithAccounts,
} from "@/lib/db/queries/exits";
import { attemptStates, findIntentRows, type AttemptState } from "@/lib/db/queries/exit-scope";
import { findRunIdByKey } from "@/lib/db/queries/runs";
import type { ExitStatus } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import type { DispatchOptions } from "@/lib/services/dispatch";
import { enqueueExit } from "@/lib/queues/exits";
import { exitRunPreview } from "@/lib/trading/exit-plan";
import { classifyRejection } from "@/lib/trading/rejection-cause";
import { applyIntentChanges } from "@/lib/services/dispatch";
import { sleep } from "@/lib/util/sleep";
import { prepareAttempt, type AttemptOutcome } from "./attempt";
import { alertFailure, clearFailureAlert, refusalsOf } from "./alerts";
import { createRun } from "@/lib/services/runs";

/**
 * Exit orders: a 600 ms reconcile window, the order book read every 150 ms meanwhile (a lost answer's order shows
 * there at once; 150 ms leaves part of the account's 10 reads/s for the exit's own reads and fill tracking), and ONE
 * send per slice — a slice that cannot be confirmed is never resent by dispatch: the exit's next attempt reads the
 * broker's open orders and then its positions first, so it can neither double nor flip a position.
 */
export const EXIT_DISPATCH: Partial<DispatchOptions> = {
  reconcileWindowMs: 600,
  pollIntervalMs: 150,
  maxAttempts: 1,
  refusedBackoffMs: 50,
};
/** Consecutive failed attempts after which the account shows FAILED (a person should look); retries go on. */
export const FAIL_AFTER = 8;
const LEASE_MS = 15_000;
const WAIT_MS = 150;
const SETTLE_POLL_MS = 60;
const BATCH_MS = 15;

export interface DriveOptions {
  /** How long one job drives before handing over to the sweep, ms. */
  budgetMs?: number;
  dispatch?: Partial<DispatchOptions>;
  /** Consecutive failures before an account shows FAILED (default FAIL_AFTER). */
  failAfter?: number;
}

/** Delay before retrying after `failures` consecutive failed attempts: quick at first (transient errors), then slower. */
export function failureBackoffMs(failures: number): number {
  return failures <= 3 ? 100 * failures : Math.min(30_000, 500 * 2 ** (failures - 4));
}

type Account = ExitWithAccounts["accounts"][number];
type Plan = Extract<AttemptOutcome, { kind: "plan" }>;

/** Waits for attempts to settle: one query per poll for every account waiting, however many there are. */
class SettlePoller {
  private waiters = new Map<string, { runId: string; accountId: string; resolve: (s: AttemptState | null) => void }>();
  private running = false;

  /** Resolves once the attempt's slices in the account are settled (null: the attempt stored no slice there). */
  wait(runId: string, accountId: string): Promise<AttemptState | null> {
    return new Promise((resolve) => {
      this.waiters.set(`${runId}|${accountId}`, { runId, accountId, resolve });
      if (!this.running) void this.loop();
    });
  }

  private async loop(): Promise<void> {
    this.running = true;
    while (this.waiters.size > 0) {
      try {
        await this.poll();
      } catch (err) {
        // Never "settled" on a failed read: orders may still be in flight, so the accounts keep waiting.
        log().error({ err }, "exit settle poll failed; polling again");
      }
      if (this.waiters.size > 0) await sleep(SETTLE_POLL_MS);
    }
    this.running = false;
  }

  private async poll(): Promise<void> {
    const pending = [...this.waiters.values()];
    const states = await attemptStates(pending);
    // Slices whose send is unconfirmed after their single try are skipped: only a new attempt (after reading the
    // broker) may place that quantity again. A skip lost to a concurrent claim is waited for.
    const unconfirmed = await findIntentRows(states.flatMap((s) => s.unconfirmed));
    const at = Date.now();
    const skipped = await applyIntentChanges(
      unconfirmed.map((row) => ({
        row,
        events: [
          {
            type: "skip",
            at,
            reason: "not confirmed by the broker: the exit reads positions again before any new order",
          },
        ],
      })),
    );
    for (const w of pending) {
      const s = states.find((x) => x.runId === w.runId && x.accountId === w.accountId) ?? null;
      if (s && (s.inFlight > 0 || s.unconfirmed.some((id) => !skipped.has(id)))) continue;
      this.waiters.delete(`${w.runId}|${w.accountId}`);
      w.resolve(s);
    }
  }
}

/** Collects plans ready within BATCH_MS and sends them as one EXIT run per owner. */
class PlanBatcher {
  private queue: { a: Account; plan: Plan; resolve: (runId: string) => void; reject: (e: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly exit: ExitWithAccounts,
    private readonly dispatch: Partial<DispatchOptions>,
    private readonly stillMine: () => Promise<boolean>,
  ) {}

  submit(a: Account, plan: Plan): Promise<string> {
    return new Promise((resolve, reject) => {
      this.queue.push({ a, plan, resolve, reject });
      this.timer ??= setTimeout(() => void this.flush(), BATCH_MS);
    });
  }

  private async flush(): Promise<void> {
    this.timer = null;
    const batch = this.queue.splice(0);
    const byOwner = new Map<string, typeof batch>();
    for (const b of batch) byOwner.set(b.plan.ownerId, [...(byOwner.get(b.plan.ownerId) ?? []), b]);
    try {
      // Planned under the lease; sent only if it is still ours (a stalled driver whose lease lapsed must not send).
      if (!(await this.stillMine()))
        throw new Error(`exit ${this.exit.id}: lease lost before sending; another worker drives it`);
      const pass = await nextExitPass(this.exit.id);
      await Promise.all([...byOwner].map(([ownerId, group]) => this.send(ownerId, group, pass)));
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }

  private async send(ownerId: string, group: typeof this.queue, pass: number): Promise<void> {
    const ids = group.map((b) => b.a.accountId);
    const key = `exit:${this.exit.id}:${pass}:${ownerId}`;
    await updateExitAccounts(this.exit.id, ids, { pendingRunKey: key });
    const { preview, attribution } = exitRunPreview(
      this.exit.id,
      group.map((b) => ({ accountId: b.a.accountId, accountName: b.plan.accountName, plan: b.plan.plan })),
    );
    const run = await createRun({
      ownerId,
      strategyId: this.exit.strategyId,
      kind: "EXIT",
      idempotencyKey: key,
      triggeredAt: new Date(),
      preview: { ...preview, exit: attribution } as typeof preview,
      dispatch: this.dispatch,
    });
    await updateExitAccounts(this.exit.id, ids, {
      currentRunId: run.runId,
      pendingRunKey: null,
      attemptsDelta: 1,
      message: `exit orders sent in run ${run.runId}`,
    });
    await appendExitRun(this.exit.id, run.runId);
    // The next attempts' scope includes this run's orders (to cancel what still works, to wait for what is unsettled).
    if (!this.exit.runIds.includes(run.runId)) this.exit.runIds.push(run.runId);
    for (const b of group) b.resolve(run.runId);
  }
}

interface Ctx {
  exit: ExitWithAccounts;
  until: number;
  failAfter: number;
  poller: SettlePoller;
  batcher: PlanBatcher;
}

/** Records a non-sending outcome; true when the account is finished (done, or gone for good). */
async function record(ctx: Ctx, a: Account, o: Exclude<AttemptOutcome, { kind: "plan" }>): Promise<boolean> {
  const { exit } = ctx;
  const now = Date.now();
  let finished = false;
  if (o.kind === "flat") {
    await updateExitAccounts(exit.id, [a.accountId], {
      status: "DONE",
      message: o.message,
      nextAttemptAt: null,
      resetFailures: true,
    });
    a.status = "DONE";
    finished = true;
  } else if (o.kind === "gone") {
    await updateExitAccounts(exit.id, [a.accountId], { status: "FAILED", message: o.message, nextAttemptAt: null });
    a.status = "FAILED";
    finished = true;
  } else if (o.kind === "wait") {
    a.nextAttemptAt = new Date(now + WAIT_MS);
    await updateExitAccounts(exit.id, [a.accountId], { message: o.message, nextAttemptAt: a.nextAttemptAt });
  } else {
    a.failures += 1;
    a.status = a.failures >= ctx.failAfter ? "FAILED" : "PENDING";
    a.nextAttemptAt = new Date(now + failureBackoffMs(a.failures));
    await updateExitAccounts(exit.id, [a.accountId], {
      failuresDelta: 1,
      message: o.message,
      status: a.status,
      nextAttemptAt: a.nextAttemptAt,
    });
    if (a.failures === ctx.failAfter) await alertFailure(exit, a, o.message, classifyRejection(o.message));
  }
  if (o.kind === "flat") await clearFailureAlert(a);
  await releaseClaims(exit.id, [a.accountId]);
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
  a.nextAttemptAt = new Date(Date.now() + (progressed ? 0 : failureBackoffMs(a.failures)));
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
  });
  a.currentRunId = null;
  if (a.failures === ctx.failAfter) {
    const why = s
      ? `${s.total - s.confirmed} of ${s.total} exit order(s) not taken by the broker, ${a.failures} attempts in a row${refusal ? ` (${refusal.reason})` : ""}`
      : "no exit order stored";
    await alertFailure(ctx.exit, a, why, refusal?.cause ?? "other");
  }
  await releaseClaims(ctx.exit.id, [a.accountId]);
  if (a.status === "FAILED") await refreshExitStatus(ctx.exit.id);
}

/** One account's loop until it is finished or the drive's time is up. */
async function driveAccount(ctx: Ctx, a: Account): Promise<void> {
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
      o = await prepareAttempt(exit, a.accountId);
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

/** Drives an exit for up to `budgetMs` while holding its lease; the sweep hands it to a worker again afterwards. */
export async function driveExit(
  exitId: string,
  workerId: string,
  opts: DriveOptions = {},
): Promise<{ status: ExitStatus | "LEASED" }> {
  // Unique per drive, not per process: two jobs of one exit in the same worker must not share the lease.
  const holder = `${workerId}:${randomUUID()}`;
  const renew = () => takeExitLease(exitId, holder, new Date(Date.now() + LEASE_MS));
  if (!(await renew())) return { status: "LEASED" };
  // Renewed while the drive waits on brokers, so a slow attempt keeps the exit; a dead process stops renewing.
  const keepAlive = setInterval(
    () => void renew().catch((err) => log().warn({ err, exitId }, "exit lease not renewed")),
    LEASE_MS / 3,
  );
  try {
    const exit = await findExit(exitId);
    if (!exit || exit.status === "DONE") return { status: "DONE" };
    const ctx: Ctx = {
      exit,
      until: Date.now() + (opts.budgetMs ?? 120_000),
      failAfter: opts.failAfter ?? FAIL_AFTER,
      poller: new SettlePoller(),
      batcher: new PlanBatcher(exit, opts.dispatch ?? EXIT_DISPATCH, renew),
    };
    const loops = exit.accounts
      .filter((a) => a.status !== "DONE")
      .map((a) =>
        driveAccount(ctx, a).catch((err) =>
          log().error({ err, exitId, accountId: a.accountId }, "exit account loop failed"),
        ),
      );
    await Promise.all(loops);
    const status = await refreshExitStatus(exitId);
    if (status === "DONE") {
      const runIds = (await findExit(exitId))?.runIds ?? [];
      await insertAudit({
        actorId: null,
        action: "exit.done",
        entity: "exit",
        entityId: exitId,
        details: { reason: exit.reason.toLowerCase(), scope: exit.scope.toLowerCase(), runIds },
      });
    }
    return { status };
  } finally {
    clearInterval(keepAlive);
    await releaseExitLease(exitId, holder).catch((err) => log().warn({ err, exitId }, "exit lease not released"));
  }
}

/** Hands every active exit that no worker drives to the queue again (periodic). */
export async function sweepExits(now: Date): Promise<{ enqueued: number }> {
  const ids = await listUndrivenExits();
  for (const id of ids) await enqueueExit(id, `sweep_${Math.floor(now.getTime() / 5_000)}`);
  return { enqueued: ids.length };
}
