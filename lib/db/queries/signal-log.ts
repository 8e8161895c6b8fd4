import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";

/**
 * Reading the alert log (the `signals` table) for the strategy page and the strategy list. The caller has checked
 * the strategy (or passes the owner scope); newest first, paged by (received_at, id).
 */
export type SignalVerdictName = "ACCEPTED" | "DUPLICATE" | "IGNORED" | "REJECTED" | "DRY_RUN";

export interface SignalLogRow {
  id: string;
  receivedAt: Date;
  ip: string;
  contentType: string;
  body: string;
  format: string | null;
  action: string | null;
  fromPosition: string | null;
  toPosition: string | null;
  clientId: string | null;
  verdict: SignalVerdictName;
  status: number;
  reason: string;
  runId: string | null;
  exitId: string | null;
  lotsMultiplier: Prisma.Decimal | null;
  ackMs: Prisma.Decimal | null;
  processedAt: Date | null;
  error: string | null;
  runStatus: string | null;
  /** Sum over the run's order slices: quantity planned, quantity filled, slices, slices filled. */
  runQuantity: number | null;
  runFilled: number | null;
  runSlices: number | null;
  runSlicesFilled: number | null;
  exitStatus: string | null;
}

/** `%`, `_` and `\` in a search string match themselves, not any text. */
export const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * One page of a strategy's alert log with, per row, its entry run's status and fill progress (one grouped pass
 * over that page's intents) and its exit's status. `before` is the id of the last row of the previous page.
 */
export function findSignalPage(
  strategyId: string,
  opts: { q?: string; verdict?: SignalVerdictName; before?: string; limit: number },
): Promise<SignalLogRow[]> {
  const where = [Prisma.sql`s.strategy_id = ${strategyId}::uuid`];
  if (opts.verdict) where.push(Prisma.sql`s.verdict = ${opts.verdict}::"SignalVerdict"`);
  if (opts.q) {
    const p = `%${escapeLike(opts.q)}%`;
    where.push(Prisma.sql`(s.reason ILIKE ${p} OR s.body ILIKE ${p} OR s.client_id ILIKE ${p} OR s.action ILIKE ${p})`);
  }
  if (opts.before)
    where.push(
      Prisma.sql`(s.received_at, s.id) < (SELECT b.received_at, b.id FROM signals b WHERE b.id = ${opts.before}::uuid AND b.strategy_id = ${strategyId}::uuid)`,
    );
  return db().$queryRaw<SignalLogRow[]>`
    WITH page AS (
      SELECT s.* FROM signals s WHERE ${Prisma.join(where, " AND ")}
      ORDER BY s.received_at DESC, s.id DESC LIMIT ${opts.limit}
    ), fills AS (
      SELECT i.run_id, SUM(i.quantity)::int AS qty, SUM(i.filled_quantity)::int AS filled, COUNT(*)::int AS slices,
             (COUNT(*) FILTER (WHERE i.state = 'filled'))::int AS slices_filled
      FROM order_intents i WHERE i.run_id IN (SELECT run_id FROM page WHERE run_id IS NOT NULL) GROUP BY i.run_id
    )
    SELECT p.id, p.received_at AS "receivedAt", p.ip, p.content_type AS "contentType", p.body, p.format, p.action,
           p.from_position::text AS "fromPosition", p.to_position::text AS "toPosition", p.client_id AS "clientId",
           p.verdict::text AS verdict, p.status, p.reason, p.run_id AS "runId", p.exit_id AS "exitId",
           p.lots_multiplier AS "lotsMultiplier", p.ack_ms AS "ackMs", p.processed_at AS "processedAt", p.error,
           r.status::text AS "runStatus", f.qty AS "runQuantity", f.filled AS "runFilled", f.slices AS "runSlices",
           f.slices_filled AS "runSlicesFilled", e.status::text AS "exitStatus"
    FROM page p
    LEFT JOIN strategy_runs r ON r.id = p.run_id
    LEFT JOIN fills f ON f.run_id = p.run_id
    LEFT JOIN exits e ON e.id = p.exit_id
    ORDER BY p.received_at DESC, p.id DESC`;
}

export interface LastSignalRow {
  strategyId: string;
  id: string;
  receivedAt: Date;
  verdict: SignalVerdictName;
  action: string | null;
  status: number;
}

/**
 * The newest alert of each strategy whose owner is in `ownerIds` (null = any owner), limited to `strategyIds` when
 * given. Archived strategies are left out.
 */
export function findLastSignals(ownerIds: string[] | null, strategyIds: string[] | null): Promise<LastSignalRow[]> {
  if (strategyIds?.length === 0) return Promise.resolve([]);
  const owners = ownerIds === null ? Prisma.empty : Prisma.sql`AND s.owner_id = ANY(${ownerIds}::uuid[])`;
  const only = strategyIds === null ? Prisma.empty : Prisma.sql`AND s.strategy_id = ANY(${strategyIds}::uuid[])`;
  return db().$queryRaw<LastSignalRow[]>`
    SELECT DISTINCT ON (s.strategy_id) s.strategy_id AS "strategyId", s.id, s.received_at AS "receivedAt",
           s.verdict::text AS verdict, s.action, s.status
    FROM signals s JOIN strategies st ON st.id = s.strategy_id AND NOT st.archived
    WHERE TRUE ${owners} ${only}
    ORDER BY s.strategy_id, s.received_at DESC, s.id DESC`;
}
