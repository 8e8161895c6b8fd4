import { sqlRows } from "@/lib/db/client";

/**
 * What may stop an account taking new entries on an IST date: a daily-loss block (docs/risk.md "Daily loss limit")
 * and its latest readiness check of that date (docs/readiness.md), per account id. Plain SQL: every trigger asks this
 * for all its accounts (docs/performance.md "The trigger's request path").
 */
export async function entryGateRows(accountIds: readonly string[], tradingDate: string) {
  if (accountIds.length === 0) return { blocks: new Map<string, string>(), readiness: new Map<string, string>() };
  const ids = [...accountIds];
  const [blocks, checks] = await Promise.all([
    sqlRows<{ accountId: string; reason: string }>(
      `SELECT account_id::text AS "accountId", reason FROM account_day_blocks
        WHERE account_id = ANY($1::uuid[]) AND trading_date = $2`,
      [ids, tradingDate],
    ),
    sqlRows<{ accountId: string; status: string }>(
      `SELECT DISTINCT ON (account_id) account_id::text AS "accountId", status::text AS status FROM readiness_checks
        WHERE account_id = ANY($1::uuid[]) AND trading_date = $2
        ORDER BY account_id, checked_at DESC`,
      [ids, tradingDate],
    ),
  ]);
  return {
    blocks: new Map(blocks.map((b) => [b.accountId, b.reason])),
    readiness: new Map(checks.map((c) => [c.accountId, c.status])),
  };
}
