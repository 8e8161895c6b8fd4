import type { IntentState, Prisma, RunKind } from "@/lib/generated/prisma/client";
import { db, sqlRows } from "@/lib/db/client";
import { inSqlTransaction, type SqlTx } from "@/lib/db/transaction";
import { ownerMemo } from "@/lib/db/queries/owner-memo";
import { ownerFilter, type Scope } from "@/lib/auth/roles";
import type { OrderIntentSpec } from "@/lib/trading/intents";

export interface NewRun {
  id: string;
  ownerId: string;
  strategyId: string | null;
  kind: RunKind;
  idempotencyKey: string;
  triggeredAt: Date;
  plan: Prisma.InputJsonValue;
  /** COPY runs: the copy group whose master events the run carries. */
  copyGroupId?: string | null;
  /** STOP_ORDERS runs: the run whose legs the stops protect. */
  protectsRunId?: string | null;
}

/**
 * Writes a run and all its intents in one transaction (after `guard`, when given). A second request with the same idempotency key writes
 * nothing and gets the first run's id back (`created: false`), also when it named the same run id: a copy run's id
 * derives from its events, so two workers' hand-ons of the same events collide on both keys at once, and an insert
 * that arbitrates on one unique index still fails on the other (PostgreSQL's ON CONFLICT names one arbiter): the
 * insert therefore yields to any conflict, and the key decides which run is returned. Two statements, the intents as column arrays: a run
 * of hundreds of accounts is on the trigger's critical path, so the transaction is plain SQL, not Prisma's
 * (docs/performance.md "The trigger's request path").
 */
export async function insertRunWithIntents(
  run: NewRun,
  intents: readonly OrderIntentSpec[],
  /** Runs first inside the transaction; throwing refuses the run (the kill switch check, lib/services/kill-switch/index.ts). */
  guard?: (tx: SqlTx) => Promise<void>,
  /** Runs last inside the transaction, only when the run was created (a copy event marked sent with its run). */
  andThen?: (tx: SqlTx) => Promise<void>,
): Promise<{ runId: string; created: boolean }> {
  const col = <K extends keyof OrderIntentSpec>(k: K) => intents.map((i) => i[k]);
  return inSqlTransaction(async (tx) => {
    if (guard) await guard(tx);
    const inserted = await tx.query(
      `INSERT INTO strategy_runs (id, owner_id, strategy_id, kind, idempotency_key, triggered_at, plan, copy_group_id, protects_run_id)
       VALUES ($1::uuid, $2::uuid, $3::uuid, $4::"RunKind", $5, $6, $7::jsonb, $8::uuid, $9::uuid)
       ON CONFLICT DO NOTHING RETURNING id`,
      [
        run.id,
        run.ownerId,
        run.strategyId,
        run.kind,
        run.idempotencyKey,
        run.triggeredAt,
        JSON.stringify(run.plan),
        run.copyGroupId ?? null,
        run.protectsRunId ?? null,
      ],
    );
    if (inserted.rows.length === 0) {
      const existing = await tx.query<{ id: string }>(
        `SELECT id::text AS id FROM strategy_runs WHERE idempotency_key = $1`,
        [run.idempotencyKey],
      );
      // The conflict was on the key (or on the id, and then the run under the key is the one a retry wants).
      if (!existing.rows[0]) throw new Error(`run ${run.id} conflicts, but no run has its idempotency key`);
      return { runId: existing.rows[0].id, created: false };
    }
    if (intents.length > 0) {
      await tx.query(
        `INSERT INTO order_intents (id, run_id, account_id, leg_index, slice_index, phase, symbol, exchange, action, product, price_type, price, trigger_price, quantity, updated_at)
         SELECT id, $2::uuid, account_id::uuid, leg_index, slice_index, phase, symbol, exchange, action, product, price_type, price::numeric, trigger_price::numeric, quantity, now()
         FROM unnest($1::text[], $3::text[], $4::int[], $5::int[], $6::int[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::int[], $14::text[])
           AS t(id, account_id, leg_index, slice_index, phase, symbol, exchange, action, product, price_type, price, quantity, trigger_price)`,
        [
          col("intentId"),
          run.id,
          col("accountId"),
          col("legIndex"),
          col("sliceIndex"),
          col("phase"),
          col("symbol"),
          col("exchange"),
          col("action"),
          col("product"),
          col("priceType"),
          intents.map((i) => i.price?.toString() ?? null),
          col("quantity"),
          intents.map((i) => i.triggerPrice?.toString() ?? null),
        ],
      );
    }
    if (andThen) await andThen(tx);
    return { runId: run.id, created: true };
  });
}

/** The run stored under an idempotency key. Plain SQL: every trigger asks it first (docs/performance.md). */
export async function findRunIdByKey(idempotencyKey: string): Promise<string | null> {
  const [row] = await sqlRows<{ id: string }>(`SELECT id::text AS id FROM strategy_runs WHERE idempotency_key = $1`, [
    idempotencyKey,
  ]);
  return row?.id ?? null;
}

export async function runVisible(scope: Scope, id: string): Promise<boolean> {
  return (await db().strategyRun.count({ where: { id, ...ownerFilter(scope) } })) > 0;
}

/** The subset of `ids` the scope may see (a global exit's EXIT runs belong to many owners). */
export async function visibleRunIds(scope: Scope, ids: readonly string[]): Promise<Set<string>> {
  if (scope.ownerId === null) return new Set(ids);
  if (ids.length === 0) return new Set();
  const rows = await db().strategyRun.findMany({
    where: { id: { in: [...ids] }, ...ownerFilter(scope) },
    select: { id: true },
  });
  return new Set(rows.map((r) => r.id));
}

export function findRun(scope: Scope, id: string) {
  return db().strategyRun.findFirst({
    where: { id, ...ownerFilter(scope) },
    include: {
      intents: { orderBy: [{ accountId: "asc" }, { phase: "asc" }, { legIndex: "asc" }, { sliceIndex: "asc" }] },
      strategy: { select: { id: true, name: true } },
    },
  });
}

/** Per run id, how many of its intents are in one of `states` (runs with none are absent). */
export async function countIntentsIn(
  runIds: readonly string[],
  states: readonly string[],
): Promise<Map<string, number>> {
  if (runIds.length === 0) return new Map();
  const rows = await db().orderIntent.groupBy({
    by: ["runId"],
    where: { runId: { in: [...runIds] }, state: { in: states as IntentState[] } },
    _count: { _all: true },
  });
  return new Map(rows.map((r) => [r.runId, r._count._all]));
}

/** Per run: each intent state present, its intents counted and their filled quantity summed (for the shown status). */
export async function intentStatesIn(
  runIds: readonly string[],
): Promise<Map<string, { state: string; count: number; filledQuantity: number }[]>> {
  if (runIds.length === 0) return new Map();
  const rows = await db().orderIntent.groupBy({
    by: ["runId", "state"],
    where: { runId: { in: [...runIds] } },
    _count: { _all: true },
    _sum: { filledQuantity: true },
  });
  const byRun = new Map<string, { state: string; count: number; filledQuantity: number }[]>();
  for (const r of rows) {
    const list = byRun.get(r.runId) ?? [];
    list.push({ state: r.state, count: r._count._all, filledQuantity: r._sum.filledQuantity ?? 0 });
    byRun.set(r.runId, list);
  }
  return byRun;
}

export function listRuns(scope: Scope, filter: { strategyId?: string; idempotencyKey?: string; limit: number }) {
  return db().strategyRun.findMany({
    where: {
      ...ownerFilter(scope),
      ...(filter.strategyId ? { strategyId: filter.strategyId } : {}),
      // Stored keys are "<owner id>:<client key>"; the caller's charset has no LIKE wildcards (see the route's schema).
      ...(filter.idempotencyKey ? { idempotencyKey: { endsWith: `:${filter.idempotencyKey}` } } : {}),
    },
    orderBy: { triggeredAt: "desc" },
    take: filter.limit,
    select: {
      id: true,
      kind: true,
      status: true,
      triggeredAt: true,
      finishedAt: true,
      strategy: { select: { id: true, name: true } },
      _count: { select: { intents: true } },
    },
  });
}

/** Owner of each run; a global exit (no owner, it spans owners) and unknown ids are absent (remembered: owner-memo.ts). */
export const runOwnerIds = ownerMemo(async (ids) => {
  const rows = await db().$queryRawUnsafe<{ id: string; ownerId: string | null }[]>(
    `SELECT id::text AS id, owner_id::text AS "ownerId" FROM strategy_runs WHERE id = ANY($1::uuid[])`,
    ids,
  );
  return new Map(rows.map((r) => [r.id, r.ownerId]));
});

/** Which of `runIds` were triggered before `at` (a day's realised P&L leaves their fills out). */
export async function runsTriggeredBefore(runIds: readonly string[], at: Date): Promise<Set<string>> {
  if (runIds.length === 0) return new Set();
  const rows = await db().$queryRawUnsafe<{ id: string }[]>(
    `SELECT id::text AS id FROM strategy_runs WHERE id = ANY($1::uuid[]) AND triggered_at < $2`,
    [...runIds],
    at,
  );
  return new Set(rows.map((r) => r.id));
}
