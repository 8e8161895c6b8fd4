/**
 * Exit rows, their per-account progress, the per-account exit claims and the driving lease. Claims and leases are
 * compare-and-set statements: two workers (or two exits) can never both act on one account.
 */
import type { ExitReason, ExitScope, ExitStatus, Prisma } from "@/lib/generated/prisma/client";
import { db, sqlPool } from "@/lib/db/client";
import { ownerFilter, type Scope } from "@/lib/auth/roles";
import { coalescer } from "@/lib/db/queries/coalesce";

export interface NewExit {
  ownerId: string | null;
  scope: ExitScope;
  reason: ExitReason;
  targetKey: string;
  runId?: string | null;
  strategyId?: string | null;
  accountId?: string | null;
  legIndex?: number | null;
  requestedBy: string | null;
  note?: string | null;
}

/**
 * Creates the exit with one progress row per account, unless an active exit (not DONE) has the same target: then
 * nothing is written and that exit is returned (`joined`). Atomic through the partial unique index on target_key.
 */
export async function insertOrJoinExit(
  tx: Prisma.TransactionClient,
  exit: NewExit,
  accountIds: readonly string[],
): Promise<{ id: string; joined: boolean }> {
  const inserted = await tx.$queryRawUnsafe<{ id: string }[]>(
    `INSERT INTO exits (id, owner_id, scope, reason, target_key, run_id, strategy_id, account_id, leg_index, requested_by, note, updated_at)
     VALUES (gen_random_uuid(), $1::uuid, $2::"ExitScope", $3::"ExitReason", $4, $5::uuid, $6::uuid, $7::uuid, $8, $9::uuid, $10, now())
     ON CONFLICT (target_key) WHERE status <> 'DONE' DO NOTHING RETURNING id::text AS id`,
    exit.ownerId,
    exit.scope,
    exit.reason,
    exit.targetKey,
    exit.runId ?? null,
    exit.strategyId ?? null,
    exit.accountId ?? null,
    exit.legIndex ?? null,
    exit.requestedBy,
    exit.note ?? null,
  );
  if (inserted.length === 0) {
    const [active] = await tx.$queryRawUnsafe<{ id: string }[]>(
      `SELECT id::text AS id FROM exits WHERE target_key = $1 AND status <> 'DONE'`,
      exit.targetKey,
    );
    return { id: active.id, joined: true };
  }
  const id = inserted[0].id;
  if (accountIds.length > 0) {
    await tx.$executeRawUnsafe(
      `INSERT INTO exit_accounts (exit_id, account_id, updated_at) SELECT $1::uuid, a::uuid, now() FROM unnest($2::text[]) AS a`,
      id,
      [...new Set(accountIds)],
    );
  } else {
    await tx.exit.update({ where: { id }, data: { status: "DONE", finishedAt: new Date() } });
  }
  return { id, joined: false };
}

export function findExit(id: string) {
  return db().exit.findUnique({
    where: { id },
    include: { accounts: { include: { account: { select: { id: true, name: true, ownerId: true } } } } },
  });
}
export type ExitWithAccounts = NonNullable<Awaited<ReturnType<typeof findExit>>>;

/** Status of each exit in `ids` and of its accounts (how far a kill switch's flattening got). */
export function listExitProgress(ids: readonly string[]) {
  return db().exit.findMany({
    where: { id: { in: [...ids] } },
    select: { id: true, status: true, accounts: { select: { status: true, finishedAt: true } } },
  });
}

/** The runs an exit has started so far. */
export async function findExitRunIds(id: string): Promise<string[]> {
  const row = await db().exit.findUniqueOrThrow({ where: { id }, select: { runIds: true } });
  return row.runIds;
}

/** Exits an actor may see: their own (and global ones, limited to their accounts by the caller); admins every one. */
export function listExitRows(scope: Scope, status: ExitStatus | undefined, limit: number) {
  return db().exit.findMany({
    where: { ...(status ? { status } : {}), ...(scope.ownerId ? { OR: [ownerFilter(scope), { ownerId: null }] } : {}) },
    orderBy: { createdAt: "desc" },
    take: limit,
    include: { accounts: { include: { account: { select: { id: true, name: true, ownerId: true } } } } },
  });
}

/** Takes (or renews) the right to drive an exit until `until`; false while another live worker holds it. */
export async function takeExitLease(id: string, holder: string, until: Date): Promise<boolean> {
  const n = await db().$executeRawUnsafe(
    `UPDATE exits SET lease_holder = $2, lease_until = $3::timestamptz
      WHERE id = $1::uuid AND status <> 'DONE' AND (lease_until IS NULL OR lease_until < now() OR lease_holder = $2)`,
    id,
    holder,
    until.toISOString(),
  );
  return n === 1;
}

export async function releaseExitLease(id: string, holder: string): Promise<void> {
  await db().$executeRawUnsafe(
    `UPDATE exits SET lease_holder = NULL, lease_until = NULL WHERE id = $1::uuid AND lease_holder = $2`,
    id,
    holder,
  );
}

const claimBatch = coalescer(
  async (pairs: { exitId: string; accountId: string }[]) => {
    const rows = await db().$queryRawUnsafe<{ exit_id: string; account_id: string }[]>(
      `INSERT INTO exit_claims (account_id, exit_id, claimed_at)
       SELECT a::uuid, e::uuid, now() FROM unnest($1::text[], $2::text[]) AS t(e, a)
       ON CONFLICT (account_id) DO UPDATE SET exit_id = EXCLUDED.exit_id, claimed_at = now()
         WHERE exit_claims.exit_id = EXCLUDED.exit_id
            OR NOT EXISTS (SELECT 1 FROM exit_accounts ea WHERE ea.exit_id = exit_claims.exit_id AND ea.account_id = exit_claims.account_id
                             AND ea.status <> 'DONE' AND (ea.current_run_id IS NOT NULL OR ea.pending_run_key IS NOT NULL
                                                          OR exit_claims.claimed_at > now() - interval '2 minutes'))
       RETURNING exit_id::text AS exit_id, account_id::text AS account_id`,
      pairs.map((p) => p.exitId),
      pairs.map((p) => p.accountId),
    );
    return pairs.map((p) => rows.some((r) => r.exit_id === p.exitId && r.account_id === p.accountId));
  },
  (p) => [p.accountId],
);

/**
 * Claims an account for an exit: a free claim, one already this exit's, or one whose holder no longer works in that
 * account (its progress row is done, or it has had nothing in flight for two minutes). True when this exit holds it.
 * Concurrent calls share one statement (never two claims of one account in it).
 */
export function claimAccount(exitId: string, accountId: string): Promise<boolean> {
  return claimBatch({ exitId, accountId });
}

/** Which exit holds each of these accounts' claims (for "waiting for exit X" messages). */
export async function claimHolders(accountIds: readonly string[]): Promise<Map<string, string>> {
  if (accountIds.length === 0) return new Map();
  const rows = await db().exitClaim.findMany({
    where: { accountId: { in: [...accountIds] } },
    select: { accountId: true, exitId: true },
  });
  return new Map(rows.map((r) => [r.accountId, r.exitId]));
}

export async function releaseClaims(exitId: string, accountIds: readonly string[]): Promise<void> {
  if (accountIds.length === 0) return;
  await sqlPool().query(`DELETE FROM exit_claims WHERE exit_id = $1::uuid AND account_id = ANY($2::uuid[])`, [
    exitId,
    [...accountIds],
  ]);
}

export interface ExitAccountChange {
  status?: ExitStatus;
  message?: string | null;
  currentRunId?: string | null;
  pendingRunKey?: string | null;
  nextAttemptAt?: Date | null;
  attemptsDelta?: number;
  failuresDelta?: number;
  /** Reset the failure count (progress was made). */
  resetFailures?: boolean;
}

/**
 * One statement per call, in plain SQL: every account of an exit writes its progress after each attempt, and a
 * Prisma model query costs several times the CPU of plain SQL (docs/database-access.md).
 */
export async function updateExitAccounts(
  exitId: string,
  accountIds: readonly string[],
  change: ExitAccountChange,
): Promise<void> {
  if (accountIds.length === 0) return;
  const now = new Date();
  const params: unknown[] = [exitId, [...accountIds], now];
  const p = (v: unknown) => {
    params.push(v);
    return `$${params.length}`;
  };
  const sets = ["updated_at = $3::timestamptz"];
  if (change.status) {
    sets.push(`status = ${p(change.status)}::"ExitStatus"`);
    sets.push(change.status === "DONE" ? "finished_at = $3::timestamptz" : "finished_at = NULL");
  }
  if (change.message !== undefined) sets.push(`message = ${p(change.message)}`);
  if (change.currentRunId !== undefined) sets.push(`current_run_id = ${p(change.currentRunId)}::uuid`);
  if (change.pendingRunKey !== undefined) sets.push(`pending_run_key = ${p(change.pendingRunKey)}`);
  if (change.nextAttemptAt !== undefined) sets.push(`next_attempt_at = ${p(change.nextAttemptAt)}::timestamptz`);
  if (change.attemptsDelta) sets.push(`attempts = attempts + ${p(change.attemptsDelta)}::int`);
  if (change.resetFailures) sets.push("failures = 0");
  else if (change.failuresDelta) sets.push(`failures = failures + ${p(change.failuresDelta)}::int`);
  await sqlPool().query(
    `UPDATE exit_accounts SET ${sets.join(", ")} WHERE exit_id = $1::uuid AND account_id = ANY($2::uuid[])`,
    params,
  );
}

/** Counts a pass that sends orders and returns its number (the runs' idempotency keys use it). */
export async function nextExitPass(id: string): Promise<number> {
  const row = await db().exit.update({ where: { id }, data: { passes: { increment: 1 } }, select: { passes: true } });
  return row.passes;
}

export async function appendExitRun(id: string, runId: string): Promise<void> {
  await db().$executeRawUnsafe(
    `UPDATE exits SET run_ids = array_append(run_ids, $2) WHERE id = $1::uuid AND NOT ($2 = ANY(run_ids))`,
    id,
    runId,
  );
}

/** Recomputes an exit's status from its accounts: DONE when all are, FAILED when any is, else PENDING. */
export async function refreshExitStatus(id: string): Promise<ExitStatus> {
  const [row] = await db().$queryRawUnsafe<{ status: ExitStatus }[]>(
    `UPDATE exits e SET status = s.status::"ExitStatus",
            finished_at = CASE WHEN s.status = 'DONE' THEN coalesce(e.finished_at, now()) ELSE NULL END, updated_at = now()
       FROM (SELECT CASE WHEN count(*) FILTER (WHERE status <> 'DONE') = 0 THEN 'DONE'
                         WHEN count(*) FILTER (WHERE status = 'FAILED') > 0 THEN 'FAILED' ELSE 'PENDING' END AS status
               FROM exit_accounts WHERE exit_id = $1::uuid) s
      WHERE e.id = $1::uuid
      RETURNING e.status::text AS status`,
    id,
  );
  return row.status;
}

/**
 * Active exits no live worker drives (lease lapsed or never taken) with an account still to work on: the sweep hands
 * them to a worker again. An exit whose remaining accounts are gone stays FAILED (visible) without being driven.
 */
export async function listUndrivenExits(limit = 200): Promise<string[]> {
  const rows = await db().$queryRawUnsafe<{ id: string }[]>(
    `SELECT e.id::text AS id FROM exits e
      WHERE e.status <> 'DONE' AND (e.lease_until IS NULL OR e.lease_until < now())
        AND EXISTS (SELECT 1 FROM exit_accounts ea WHERE ea.exit_id = e.id AND ea.status <> 'DONE'
                      AND NOT (ea.status = 'FAILED' AND ea.next_attempt_at IS NULL AND ea.current_run_id IS NULL))
      ORDER BY e.created_at LIMIT $1`,
    limit,
  );
  return rows.map((r) => r.id);
}
