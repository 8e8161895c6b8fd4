import type { SignalPosition, SignalVerdict } from "@/lib/generated/prisma/client";
import { db, sqlPool } from "@/lib/db/client";
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
const INSERT_SIGNAL = `INSERT INTO signals (${COLUMNS.map(([, c]) => c.split("::")[0]).join(", ")})
  VALUES (${COLUMNS.map(([, c], i) => `$${i + 1}${c.includes("::") ? `::${c.split("::")[1]}` : ""}`).join(", ")})`;

/**
 * Writes one alert-log row (inside a plain-SQL transaction when given). Plain SQL: every alert that reaches a known
 * webhook writes one, on the ack path (lib/db/client.ts sqlPool).
 */
export async function insertSignal(row: NewSignal, tx?: SqlTx): Promise<void> {
  await (tx ?? sqlPool()).query(
    INSERT_SIGNAL,
    COLUMNS.map(([k]) => row[k]),
  );
}

/**
 * The accepted alert this one repeats on a webhook: the same sender `clientId` (at most one accepted: a partial unique
 * index), else the newest with the same raw body received since `since` (the dedupe window; null = no window). One
 * round trip.
 */
export async function findAcceptedRepeat(
  webhookId: string,
  by: { clientId: string | null; bodyHash: string; since: Date | null },
  tx?: SqlTx,
): Promise<{ id: string; runId: string | null; clientId: string | null } | null> {
  if (!by.clientId && !by.since) return null;
  const r = await (tx ?? sqlPool()).query<{ id: string; runId: string | null; clientId: string | null }>(
    `SELECT id, run_id AS "runId", client_id AS "clientId" FROM signals
      WHERE webhook_id = $1 AND verdict = 'ACCEPTED'
        AND (client_id = $2 OR (body_hash = $3 AND received_at >= $4))
      ORDER BY (client_id IS NOT DISTINCT FROM $2) DESC, received_at DESC LIMIT 1`,
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
