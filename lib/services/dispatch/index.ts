/**
 * Dispatch, the subsystem's entry module. Other code imports dispatch only from here.
 *
 * Dispatch of one account's share of a run: claim → send → reconcile, BUY phase first; the SELL phase only when
 * every BUY slice is confirmed (never naked); then the run's status.
 *
 * Exactly once: an intent is claimed compare-and-set before it is sent, `sending` is stored before the broker call,
 * an unknown outcome is reconciled against the order book and only resent after the reconcile window passed with
 * no matching order, and a worker that dies mid-send leaves intents that recovery (recoverInFlight, below)
 * reconciles.
 */
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import {
  type IntentRow,
  findRunRow,
  listAccountIntents,
  listOrphanedIntents,
  listPendingDispatch,
  listSettledRunningRuns,
  refreshRunStatusRow,
} from "@/lib/db/queries/intents";
import type { RunStatus } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { publishRunEvent } from "@/lib/realtime/run-events";
import { publishRunProgress } from "@/lib/realtime/user-events";
import { enqueueRedispatch, RECOVERY_EVERY_MS } from "@/lib/queues/dispatch";
import { scheduleFillPolls } from "@/lib/queues/fills";
import { aliveWorkers } from "@/lib/queues/liveness";
import { invalidateBooks } from "@/lib/services/accounts";
import { adapterFor } from "@/lib/services/broker-access";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { accountPhaseDecision } from "@/lib/trading/intent-matcher";
import { entriesBlockedReason } from "@/lib/services/kill-switch";
import { applyIntentChanges } from "./intents";
import { DEFAULT_DISPATCH_OPTIONS, type DispatchOptions, dispatchOptions } from "./options";
import { type PhaseContext, reportExpired, resumeHeld, runPhase, skipUnsent } from "./phase";
import type { ReconcileResult } from "./reconcile";

// Used by exits (their slices), fill tracking, copy groups and the run view's routes; implemented next to their helpers.
export { applyIntentChanges, type IntentChange } from "./intents";
export { cancelIntentOrders, cancelRunOrders, retryRunIntents, type CancelResult, type RetryResult } from "./actions";
export type { DispatchOptions } from "./options";

export interface DispatchAccountOptions extends Partial<DispatchOptions> {
  /** A retry requested by a person: intents that used up their sends get `maxAttempts` more. */
  retry?: boolean;
}

export interface DispatchAccountResult {
  runId: string;
  accountId: string;
  /** What happened to the SELL phase. */
  sellPhase: "sent" | "held" | "skipped" | "none" | "waiting" | "not_started";
  /** Intents left `unknown` that a person must resolve (ambiguous or conflicting orders, unreadable book). */
  stuck: ReconcileResult["stuck"];
  /** Why nothing was done, when nothing was. */
  note?: string;
}

const DAY_MS = 86_400_000;

/** Sends every intent of (run, account): BUY phase, gate, SELL phase. Safe to run twice, concurrently or again later. */
export async function dispatchAccount(
  runId: string,
  accountId: string,
  workerId: string,
  options: DispatchAccountOptions = {},
): Promise<DispatchAccountResult> {
  const opts = dispatchOptions(options);
  const base = { runId, accountId, stuck: [] as ReconcileResult["stuck"] };
  const [run, initial, account] = await Promise.all([
    findRunRow(runId),
    listAccountIntents(runId, accountId),
    loadAccountSecret(accountId),
  ]);
  if (!run) return { ...base, sellPhase: "not_started", note: "run not found" };
  if (run.status !== "RUNNING") return { ...base, sellPhase: "not_started", note: `run is ${run.status}` };
  if (initial.length === 0) return { ...base, sellPhase: "none", note: "no intents" };
  let adapter: BrokerAdapter;
  try {
    if (!account) throw new Error("the account no longer exists");
    adapter = adapterFor(account);
  } catch (e) {
    // Nothing can be sent from this account: its unsent intents are skipped with the reason, never left hanging.
    const reason = `account unusable: ${e instanceof Error ? e.message : String(e)}`;
    const at = Date.now();
    await applyIntentChanges(
      initial
        .filter((r) => r.state === "planned" || r.state === "safe_to_resend")
        .map((row) => ({ row, events: [{ type: "skip", at, reason }] })),
    );
    await refreshRunStatus(runId, opts.maxAttempts);
    return { ...base, sellPhase: "skipped", note: reason };
  }

  const startAttempts = new Map(initial.map((r) => [r.id, r.attempts]));
  const cap = (r: IntentRow) => (options.retry ? (startAttempts.get(r.id) ?? 0) + opts.maxAttempts : opts.maxAttempts);
  // Entry slices are checked against the kill switch; an exit's slices are how the switch flattens.
  const entryOwner = run.kind === "EXIT" ? null : run.ownerId;
  // A person's retry is exempt from the age limit: they asked for it, looking at the run.
  const expiresAt = options.retry ? null : run.triggeredAt.getTime() + opts.maxIntentAgeMs;
  const ctx: PhaseContext = {
    runId,
    accountId,
    workerId,
    adapter,
    opts,
    cap,
    linkSince: new Date(run.triggeredAt.getTime() - DAY_MS),
    stuck: [],
    entryOwner,
    expiresAt,
    expired: [],
  };
  if (entryOwner) {
    const blocked = await entriesBlockedReason(entryOwner);
    if (blocked) {
      await skipUnsent(initial, blocked);
      await refreshRunStatus(runId, opts.maxAttempts);
      return { ...base, sellPhase: "skipped", note: blocked };
    }
  }

  const buys = await runPhase(
    ctx,
    1,
    initial.filter((r) => r.phase === 1),
  );
  const stuckIds = new Set(ctx.stuck.map((s) => s.intentId));
  const decision = accountPhaseDecision(buys.map((r) => ({ intentId: r.id, state: r.state, reason: r.reason })));
  let sellPhase: DispatchAccountResult["sellPhase"];
  // Possibly stale (another job may have moved them): every write below is compare-and-set, so stale rows only fail.
  let sells = initial.filter((r) => r.phase === 2);
  if (sells.length === 0) sellPhase = "none";
  else if (decision.kind === "start_sell_phase") {
    // A person's retry that got every BUY slice confirmed releases the SELL slices held when the BUY phase failed.
    if (options.retry) sells = await resumeHeld(sells);
    await runPhase(ctx, 2, sells);
    sellPhase = "sent";
  } else if (decision.kind === "wait" && !decision.pending.every((id) => stuckIds.has(id))) {
    // Another worker holds some BUY slices mid-send; it (or recovery) finishes them and this account's SELL phase.
    sellPhase = "waiting";
  } else {
    const reason =
      decision.kind === "skip_sell_phase"
        ? decision.reason
        : `BUY phase unresolved, SELL legs not sent: ${ctx.stuck.map((s) => `${s.intentId} (${s.reason})`).join("; ")}`;
    const at = Date.now();
    // Held, not skipped: a retry that gets the BUY phase confirmed sends them; an exit skips them for good.
    await applyIntentChanges(
      sells
        .filter((r) => r.state === "planned" || r.state === "safe_to_resend")
        .map((row) => ({ row, events: [{ type: "hold", at, reason }] })),
    );
    log().warn({ runId, accountId, reason }, "SELL phase held");
    sellPhase = "held";
  }
  if (ctx.expired.length > 0) await reportExpired(run, accountId, ctx.expired, opts.maxIntentAgeMs);
  // Fill tracking starts here; if this fails, the fill poller's sweep picks the account up within seconds.
  await scheduleFillPolls(accountId).catch((err) => log().warn({ err, accountId }, "fill polling not scheduled"));
  // The account's books changed at the broker: the next page refresh reads them afresh, not from the short cache.
  await invalidateBooks([accountId]).catch((err) => log().warn({ err, accountId }, "book cache not invalidated"));
  await refreshRunStatus(runId, opts.maxAttempts);
  return { ...base, stuck: ctx.stuck, sellPhase };
}

/**
 * Recomputes a run's status from its intents: RUNNING while any is in flight (planned, claimed, sending, unknown,
 * or safe to resend with sends left); else COMPLETED when every slice was accepted, PARTIAL when some were, FAILED
 * when none (also for a run with no slices at all). Publishes a run event when the status changes.
 *
 * Hundreds of account jobs finish at once and each asks for this: calls for one run share a recomputation that
 * starts after the one in progress (so it sees every write made before the call), instead of one each.
 */
export function refreshRunStatus(
  runId: string,
  maxAttempts = DEFAULT_DISPATCH_OPTIONS.maxAttempts,
): Promise<RunStatus> {
  const key = `${runId}|${maxAttempts}`;
  const queued = refreshes.get(key);
  if (queued && !queued.started) return queued.promise;
  const entry: { started: boolean; promise: Promise<RunStatus> } = {
    started: false,
    promise: Promise.resolve("RUNNING"),
  };
  const previous = queued?.promise.catch(() => undefined) ?? Promise.resolve();
  entry.promise = previous
    .then(() => {
      entry.started = true;
      return recomputeRunStatus(runId, maxAttempts);
    })
    .finally(() => {
      if (refreshes.get(key) === entry) refreshes.delete(key);
    });
  refreshes.set(key, entry);
  return entry.promise;
}

const refreshes = new Map<string, { started: boolean; promise: Promise<RunStatus> }>();

async function recomputeRunStatus(runId: string, maxAttempts: number): Promise<RunStatus> {
  const at = new Date();
  const { status, changed } = await refreshRunStatusRow(runId, maxAttempts, at);
  if (changed) {
    const event = { type: "run" as const, runId, status, at: at.toISOString() };
    await publishRunEvent(event).catch((err) => log().warn({ err, runId }, "run event not published"));
    await publishRunProgress([event]).catch((err) => log().warn({ err, runId }, "run event not published"));
  }
  return status;
}

export interface RecoveryResult {
  /** Intents of dead workers moved to `unknown` for reconciliation. */
  orphaned: number;
  /** (run, account) dispatch jobs enqueued again. */
  redispatched: number;
  /** RUNNING runs whose final status was written now. */
  settled: number;
}

/**
 * Restart safety. Intents a dead worker (no liveness key) left `claimed` or `sending` may or may not have reached the
 * broker, so they become `unknown` (never back to planned, never resent blindly) and their accounts' dispatch is
 * enqueued again: it reconciles them against the order book before anything is sent again. Also re-enqueues RUNNING
 * runs with unfinished intents and refreshes stale run statuses. Runs at worker start, shortly after (once a killed
 * worker's liveness key has expired) and every minute.
 */
export async function recoverInFlight(
  workerId: string,
  overrides: Partial<DispatchOptions> = {},
  now = Date.now(),
): Promise<RecoveryResult> {
  const opts = dispatchOptions(overrides);
  const alive = new Set(await aliveWorkers());
  alive.add(workerId);
  const orphans = await listOrphanedIntents([...alive], new Date(now - opts.staleAfterMs));
  const written = await applyIntentChanges(
    orphans.map((row) => ({
      row,
      expectClaimedBy: row.claimedBy,
      events: [
        {
          type: "outcome_unknown",
          at: now,
          reason: `worker ${row.claimedBy ?? "?"} stopped while the intent was ${row.state}; reconciling before any resend`,
        },
      ],
    })),
  );
  let redispatched = 0;
  const bucket = `recover_${Math.floor(now / RECOVERY_EVERY_MS)}`;
  for (const pair of await listPendingDispatch(opts.maxAttempts)) {
    if ((await enqueueRedispatch(pair, bucket)) !== null) redispatched += 1;
  }
  let settled = 0;
  for (const runId of await listSettledRunningRuns(opts.maxAttempts)) {
    if ((await refreshRunStatus(runId, opts.maxAttempts)) !== "RUNNING") settled += 1;
  }
  if (written.size + redispatched + settled > 0)
    log().info({ workerId, orphaned: written.size, redispatched, settled }, "dispatch recovery");
  return { orphaned: written.size, redispatched, settled };
}
