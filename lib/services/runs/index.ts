import { randomUUID } from "node:crypto";
import type { RunKind } from "@/lib/generated/prisma/client";
import type { SqlTx } from "@/lib/db/transaction";
import { insertRunWithIntents } from "@/lib/db/queries/runs";
import { insertRunRisk, reopenAdjustedRun } from "@/lib/db/queries/run-risks";
import { rulesEmpty, type RiskRules } from "@/lib/trading/risk/rules";
import { enqueueDispatch } from "@/lib/queues/dispatch";
import { intentsForAccountPlan } from "@/lib/trading/intents";
import type { RunPreview } from "@/lib/trading/plan";
import { jsonify } from "@/lib/util/jsonify";
import { refreshRunStatus } from "@/lib/services/dispatch";
import { guardEntries } from "@/lib/services/kill-switch";
import type { DispatchOptions } from "@/lib/services/dispatch";

// The run views (one run for the live grid, the list) live beside the producer; they are part of this surface.
export { assertRunVisible, getRunView, listRunViews } from "./view";
export type {
  AccountPlanJson,
  DisplayRunStatus,
  IntentJson,
  IntentStateName,
  PlannedLegJson,
  PreviewJson,
  ResolvedLegJson,
  RunEventJson,
  RunJson,
  RunKind,
  RunListItemJson,
  RunStatus,
} from "./view";

export interface CreateRunInput {
  /** The run's id when the caller had to name it first (a webhook answers it before the run is planned). */
  runId?: string;
  ownerId: string;
  strategyId: string | null;
  kind: RunKind;
  /** Same key ⇒ same run: a double click or a retried request never creates a second set of orders. */
  idempotencyKey: string;
  triggeredAt: Date;
  preview: RunPreview;
  /** Dispatch tunables carried by the run's jobs (exits: short reconcile windows, no resend without a position read). */
  dispatch?: Partial<DispatchOptions>;
  /** COPY runs: the copy group whose master events the run carries. */
  copyGroupId?: string;
  /** STOP_ORDERS runs: the run whose legs the stops protect (docs/risk.md "Leg stops at the broker"). */
  protectsRunId?: string;
  /**
   * Runs inside the run's transaction, only when the run is created (e.g. marking copy events sent with it). The
   * transaction is plain SQL (lib/db/queries/runs.ts insertRunWithIntents).
   */
  andThen?: (tx: SqlTx) => Promise<void>;
  /**
   * STRATEGY runs: the risk rules armed on this run (docs/risk.md), stored with the run in its transaction, so every
   * run is armed afresh. Null or empty arms nothing.
   */
  risk?: RiskRules | null;
  /**
   * Work that does not change the orders (an audit entry), run only when the run was created, after its commit and
   * beside the enqueue of its dispatch jobs, so neither waits for the other. Its failure fails the call, as before.
   */
  afterCommit?: (runId: string) => Promise<unknown>;
}

/**
 * What a new run does to the risk engine, in the run's transaction: a STRATEGY run with rules is armed with them; an
 * ADJUSTMENT run re-opens the armed run it adjusts (its legs join that run's position, docs/risk.md "Adjustments").
 */
async function armRun(tx: SqlTx, runId: string, input: CreateRunInput): Promise<void> {
  if (input.kind === "STRATEGY" && input.risk && !rulesEmpty(input.risk)) {
    await insertRunRisk(tx, {
      runId,
      ownerId: input.ownerId,
      strategyId: input.strategyId,
      rules: jsonify(input.risk),
      legStopMode: input.risk.legStopMode,
    });
  }
  if (input.kind === "ADJUSTMENT" && input.strategyId) await reopenAdjustedRun(tx, input.strategyId, input.triggeredAt);
}

/**
 * Stores a run and its order intents (run × account × leg × slice, deterministic ids) in one transaction, then
 * enqueues one dispatch job per planned account. Idempotent by key, including the enqueue (deterministic job ids).
 * Every kind but EXIT is an entry: refused (423) while a kill switch covers the owner, checked in the same transaction.
 */
export async function createRun(input: CreateRunInput): Promise<{ runId: string; created: boolean }> {
  const runId = input.runId ?? randomUUID();
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
      copyGroupId: input.copyGroupId ?? null,
      protectsRunId: input.protectsRunId ?? null,
    },
    intents,
    input.kind === "EXIT" ? undefined : (tx) => guardEntries(tx, input.ownerId),
    async (tx) => {
      await armRun(tx, runId, input);
      await input.andThen?.(tx);
    },
  );
  if (result.created)
    await Promise.all([
      enqueueDispatch(
        result.runId,
        planned.map((p) => p.accountId),
        input.dispatch,
      ),
      input.afterCommit?.(result.runId),
    ]);
  // No account to dispatch: no job will ever settle the run, so it gets its final status now.
  if (result.created && planned.length === 0) await refreshRunStatus(result.runId);
  return result;
}
