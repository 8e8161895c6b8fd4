/**
 * Daily loss limits (docs/risk.md "Daily loss limit"): the accounts that carry one, and the block an account gets for
 * the rest of an IST day once its loss reaches it (`account_day_blocks`; its key makes it once per account and day).
 */
import { db, sqlRows } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { Tx } from "@/lib/db/transaction";

/** Active accounts with a daily loss limit and no block on `tradingDate`. */
export function listLimitAccounts(tradingDate: string) {
  // Plain SQL: the risk sweep asks every second (docs/performance.md "Background work that competes with a trigger").
  return sqlRows<{
    id: string;
    ownerId: string;
    name: string;
    kind: string;
    hostUrl: string;
    brokerName: string | null;
    dailyLossLimit: Prisma.Decimal | null;
  }>(
    `SELECT a.id::text AS id, a.owner_id::text AS "ownerId", a.name, a.kind::text AS kind, a.host_url AS "hostUrl",
            a.broker_name AS "brokerName",
            a.daily_loss_limit AS "dailyLossLimit"
       FROM trading_accounts a
      WHERE a.active AND a.daily_loss_limit IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM account_day_blocks b WHERE b.account_id = a.id AND b.trading_date = $1)`,
    [tradingDate],
  );
}

/** Blocks the account for the day; false when it already was (another worker, an earlier sweep). */
export async function insertDayBlock(
  tx: Tx,
  row: { accountId: string; tradingDate: string; reason: string; observed: string },
): Promise<boolean> {
  const n = await tx.$executeRawUnsafe(
    `INSERT INTO account_day_blocks (account_id, trading_date, reason, observed) VALUES ($1::uuid, $2, $3, $4::numeric)
     ON CONFLICT DO NOTHING`,
    row.accountId,
    row.tradingDate,
    row.reason,
    row.observed,
  );
  return n === 1;
}

export async function setBlockExit(accountId: string, tradingDate: string, exitId: string): Promise<void> {
  await db().accountDayBlock.updateMany({ where: { accountId, tradingDate, exitId: null }, data: { exitId } });
}

export function findDayBlock(accountId: string, tradingDate: string) {
  return db().accountDayBlock.findUnique({ where: { accountId_tradingDate: { accountId, tradingDate } } });
}

/** Sets (or clears, with null) an account's daily loss limit, ₹. */
export async function setDailyLossLimit(tx: Tx, accountId: string, limit: string | null): Promise<void> {
  await tx.tradingAccount.update({ where: { id: accountId }, data: { dailyLossLimit: limit } });
}

/** An account's daily loss limit, ₹ (null: none, or no such account). */
export async function findAccountLimit(accountId: string) {
  const row = await db().tradingAccount.findUnique({ where: { id: accountId }, select: { dailyLossLimit: true } });
  return row?.dailyLossLimit ?? null;
}
