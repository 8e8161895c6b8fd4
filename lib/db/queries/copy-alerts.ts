/** Reads the copy sweep alerts from (docs/copy-trading.md "What the trader sees"). */
import { sqlPool } from "@/lib/db/client";

/** The latest rejected child copy per (owner, child account) since `since`. */
export async function listCopyRejections(
  since: Date,
): Promise<{ ownerId: string; accountId: string; accountName: string; symbol: string; reason: string | null }[]> {
  const { rows } = await sqlPool().query(
    `SELECT DISTINCT ON (r.owner_id, i.account_id) r.owner_id::text AS "ownerId", i.account_id::text AS "accountId",
            a.name AS "accountName", i.symbol, i.reason
       FROM order_intents i JOIN strategy_runs r ON r.id = i.run_id JOIN trading_accounts a ON a.id = i.account_id
      WHERE r.kind = 'COPY' AND i.state IN ('rejected', 'rejected_late') AND i.updated_at >= $1
      ORDER BY r.owner_id, i.account_id, i.updated_at DESC`,
    [since],
  );
  return rows;
}
