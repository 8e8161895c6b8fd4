import type { SignalPosition, SignalVerdict } from "@/lib/generated/prisma/client";
import { db, sqlPool } from "@/lib/db/client";
import { GroupCommit } from "@/lib/db/group-commit";
import type { SqlTx } from "@/lib/db/transaction";

/** One alert-log row as the ingress writes it. */
export interface NewSignal {
  id: string;
  webhookId: string;
  strategyId: string;
  ownerId: string;
  ip: string;
  contentType: string;
  body: string;
  format: string | null;
  action: string | null;
  fromPosition: SignalPosition | null;
  toPosition: SignalPosition | null;
  clientId: string | null;
  bodyHash: string;
  verdict: SignalVerdict;
  status: number;
  reason: string;
  runId: string | null;
  lotsMultiplier: string | null;
  ackMs: string;
}

/** Columns of `signals` in insert order, with the cast each parameter needs. */
const COLUMNS: [keyof NewSignal, string][] = [
  ["id", "id::uuid"],
  ["webhookId", "webhook_id::uuid"],
  ["strategyId", "strategy_id::uuid"],
  ["ownerId", "owner_id::uuid"],
  ["ip", "ip"],
  ["contentType", "content_type"],
  ["body", "body"],
  ["format", "format"],
  ["action", "action"],
  ["fromPosition", 'from_position::"SignalPosition"'],
  ["toPosition", 'to_position::"SignalPosition"'],
  ["clientId", "client_id"],
  ["bodyHash", "body_hash"],
  ["verdict", 'verdict::"SignalVerdict"'],
  ["status", "status::int"],
  ["reason", "reason"],
  ["runId", "run_id::uuid"],
  ["lotsMultiplier", "lots_multiplier::numeric"],
  ["ackMs", "ack_ms::numeric"],
];
const columnList = COLUMNS.map(([, c]) => c.split("::")[0]).join(", ");
const rowPlaceholders = (row: number) =>
  `(${COLUMNS.map(([, c], i) => `$${row * COLUMNS.length + i + 1}${c.includes("::") ? `::${c.split("::")[1]}` : ""}`).join(", ")})`;
const insertRows = (q: SqlTx, rows: readonly NewSignal[]) =>
  q.query(
    `INSERT INTO signals (${columnList}) VALUES ${rows.map((_, r) => rowPlaceholders(r)).join(", ")}`,
    rows.flatMap((row) => COLUMNS.map(([k]) => row[k])),
  );

// Rows written outside a transaction (every alert that is not accepted) go in group commits: one INSERT per batch.
const logRows = new GroupCommit<NewSignal, void>(async (rows) => {
  await insertRows(sqlPool(), rows);
  return rows.map(() => undefined);
});

/**
 * Writes one alert-log row: inside a plain-SQL transaction when given, else in the next group commit (the call
 * returns once its row is stored). Plain SQL: every alert that reaches a known webhook writes one, on the ack path
 * (lib/db/client.ts sqlPool).
 */
export async function insertSignal(row: NewSignal, tx?: SqlTx): Promise<void> {
  if (tx) await insertRows(tx, [row]);
  else await logRows.submit(row);
}

type Repeat = { id: string; runId: string | null; clientId: string | null };
type RepeatQuery = { webhookId: string; clientId: string | null; bodyHash: string; since: Date | null };

const REPEAT_MATCH = `verdict = 'ACCEPTED' AND (s.client_id = q.client_id OR (s.body_hash = q.body_hash AND s.received_at >= q.since))
  ORDER BY (s.client_id IS NOT DISTINCT FROM q.client_id) DESC, s.received_at DESC LIMIT 1`;

// Outside a transaction (the check before the lock, on every alert) the lookups go in group commits.
const repeats = new GroupCommit<RepeatQuery, Repeat | null>(async (qs) => {
  const r = await sqlPool().query<Repeat & { i: string }>(
    `SELECT q.i, m.id, m.run_id AS "runId", m.client_id AS "clientId"
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[])
            WITH ORDINALITY AS q(webhook_id, client_id, body_hash, since, i)
       CROSS JOIN LATERAL (SELECT s.id, s.run_id, s.client_id FROM signals s
                            WHERE s.webhook_id = q.webhook_id AND ${REPEAT_MATCH}) m`,
    [qs.map((q) => q.webhookId), qs.map((q) => q.clientId), qs.map((q) => q.bodyHash), qs.map((q) => q.since)],
  );
  const found = new Map(r.rows.map(({ i, ...m }) => [Number(i) - 1, m]));
  return qs.map((_, i) => found.get(i) ?? null);
});

/**
 * The accepted alert this one repeats on a webhook: the same sender `clientId` (at most one accepted: a partial unique
 * index), else the newest with the same raw body received since `since` (the dedupe window; null = no window). One
 * round trip, grouped with other alerts' under load when not in a transaction.
 */
export async function findAcceptedRepeat(
  webhookId: string,
  by: { clientId: string | null; bodyHash: string; since: Date | null },
  tx?: SqlTx,
): Promise<Repeat | null> {
  if (!by.clientId && !by.since) return null;
  if (!tx) return repeats.submit({ webhookId, ...by });
  const r = await tx.query<Repeat>(
    `SELECT m.id, m.run_id AS "runId", m.client_id AS "clientId"
       FROM (SELECT $1::uuid AS webhook_id, $2::text AS client_id, $3::text AS body_hash, $4::timestamptz AS since) q
       CROSS JOIN LATERAL (SELECT s.id, s.run_id, s.client_id FROM signals s
                            WHERE s.webhook_id = q.webhook_id AND ${REPEAT_MATCH}) m`,
    [webhookId, by.clientId, by.bodyHash, by.since],
  );
  return r.rows[0] ?? null;
}

/** One signal with what the worker needs: its webhook's id and its strategy. */
export function findSignalForWork(id: string) {
  return db().signal.findUnique({
    where: { id },
    include: { strategy: true },
  });
}

export function setSignalExit(id: string, exitId: string) {
  return db().signal.update({ where: { id }, data: { exitId }, select: { id: true } });
}

/** Marks a signal handed on (or failed, with the reason); only once. Returns whether this call did it. */
export async function markSignalProcessed(id: string, at: Date, error: string | null): Promise<boolean> {
  const r = await db().signal.updateMany({ where: { id, processedAt: null }, data: { processedAt: at, error } });
  return r.count === 1;
}

/** Alert-log rows of a strategy by verdict (tests and the log page). */
export function countSignals(where: { strategyId?: string; verdict?: SignalVerdict }) {
  return db().signal.count({ where });
}

/** What may hold back an alert's entry (docs/webhooks.md "What the workers do"); every field null: it may go now. */
export interface EntryBlockers {
  /** The oldest accepted alert of the strategy, received before this one, that the workers have not handed on. */
  earlierSignalId: string | null;
  /**
   * The oldest exit still working that would trade where the entry trades: one of the strategy's own (strategy, run or
   * excess scope) or an account, owner or global exit that includes one of the strategy's accounts. An exit counts
   * while one of its accounts is pending, or failed and still retried.
   */
  exitId: string | null;
  /** An accepted EXIT or REVERSE of the strategy received after this alert: it supersedes the entry. */
  laterExitSignalId: string | null;
}

/** One round trip for the three questions of `EntryBlockers`. */
export async function findEntryBlockers(s: {
  id: string;
  strategyId: string;
  ownerId: string;
  receivedAt: Date;
  accountIds: readonly string[];
  accountTags: readonly string[];
}): Promise<EntryBlockers> {
  const [row] = await db().$queryRawUnsafe<EntryBlockers[]>(
    `WITH accts AS (SELECT id FROM trading_accounts
                     WHERE owner_id = $2::uuid AND active AND (id = ANY($3::uuid[]) OR tags && $4::text[])),
          mine AS (SELECT id FROM strategy_runs WHERE strategy_id = $1::uuid)
     SELECT
       (SELECT id::text FROM signals
         WHERE strategy_id = $1::uuid AND verdict = 'ACCEPTED' AND processed_at IS NULL
           AND (received_at, id) < ($5::timestamptz, $6::uuid)
         ORDER BY received_at LIMIT 1) AS "earlierSignalId",
       (SELECT e.id::text FROM exits e
         WHERE e.status <> 'DONE' AND EXISTS (
           SELECT 1 FROM exit_accounts ea WHERE ea.exit_id = e.id AND ea.status <> 'DONE'
              AND NOT (ea.status = 'FAILED' AND ea.next_attempt_at IS NULL AND ea.current_run_id IS NULL)
              AND (e.strategy_id = $1::uuid OR e.run_id IN (SELECT id FROM mine)
                   OR (e.scope IN ('ACCOUNT', 'OWNER', 'ALL') AND ea.account_id IN (SELECT id FROM accts))))
         ORDER BY e.created_at LIMIT 1) AS "exitId",
       (SELECT id::text FROM signals
         WHERE strategy_id = $1::uuid AND verdict = 'ACCEPTED' AND action IN ('EXIT', 'REVERSE')
           AND (received_at, id) > ($5::timestamptz, $6::uuid)
         ORDER BY received_at LIMIT 1) AS "laterExitSignalId"`,
    s.strategyId,
    s.ownerId,
    [...s.accountIds],
    [...s.accountTags],
    s.receivedAt.toISOString(),
    s.id,
  );
  return row;
}

/** Accepted alerts not handed on and received before `before`, oldest first (the recovery sweep). */
export function listUnhandledSignals(before: Date, limit = 100) {
  return db().signal.findMany({
    where: { verdict: "ACCEPTED", processedAt: null, receivedAt: { lt: before } },
    orderBy: { receivedAt: "asc" },
    take: limit,
    select: { id: true, receivedAt: true },
  });
}
