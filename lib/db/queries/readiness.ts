import type { Prisma, ReadinessStatus } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";
import { ownerFilter, type Scope } from "@/lib/auth/roles";
import type { ReadinessItem } from "@/lib/trading/readiness";
import { accountSelect, secretSelect } from "./accounts";

/**
 * Readiness-check queries (docs/readiness.md): the accounts a check covers, the armed strategies that trade in them,
 * the stored results and the latest result per account for the board.
 */

/** Active accounts with their encrypted keys: these ids, else every one of `ownerId`, else every one. */
export function accountsToCheck(filter: { accountIds?: readonly string[]; ownerId?: string }) {
  const where: Prisma.TradingAccountWhereInput = { active: true };
  if (filter.accountIds) where.id = { in: [...filter.accountIds] };
  else if (filter.ownerId) where.ownerId = filter.ownerId;
  return db().tradingAccount.findMany({
    where,
    select: { ...accountSelect, ...secretSelect },
    orderBy: [{ ownerId: "asc" }, { name: "asc" }],
  });
}

/** Strategies not archived of these owners: the ones readiness sizes (each selects accounts by id or tag). */
export function armedStrategiesOf(ownerIds: readonly string[]) {
  return db().strategy.findMany({
    where: { ownerId: { in: [...ownerIds] }, archived: false },
    select: { id: true, ownerId: true, name: true, definition: true, accountIds: true, accountTags: true },
    orderBy: { name: "asc" },
  });
}

export interface ReadinessRowInput {
  accountId: string;
  ownerId: string;
  tradingDate: string;
  status: ReadinessStatus;
  checks: readonly ReadinessItem[];
  trigger: "schedule" | "manual";
  checkedAt: Date;
}

export function insertReadinessCheck(row: ReadinessRowInput, tx: Tx = db()) {
  // Plain JSON objects; the interface type only lacks the index signature Prisma's JSON type asks for.
  const data = { ...row, checks: row.checks as unknown as Prisma.InputJsonValue };
  return tx.readinessCheck.create({ data, select: { id: true } });
}

/** The newest check of every active account in scope, with the account's name (accounts never checked included). */
export function latestReadinessFor(scope: Scope) {
  return db().tradingAccount.findMany({
    where: { active: true, ...ownerFilter(scope) },
    select: {
      id: true,
      ownerId: true,
      name: true,
      isPrimary: true,
      owner: { select: { name: true } },
      readiness: { orderBy: { checkedAt: "desc" }, take: 1 },
    },
    orderBy: [{ name: "asc" }],
  });
}
