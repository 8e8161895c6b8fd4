import { randomUUID } from "node:crypto";
import type { RunKind } from "@/lib/generated/prisma/client";
import { countIntentsIn, findRun, insertRunWithIntents, listRuns, runVisible } from "@/lib/db/queries/runs";
import { enqueueDispatch } from "@/lib/queues/dispatch";
import { intentsForAccountPlan } from "@/lib/trading/intents";
import type { RunPreview } from "@/lib/trading/plan";
import { jsonify } from "@/lib/util/jsonify";
import { refreshRunStatus } from "@/lib/services/dispatch";
import { guardEntries } from "@/lib/services/kill-switch";
import type { DispatchTunables } from "@/lib/queues/jobs";
import { countOpen, displayRunStatus, OPEN_INTENT_STATES } from "@/lib/trading/run-status";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";

export interface CreateRunInput {
  ownerId: string;
  strategyId: string | null;
  kind: RunKind;
  /** Same key ⇒ same run: a double click or a retried request never creates a second set of orders. */
  idempotencyKey: string;
  triggeredAt: Date;
  preview: RunPreview;
  /** Dispatch tunables carried by the run's jobs (exits: short reconcile windows, no resend without a position read). */
  dispatch?: DispatchTunables;
}

/**
 * Stores a run and its order intents (run × account × leg × slice, deterministic ids) in one transaction, then
 * enqueues one dispatch job per planned account. Idempotent by key, including the enqueue (deterministic job ids).
 * Every kind but EXIT is an entry: refused (423) while a kill switch covers the owner, checked in the same transaction.
 */
export async function createRun(input: CreateRunInput): Promise<{ runId: string; created: boolean }> {
  const runId = randomUUID();
  const planned = input.preview.accounts.filter((a) => a.status === "planned");
  const intents = planned.flatMap((plan) => intentsForAccountPlan(runId, plan));
  const result = await insertRunWithIntents(
    {
      id: runId,
      ownerId: input.ownerId,
      strategyId: input.strategyId,
      kind: input.kind,
      idempotencyKey: input.idempotencyKey,
      triggeredAt: input.triggeredAt,
      plan: jsonify(input.preview) as object,
    },
    intents,
    input.kind === "EXIT" ? undefined : (tx) => guardEntries(tx, input.ownerId),
  );
  if (result.created)
    await enqueueDispatch(
      result.runId,
      planned.map((p) => p.accountId),
      input.dispatch,
    );
  // No account to dispatch: no job will ever settle the run, so it gets its final status now.
  if (result.created && planned.length === 0) await refreshRunStatus(result.runId);
  return result;
}

/** 404 unless the run exists within the actor's scope (cheap: no intents loaded). */
export async function assertRunVisible(actor: Actor, id: string): Promise<void> {
  if (!(await runVisible(scopeOf(actor), id))) throw new NotFoundError("Run");
}

/** One run for the live grid: its plan, every intent, and per-account latency from the trigger. */
export async function getRunView(actor: Actor, id: string) {
  const run = await findRun(scopeOf(actor), id);
  if (!run) throw new NotFoundError("Run");
  const t0 = run.triggeredAt.getTime();
  const plan = run.plan as { accounts?: { accountId: string; accountName: string }[] };
  const names = new Map((plan.accounts ?? []).map((a) => [a.accountId, a.accountName]));
  const byAccount = new Map<string, { first: number | null; last: number | null }>();
  for (const i of run.intents) {
    const e = byAccount.get(i.accountId) ?? { first: null, last: null };
    if (i.sentAt) e.first = Math.min(e.first ?? Infinity, i.sentAt.getTime() - t0);
    if (i.acknowledgedAt) e.last = Math.max(e.last ?? -Infinity, i.acknowledgedAt.getTime() - t0);
    byAccount.set(i.accountId, e);
  }
  return {
    id: run.id,
    kind: run.kind,
    /** Dispatch's status (every slice confirmed or given up); `displayStatus` is what a person is shown. */
    status: run.status,
    displayStatus: displayRunStatus(run.status, countOpen(run.intents.map((i) => i.state)), t0, Date.now()),
    triggeredAt: run.triggeredAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    strategy: run.strategy,
    plan: run.plan,
    intents: run.intents.map((i) => ({
      id: i.id,
      accountId: i.accountId,
      legIndex: i.legIndex,
      sliceIndex: i.sliceIndex,
      phase: i.phase,
      symbol: i.symbol,
      exchange: i.exchange,
      action: i.action,
      quantity: i.quantity,
      state: i.state,
      attempts: i.attempts,
      brokerOrderId: i.brokerOrderId,
      reason: i.reason,
      sentAt: i.sentAt?.toISOString() ?? null,
      acknowledgedAt: i.acknowledgedAt?.toISOString() ?? null,
      filledQuantity: i.filledQuantity,
      averagePrice: i.averagePrice?.toString() ?? null,
    })),
    accounts: [...byAccount.entries()].map(([accountId, e]) => ({
      accountId,
      accountName: names.get(accountId) ?? accountId,
      firstSendMs: e.first,
      lastAckMs: e.last,
    })),
  };
}

export async function listRunViews(
  actor: Actor,
  filter: { strategyId?: string; idempotencyKey?: string; limit: number },
) {
  const rows = await listRuns(scopeOf(actor), filter);
  const open = await countIntentsIn(
    rows.filter((r) => r.status !== "RUNNING").map((r) => r.id),
    OPEN_INTENT_STATES,
  );
  const now = Date.now();
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    /** WORKING until every order has ended at its broker (lib/trading/run-status.ts). */
    displayStatus: displayRunStatus(r.status, open.get(r.id) ?? 0, r.triggeredAt.getTime(), now),
    triggeredAt: r.triggeredAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    strategy: r.strategy,
    orders: r._count.intents,
  }));
}
