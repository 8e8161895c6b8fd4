/**
 * Daily loss limits (docs/risk.md "Daily loss limit"): the accounts that carry one, and the block an account gets for
 * the rest of an IST day once its loss reaches it (`account_day_blocks`; its key makes it once per account and day).
 */
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";

/** Active accounts with a daily loss limit and no block on `tradingDate`. */
export function listLimitAccounts(tradingDate: string) {
  return db().tradingAccount.findMany({
    where: { active: true, dailyLossLimit: { not: null }, dayBlocks: { none: { tradingDate } } },
    select: { id: true, ownerId: true, name: true, brokerName: true, dailyLossLimit: true },
  });
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
