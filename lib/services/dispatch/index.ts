/**
 * Dispatch of one account's share of a run : claim → send → reconcile, BUY phase first; the
 * SELL phase only when every BUY slice is confirmed (never naked); then the run's status.
 *
 * Exactly once: an intent is claimed compare-and-set before it is sent, `sending` is stored before the broker call,
 * an unknown outcome is reconciled against the order book and only resent after the reconcile window passed with
 * no matching order, and a worker that dies mid-send leaves intents that recovery reconciles (dispatch-recovery.ts).
 */
import { db } from "@/lib/db/client";
import { loadAccountSecret } from "@/lib/db/queries/accounts";
import { raiseAlert } from "@/lib/db/queries/alerts";
import { insertAudit } from "@/lib/db/queries/audit";
import {
  type IntentRow,
  findRunRow,
  listAccountIntents,
  runIntentCounts,
  setRunStatus,
} from "@/lib/db/queries/intents";
import type { RunStatus } from "@/lib/generated/prisma/client";
import { log } from "@/lib/log";
import { publishRunEvent } from "@/lib/realtime/run-events";
import { scheduleFillPolls } from "@/lib/queues/fills";
import { invalidateBooks } from "@/lib/services/accounts";
import { adapterFor } from "@/lib/services/broker-access";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { accountPhaseDecision } from "@/lib/trading/intent-matcher";
import { applyIntentChanges } from "./intents";
import { DEFAULT_DISPATCH_OPTIONS, type DispatchOptions, dispatchOptions, sleep } from "./options";
import { reconcileUnknown, type ReconcileResult } from "./reconcile";
import { placeSending } from "./send";
import { entriesBlockedReason, formatIstDateTime } from "@/lib/services/kill-switch";

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

/** Every slice of `rows` not yet sent is skipped for good with `reason`, in one write; returns the ids skipped. */
async function skipUnsent(rows: readonly IntentRow[], reason: string): Promise<string[]> {
  const at = Date.now();
  const unsent = rows.filter((r) => r.state === "planned" || r.state === "safe_to_resend" || r.state === "held");
  const written = await applyIntentChanges(
    unsent.map((row) => ({ row, events: [{ type: "skip", at, reason: `not sent: ${reason}` }] })),
  );
  return [...written.keys()];
}

/** Expired slices are shown to their owner (an alert on every page) and written to the audit log. */
async function reportExpired(
  run: { id: string; ownerId: string; triggeredAt: Date },
  accountId: string,
  intentIds: string[],
  maxAgeMs: number,
): Promise<void> {
  const message = `${intentIds.length} order slice(s) of a run planned at ${formatIstDateTime(run.triggeredAt)} were not sent: they could not go out within ${Math.round(maxAgeMs / 60_000)} min of planning (expired). Check the run and the account's positions.`;
  log().warn({ runId: run.id, accountId, expired: intentIds.length }, "unsent slices expired");
  await db()
    .$transaction(async (tx) => {
      await raiseAlert(tx, { ownerId: run.ownerId, accountId, kind: "intents_expired", severity: "WARNING", message });
      await insertAudit(
        {
          action: "run.intents_expired",
          entity: "run",
          entityId: run.id,
          details: { accountId, intents: intentIds, plannedAt: run.triggeredAt.toISOString(), maxAgeMs },
        },
        tx,
      );
    })
    .catch((err) => log().error({ err, runId: run.id }, "expired slices not reported"));
}

/** Held SELL slices back to `planned` (the rows as written; the others unchanged). */
async function resumeHeld(sells: IntentRow[]): Promise<IntentRow[]> {
  const at = Date.now();
  const resumed = await applyIntentChanges(
    sells.filter((r) => r.state === "held").map((row) => ({ row, events: [{ type: "resume", at }] })),
  );
  return sells.map((r) => resumed.get(r.id) ?? r);
}

interface PhaseContext {
  runId: string;
  accountId: string;
  workerId: string;
  adapter: BrokerAdapter;
  opts: DispatchOptions;
  cap(row: IntentRow): number;
  linkSince: Date;
  stuck: ReconcileResult["stuck"];
  /** The owner of an entry run (its slices honour the kill switch); null for an exit run. */
  entryOwner: string | null;
  /** Epoch ms after which unsent slices expire instead of being sent (null: never, a person's retry). */
  expiresAt: number | null;
  /** Slices this dispatch expired. */
  expired: string[];
}

/**
 * One phase: claim what is claimable (planned, or safe to resend with sends left), send it, reconcile unknown
 * outcomes until each is adopted or safe to resend, and repeat until nothing is left to do. Returns the phase's rows.
 */
async function runPhase(ctx: PhaseContext, phase: 1 | 2, known: IntentRow[]): Promise<IntentRow[]> {
  const { opts } = ctx;
  const stuck = new Set<string>();
  // Bounded even when the order book stays unreadable: the intents stay `unknown` and recovery comes back to them.
  const deadline =
    Date.now() + (opts.reconcileWindowMs + 5 * opts.pollIntervalMs) * (opts.maxAttempts + 1) * 4 + 60_000;
  let rows = known;
  let fresh = true;
  for (;;) {
    if (!fresh) rows = (await listAccountIntents(ctx.runId, ctx.accountId)).filter((r) => r.phase === phase);
    fresh = false;
    const claimable = rows.filter(
      (r) => r.state === "planned" || (r.state === "safe_to_resend" && r.attempts < ctx.cap(r)),
    );
    if (claimable.length > 0 && ctx.expiresAt !== null && Date.now() > ctx.expiresAt) {
      const reason = `expired: planned at ${formatIstDateTime(new Date(ctx.expiresAt - opts.maxIntentAgeMs))}, more than ${Math.round(opts.maxIntentAgeMs / 1000)} s before it could be sent`;
      const all = await listAccountIntents(ctx.runId, ctx.accountId);
      ctx.expired.push(...(await skipUnsent(all, reason)));
      continue;
    }
    if (claimable.length > 0) {
      // Claim and `sending` in one compare-and-set write per row (from planned / safe_to_resend): a row another worker
      // took first is simply not written, and nothing is sent for it. `sending` is stored before the broker call.
      const at = Date.now();
      const sending = await applyIntentChanges(
        claimable.map((row) => ({
          row,
          events: [
            { type: "claim", at, workerId: ctx.workerId },
            { type: "send", at },
          ],
        })),
      );
      // Read after the claim is stored: a kill switch committed before this read stops the send; one committed after
      // it finds the slices `sending`, and its exit waits for them and flattens what they filled.
      const blocked = ctx.entryOwner && sending.size > 0 ? await entriesBlockedReason(ctx.entryOwner) : null;
      if (blocked) {
        const stopped = Date.now();
        await applyIntentChanges(
          [...sending.values()].map((row) => ({
            row,
            expectClaimedBy: ctx.workerId,
            events: [
              { type: "not_placed", at: stopped, reason: blocked },
              { type: "skip", at: stopped, reason: `not sent: ${blocked}` },
            ],
          })),
        );
        await skipUnsent(await listAccountIntents(ctx.runId, ctx.accountId), blocked);
        continue;
      }
      const done = await placeSending(ctx.adapter, [...sending.values()], ctx.workerId, opts);
      // Everything written as computed: the rows in hand are the stored ones, no need to read them back.
      if (sending.size === claimable.length && done.size === sending.size) {
        rows = rows.map((r) => done.get(r.id) ?? r);
        fresh = true;
      }
      continue;
    }
    const unknowns = rows.filter((r) => r.state === "unknown" && !stuck.has(r.id));
    if (unknowns.length === 0) return rows;
    if (Date.now() > deadline) {
      for (const r of unknowns) {
        stuck.add(r.id);
        ctx.stuck.push({ intentId: r.id, reason: "the order book could not be read to confirm the order" });
      }
      continue;
    }
    const res = await reconcileUnknown(ctx.adapter, ctx.accountId, unknowns, ctx.linkSince, opts);
    for (const s of res.stuck) {
      stuck.add(s.intentId);
      ctx.stuck.push(s);
    }
    if (res.settled === 0 && res.waiting > 0) await sleep(opts.pollIntervalMs);
  }
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
  const c = await runIntentCounts(runId, maxAttempts);
  const status: RunStatus =
    c.total > 0 && c.inFlight > 0
      ? "RUNNING"
      : c.total > 0 && c.confirmed === c.total
        ? "COMPLETED"
        : c.confirmed > 0
          ? "PARTIAL"
          : "FAILED";
  const at = new Date();
  if (await setRunStatus(runId, status, status === "RUNNING" ? null : at)) {
    await publishRunEvent({ type: "run", runId, status, at: at.toISOString() }).catch((err) =>
      log().warn({ err, runId }, "run event not published"),
    );
  }
  return status;
}
