/**
 * Reads and writes of the copy engine's alerts (docs/copy-trading.md "Alerts and automatic pauses"): rejected child
 * copies, children with three rejected copies in a row, and the automatic pause. System queries (every owner).
 */
import { sqlPool } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";

/** Rejected child copies (COPY intents rejected) between `since` and `until`, the latest per (owner, child). */
export async function listCopyRejections(
  since: Date,
  until: Date,
): Promise<{ ownerId: string; accountId: string; accountName: string; symbol: string; reason: string | null }[]> {
  const { rows } = await sqlPool().query(
    `SELECT DISTINCT ON (r.owner_id, i.account_id) r.owner_id::text AS "ownerId", i.account_id::text AS "accountId",
            a.name AS "accountName", i.symbol, i.reason
       FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id JOIN trading_accounts a ON a.id = i.account_id
      WHERE r.kind = 'COPY' AND i.state IN ('rejected', 'rejected_late') AND i.updated_at >= $1 AND i.updated_at < $2
      ORDER BY r.owner_id, i.account_id, i.updated_at DESC`,
    [since, until],
  );
  return rows;
}

/** How many settled copies in a row, the latest first, pause a child when every one was rejected. */
export const REJECTIONS_TO_PAUSE = 3;

/**
 * Enabled children (of any group) whose last REJECTIONS_TO_PAUSE settled copies since the child was last changed
 * (resumed, edited) were all rejected. A copy is one child order of one event (all its slices): rejected when a
 * slice was rejected and nothing filled; good when anything filled; still working or cancelled unfilled counts
 * neither way.
 */
export async function listChildrenRejectedInARow(): Promise<
  {
    groupId: string;
    groupName: string;
    ownerId: string;
    accountId: string;
    accountName: string;
    reason: string | null;
  }[]
> {
  const { rows } = await sqlPool().query(
    `WITH copies AS (
       SELECT c.group_id, c.account_id, r.triggered_at, i.leg_index,
              bool_or(i.filled_quantity > 0) AS filled,
              bool_or(i.state IN ('rejected', 'rejected_late')) AS rejected,
              max(i.reason) FILTER (WHERE i.state IN ('rejected', 'rejected_late')) AS reason
         FROM copy_children c JOIN copy_groups g ON g.id = c.group_id
         JOIN strategy_runs r ON r.copy_group_id = c.group_id AND r.kind = 'COPY' AND r.triggered_at >= c.updated_at
         JOIN order_intents i ON i.run_id = r.id AND i.account_id = c.account_id
        WHERE c.enabled AND g.enabled
        GROUP BY c.group_id, c.account_id, r.id, r.triggered_at, i.leg_index),
     settled AS (
       SELECT *, row_number() OVER (PARTITION BY group_id, account_id ORDER BY triggered_at DESC, leg_index DESC) AS n
         FROM copies WHERE filled OR rejected)
     SELECT s.group_id::text AS "groupId", g.name AS "groupName", g.owner_id::text AS "ownerId",
            s.account_id::text AS "accountId", a.name AS "accountName", max(s.reason) AS reason
       FROM settled s JOIN copy_groups g ON g.id = s.group_id JOIN trading_accounts a ON a.id = s.account_id
      WHERE s.n <= $1
      GROUP BY s.group_id, g.name, g.owner_id, s.account_id, a.name
     HAVING count(*) = $1 AND bool_and(s.rejected AND NOT s.filled)`,
    [REJECTIONS_TO_PAUSE],
  );
  return rows;
}

/** Pauses an enabled child with `reason` (the engine's own pause); false when it was paused already. */
export async function pauseCopyChild(tx: Tx, groupId: string, accountId: string, reason: string): Promise<boolean> {
  const { count } = await tx.copyChild.updateMany({
    where: { groupId, accountId, enabled: true },
    data: { enabled: false, pausedReason: reason },
  });
  return count === 1;
}
