import { findRun, intentStatesIn, listRuns, runVisible } from "@/lib/db/queries/runs";
import { allCancelledUnfilled, countOpen, displayRunStatus, OPEN_INTENT_STATES } from "@/lib/trading/run-status";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import { NotFoundError } from "@/lib/errors";
import type { RunEvent } from "@/lib/realtime/run-events";
import type { AccountPlan, PlannedLeg } from "@/lib/trading/plan-account";
import type { RunPreview } from "@/lib/trading/plan";
import type { ResolvedLeg } from "@/lib/trading/resolve-legs";
import type { Jsonified } from "@/lib/util/jsonify";

/** A plan as previews return it and as a run stores it (createRun saves `jsonify(preview)`). */
export type PreviewJson = Jsonified<RunPreview>;
export type AccountPlanJson = Jsonified<AccountPlan>;
export type PlannedLegJson = Jsonified<PlannedLeg>;
export type ResolvedLegJson = Jsonified<ResolvedLeg>;

/** GET /api/runs/{id}: one run for the live grid. */
export type RunJson = Jsonified<Awaited<ReturnType<typeof getRunView>>>;
export type IntentJson = RunJson["intents"][number];
export type IntentStateName = IntentJson["state"];
export type RunStatus = RunJson["status"];
export type RunKind = RunJson["kind"];
/** What a person is shown: WORKING until every order has ended at its broker (lib/trading/run-status.ts). */
export type DisplayRunStatus = RunJson["displayStatus"];
/** One row of GET /api/runs. */
export type RunListItemJson = Jsonified<Awaited<ReturnType<typeof listRunViews>>[number]>;
/** What the browser receives on /api/runs/{id}/events. */
export type RunEventJson = Jsonified<RunEvent>;

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
    displayStatus: displayRunStatus(
      run.status,
      countOpen(run.intents.map((i) => i.state)),
      t0,
      Date.now(),
      allCancelledUnfilled(run.intents),
    ),
    triggeredAt: run.triggeredAt.toISOString(),
    finishedAt: run.finishedAt?.toISOString() ?? null,
    strategy: run.strategy,
    plan: run.plan as PreviewJson,
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
  const states = await intentStatesIn(rows.filter((r) => r.status !== "RUNNING").map((r) => r.id));
  const now = Date.now();
  const shown = (r: (typeof rows)[number]) => {
    const s = states.get(r.id) ?? [];
    const open = s.filter((g) => OPEN_INTENT_STATES.includes(g.state)).reduce((n, g) => n + g.count, 0);
    return displayRunStatus(r.status, open, r.triggeredAt.getTime(), now, allCancelledUnfilled(s));
  };
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    status: r.status,
    /** WORKING until every order has ended at its broker (lib/trading/run-status.ts). */
    displayStatus: shown(r),
    triggeredAt: r.triggeredAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    strategy: r.strategy,
    orders: r._count.intents,
  }));
}
