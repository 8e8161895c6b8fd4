/**
 * Exit rows, their per-account progress, the per-account exit claims and the driving lease. Claims and leases are
 * compare-and-set statements: two workers (or two exits) can never both act on one account.
 */
import type { ExitReason, ExitScope, ExitStatus, Prisma } from "@/lib/generated/prisma/client";
import { db, sqlCount, sqlPool, sqlRows } from "@/lib/db/client";
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
  // Plain SQL: a drive renews its lease before every send (docs/performance.md "The way out").
  const n = await sqlCount(
    `UPDATE exits SET lease_holder = $2, lease_until = $3::timestamptz
      WHERE id = $1::uuid AND status <> 'DONE' AND (lease_until IS NULL OR lease_until < now() OR lease_holder = $2)`,
    [id, holder, until.toISOString()],
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
    const rows = await sqlRows<{ exit_id: string; account_id: string }>(
      `INSERT INTO exit_claims (account_id, exit_id, claimed_at)
       SELECT a::uuid, e::uuid, now() FROM unnest($1::text[], $2::text[]) AS t(e, a)
       ON CONFLICT (account_id) DO UPDATE SET exit_id = EXCLUDED.exit_id, claimed_at = now()
         WHERE exit_claims.exit_id = EXCLUDED.exit_id
            OR NOT EXISTS (SELECT 1 FROM exit_accounts ea WHERE ea.exit_id = exit_claims.exit_id AND ea.account_id = exit_claims.account_id
                             AND ea.status <> 'DONE' AND (ea.current_run_id IS NOT NULL OR ea.pending_run_key IS NOT NULL
                                                          OR exit_claims.claimed_at > now() - interval '2 minutes'))
       RETURNING exit_id::text AS exit_id, account_id::text AS account_id`,
      [pairs.map((p) => p.exitId), pairs.map((p) => p.accountId)],
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
  /** Also give up the exit's claim on the account, in the same statement (after an attempt, docs/performance.md). */
  releaseClaim?: boolean;
}

type AccountWrite = { exitId: string; accountId: string; change: ExitAccountChange; at: Date };

/**
 * Every account of an exit writes its progress (and often gives up its claim) after each attempt; the writes of all
 * accounts asking at the same moment go out as ONE plain-SQL statement (one commit), each row with its own change:
 * a column an account's change leaves out keeps its value. Two writes of one account never share a statement, so
 * they apply in the order they were asked.
 */
const accountWrites = coalescer(
  async (ws: AccountWrite[]) => {
    const col = <T>(f: (c: ExitAccountChange) => T) => ws.map((w) => f(w.change));
    await sqlPool().query(
      `WITH v AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::timestamptz[], $4::text[], $5::bool[], $6::text[], $7::bool[],
                              $8::uuid[], $9::bool[], $10::text[], $11::bool[], $12::timestamptz[], $13::int[], $14::int[],
                              $15::bool[], $16::bool[])
           AS t(exit_id, account_id, at, status, set_message, message, set_run, run_id, set_key, pending_key, set_next,
                next_at, attempts_delta, failures_delta, reset_failures, release)
       ), upd AS (
         UPDATE exit_accounts ea SET
           updated_at = v.at,
           status = coalesce(v.status::"ExitStatus", ea.status),
           finished_at = CASE WHEN v.status IS NULL THEN ea.finished_at WHEN v.status = 'DONE' THEN v.at ELSE NULL END,
           message = CASE WHEN v.set_message THEN v.message ELSE ea.message END,
           current_run_id = CASE WHEN v.set_run THEN v.run_id ELSE ea.current_run_id END,
           pending_run_key = CASE WHEN v.set_key THEN v.pending_key ELSE ea.pending_run_key END,
           next_attempt_at = CASE WHEN v.set_next THEN v.next_at ELSE ea.next_attempt_at END,
           attempts = ea.attempts + v.attempts_delta,
           failures = CASE WHEN v.reset_failures THEN 0 ELSE ea.failures + v.failures_delta END
         FROM v WHERE ea.exit_id = v.exit_id AND ea.account_id = v.account_id
         RETURNING 1
       ), rel AS (
         DELETE FROM exit_claims c USING v WHERE v.release AND c.exit_id = v.exit_id AND c.account_id = v.account_id
         RETURNING 1
       )
       SELECT (SELECT count(*) FROM upd) AS updated, (SELECT count(*) FROM rel) AS released`,
      [
        ws.map((w) => w.exitId),
        ws.map((w) => w.accountId),
        ws.map((w) => w.at),
        col((c) => c.status ?? null),
        col((c) => c.message !== undefined),
        col((c) => c.message ?? null),
        col((c) => c.currentRunId !== undefined),
        col((c) => c.currentRunId ?? null),
        col((c) => c.pendingRunKey !== undefined),
        col((c) => c.pendingRunKey ?? null),
        col((c) => c.nextAttemptAt !== undefined),
        col((c) => c.nextAttemptAt ?? null),
        col((c) => c.attemptsDelta ?? 0),
        col((c) => c.failuresDelta ?? 0),
        col((c) => !!c.resetFailures),
        col((c) => !!c.releaseClaim),
      ],
    );
    return ws.map(() => undefined);
  },
  (w) => [w.accountId],
);

/** Writes the change to each account's progress row (and releases its claim when asked): see accountWrites. */
export async function updateExitAccounts(
  exitId: string,
  accountIds: readonly string[],
  change: ExitAccountChange,
): Promise<void> {
  const at = new Date();
  await Promise.all(accountIds.map((accountId) => accountWrites({ exitId, accountId, change, at })));
}

/** Counts a pass that sends orders and returns its number (the runs' idempotency keys use it). */
export async function nextExitPass(id: string): Promise<number> {
  const [row] = await sqlRows<{ passes: number }>(
    `UPDATE exits SET passes = passes + 1, updated_at = now() WHERE id = $1::uuid RETURNING passes`,
    [id],
  );
  if (!row) throw new Error(`exit ${id} not found`);
  return row.passes;
}

export async function appendExitRun(id: string, runId: string): Promise<void> {
  await db().$executeRawUnsafe(
    `UPDATE exits SET run_ids = array_append(run_ids, $2) WHERE id = $1::uuid AND NOT ($2 = ANY(run_ids))`,
    id,
    runId,
  );
}

/** Exits whose status is asked for at the same moment (accounts finishing together) share one statement. */
const statusRefreshes = coalescer(async (ids: string[]) => {
  const rows = await sqlRows<{ id: string; status: ExitStatus }>(
    `UPDATE exits e SET status = s.status::"ExitStatus",
            finished_at = CASE WHEN s.status = 'DONE' THEN coalesce(e.finished_at, now()) ELSE NULL END, updated_at = now()
       FROM (SELECT x.id, (SELECT CASE WHEN count(*) FILTER (WHERE status <> 'DONE') = 0 THEN 'DONE'
                                       WHEN count(*) FILTER (WHERE status = 'FAILED') > 0 THEN 'FAILED' ELSE 'PENDING' END
                             FROM exit_accounts WHERE exit_id = x.id) AS status
               FROM (SELECT DISTINCT unnest($1::uuid[]) AS id) x) s
      WHERE e.id = s.id
      RETURNING e.id::text AS id, e.status::text AS status`,
    [ids],
  );
  return ids.map((id) => rows.find((r) => r.id === id)?.status ?? null);
});

/** Recomputes an exit's status from its accounts: DONE when all are, FAILED when any is, else PENDING. */
export async function refreshExitStatus(id: string): Promise<ExitStatus> {
  const status = await statusRefreshes(id);
  if (!status) throw new Error(`exit ${id} not found`);
  return status;
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
