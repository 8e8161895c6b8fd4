import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";
import { ownerFilter, type Scope } from "@/lib/auth/roles";

/**
 * Strategy queries. Functions that take a strategy id from a caller also take the actor's scope (see
 * lib/db/queries/accounts.ts); a row outside the scope is "not found". Functions without a scope act on an id the
 * service has already checked.
 */
export type StrategyRow = Prisma.StrategyGetPayload<object>;

export function findStrategy(scope: Scope, id: string): Promise<StrategyRow | null> {
  return db().strategy.findFirst({ where: { id, ...ownerFilter(scope) } });
}

export function findStrategiesByOwner(scope: Scope, opts: { includeArchived?: boolean } = {}): Promise<StrategyRow[]> {
  return db().strategy.findMany({
    where: { ...ownerFilter(scope), ...(opts.includeArchived ? {} : { archived: false }) },
    orderBy: { name: "asc" },
  });
}

/** Id and name of each strategy in `ids` (any owner: the caller already holds rows that point at them). */
export function listStrategyNames(ids: readonly string[]): Promise<{ id: string; name: string }[]> {
  return db().strategy.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } });
}

/** How many live (not archived) strategies size with the quality grade `gradeId`. */
export function countStrategiesUsingGrade(gradeId: string, tx: Tx = db()): Promise<number> {
  return tx.strategy.count({
    where: { archived: false, definition: { path: ["sizing", "gradeId"], equals: gradeId } },
  });
}

export function insertStrategy(
  data: Pick<Prisma.StrategyUncheckedCreateInput, "ownerId" | "name" | "definition" | "accountIds" | "accountTags">,
  tx: Tx = db(),
): Promise<StrategyRow> {
  return tx.strategy.create({ data });
}

export function updateStrategyRow(
  id: string,
  data: Pick<Prisma.StrategyUncheckedUpdateInput, "name" | "definition" | "accountIds" | "accountTags" | "archived">,
  tx: Tx = db(),
): Promise<StrategyRow> {
  return tx.strategy.update({ where: { id }, data });
}

/**
 * Locks the strategy row (FOR UPDATE) until the end of `tx` and returns it as it is now: concurrent read-modify-write
 * changes of one strategy queue here and each sees the one before it.
 */
export async function lockStrategy(id: string, tx: Tx): Promise<StrategyRow> {
  await tx.$queryRaw`SELECT id FROM strategies WHERE id = ${id}::uuid FOR UPDATE`;
  return tx.strategy.findUniqueOrThrow({ where: { id } });
}

/** Every strategy's owner, name and stored definition (the square-off sweep checks each one's time). */
export function listStrategyDefinitions() {
  return db().strategy.findMany({ select: { id: true, ownerId: true, name: true, definition: true } });
}
