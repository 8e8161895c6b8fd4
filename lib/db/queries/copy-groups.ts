import type Decimal from "decimal.js";
import { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";
import { ownerFilter, type Scope } from "@/lib/auth/roles";

/**
 * Copy groups and their children as management reads and writes them (docs/copy-trading.md "The group and its
 * children"), and the baseline rows copying starts from. Functions that take a group id from a caller also take the
 * actor's scope; a group outside it is "not found". Functions without a scope act on ids the service has checked.
 */
const groupInclude = {
  masterAccount: { select: { name: true } },
  children: {
    include: { account: { select: { name: true, status: true } } },
    // Children added together share a timestamp: the account id keeps their order the same on every read.
    orderBy: [{ createdAt: "asc" }, { accountId: "asc" }],
  },
} satisfies Prisma.CopyGroupInclude;
export type CopyGroupRow = Prisma.CopyGroupGetPayload<{ include: typeof groupInclude }>;
export type CopyGroupData = Pick<
  Prisma.CopyGroupUncheckedCreateInput,
  "name" | "exchanges" | "products" | "allowSymbols" | "denySymbols" | "windowStart" | "windowEnd"
>;
export type CopyChildData = Pick<
  Prisma.CopyChildUncheckedCreateInput,
  "multiplier" | "rounding" | "minOneLot" | "maxLotsPerOrder" | "maxOpenLots" | "reverse"
>;

export function findCopyGroup(scope: Scope, id: string, tx: Tx = db()): Promise<CopyGroupRow | null> {
  return tx.copyGroup.findFirst({ where: { id, ...ownerFilter(scope) }, include: groupInclude });
}

export function listCopyGroupRows(scope: Scope): Promise<CopyGroupRow[]> {
  return db().copyGroup.findMany({ where: ownerFilter(scope), include: groupInclude, orderBy: { name: "asc" } });
}

export interface LastCopyEventRow {
  groupId: string;
  id: string;
  kind: string;
  symbol: string;
  status: "PENDING" | "SENT" | "SKIPPED" | "BLOCKED" | "FAILED";
  detectedAt: Date;
}

/** The newest event of each of `groupIds`, in one statement (the groups list shows it). */
export function findLastCopyEvents(groupIds: readonly string[]): Promise<LastCopyEventRow[]> {
  if (groupIds.length === 0) return Promise.resolve([]);
  return db().$queryRaw<LastCopyEventRow[]>`
    SELECT DISTINCT ON (group_id) group_id AS "groupId", id, kind::text AS kind, symbol, status::text AS status,
           detected_at AS "detectedAt"
      FROM copy_events
     WHERE group_id = ANY(${[...groupIds]}::uuid[])
     ORDER BY group_id, detected_at DESC, id DESC`;
}

/**
 * Locks the group row (FOR UPDATE) until the end of `tx` and returns it, or null when it is gone: changes to one
 * group queue here and each sees the one before it.
 */
export async function lockCopyGroup(id: string, tx: Tx): Promise<CopyGroupRow | null> {
  await tx.$queryRaw`SELECT id FROM copy_groups WHERE id = ${id}::uuid FOR UPDATE`;
  return tx.copyGroup.findUnique({ where: { id }, include: groupInclude });
}

/** Every master → child edge of the owner's groups, enabled or not (the cycle check), except `exceptGroupId`'s. */
export async function findCopyEdges(
  ownerId: string,
  tx: Tx,
  exceptGroupId?: string,
): Promise<{ master: string; child: string }[]> {
  const rows = await tx.copyChild.findMany({
    where: { group: { ownerId, ...(exceptGroupId ? { id: { not: exceptGroupId } } : {}) } },
    select: { accountId: true, group: { select: { masterAccountId: true } } },
  });
  return rows.map((r) => ({ master: r.group.masterAccountId, child: r.accountId }));
}

/** Id, name and whether active, of each of `ids` that belongs to `ownerId`. */
export function findOwnedAccountStates(
  ownerId: string,
  ids: readonly string[],
  tx: Tx = db(),
): Promise<{ id: string; name: string; active: boolean }[]> {
  return tx.tradingAccount.findMany({
    where: { ownerId, id: { in: [...ids] } },
    select: { id: true, name: true, active: true },
  });
}

/** Names of accounts by id (any owner: the caller already holds rows that point at them). */
export async function findAccountNames(ids: readonly string[], tx: Tx = db()): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await tx.tradingAccount.findMany({ where: { id: { in: [...ids] } }, select: { id: true, name: true } });
  return new Map(rows.map((r) => [r.id, r.name]));
}

export async function insertCopyGroup(
  data: CopyGroupData & { ownerId: string; masterAccountId: string; mode: "FILLS" | "ORDERS"; startedAt: Date },
  children: readonly (CopyChildData & { accountId: string })[],
  tx: Tx,
): Promise<string> {
  const row = await tx.copyGroup.create({
    data: { ...data, children: { create: [...children] } },
    select: { id: true },
  });
  return row.id;
}

export async function updateCopyGroupRow(
  id: string,
  data: Partial<CopyGroupData> & Pick<Prisma.CopyGroupUncheckedUpdateInput, "enabled" | "pausedReason" | "startedAt">,
  tx: Tx,
): Promise<void> {
  await tx.copyGroup.update({ where: { id }, data, select: { id: true } });
}

/** Deletes the group with its children, master orders, positions and events; its runs stay (copy_group_id null). */
export async function deleteCopyGroupRow(id: string, tx: Tx): Promise<void> {
  await tx.copyGroup.delete({ where: { id }, select: { id: true } });
}

export async function upsertCopyChild(groupId: string, accountId: string, data: CopyChildData, tx: Tx): Promise<void> {
  await tx.copyChild.upsert({
    where: { groupId_accountId: { groupId, accountId } },
    create: { groupId, accountId, ...data },
    update: data,
    select: { groupId: true },
  });
}

export async function setCopyChildPause(
  groupId: string,
  accountId: string,
  data: { enabled: boolean; pausedReason: string | null },
  tx: Tx,
): Promise<void> {
  await tx.copyChild.update({ where: { groupId_accountId: { groupId, accountId } }, data, select: { groupId: true } });
}

export async function deleteCopyChildRow(groupId: string, accountId: string, tx: Tx): Promise<void> {
  await tx.copyChild.delete({ where: { groupId_accountId: { groupId, accountId } }, select: { groupId: true } });
}

/** A master order recorded as never to be copied because it was in the book when copying started. */
export interface BaselineOrder {
  masterOrderId: string;
  symbol: string;
  exchange: string;
  action: string;
  product: string;
  priceType: string;
  price: Decimal | null;
  triggerPrice: Decimal | null;
  quantity: number;
  filledQty: number;
  status: string;
}

/** The master's net position in one contract when copying started: none of it was ever copied. */
export interface BaselinePosition {
  exchange: string;
  symbol: string;
  product: string;
  qty: number;
}

/**
 * Records the baseline of a group: each order as `baseline` and each position as master = uncopied quantity. Rows
 * already there (an order or contract the group has recorded before) are left as they are, so it can run twice.
 */
export async function insertCopyBaseline(
  groupId: string,
  orders: readonly BaselineOrder[],
  positions: readonly BaselinePosition[],
  tx: Tx,
): Promise<{ orders: number; positions: number }> {
  const o = await tx.copyMasterOrder.createMany({
    data: orders.map((r) => ({ groupId, ...r, ignoredReason: "baseline" })),
    skipDuplicates: true,
  });
  const p = await tx.copyPosition.createMany({
    data: positions.map((r) => ({
      groupId,
      exchange: r.exchange,
      symbol: r.symbol,
      product: r.product,
      masterQty: r.qty,
      uncopiedQty: r.qty,
    })),
    skipDuplicates: true,
  });
  return { orders: o.count, positions: p.count };
}

/**
 * Re-bases a group on the master's books as read now (resuming after a kill switch flattened it with orders the group
 * does not count): every order in the book becomes `baseline` (rows already recorded too, with the book's fills and
 * status), and the group's count of the master's positions is replaced by the positions read, all uncopied. False,
 * writing nothing, when the group recorded a master order at or after `readAt` (it may have counted a fill the
 * positions read does not hold): the caller reads the books again.
 */
export async function rebaseCopyBaseline(
  groupId: string,
  readAt: Date,
  orders: readonly BaselineOrder[],
  positions: readonly BaselinePosition[],
  tx: Tx,
): Promise<boolean> {
  const [{ moved }] = await tx.$queryRaw<{ moved: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM copy_master_orders WHERE group_id = ${groupId}::uuid AND updated_at >= ${readAt}) AS moved`;
  if (moved) return false;
  for (const o of orders) {
    const { masterOrderId, ...row } = o;
    await tx.copyMasterOrder.upsert({
      where: { groupId_masterOrderId: { groupId, masterOrderId } },
      create: { groupId, masterOrderId, ...row, ignoredReason: "baseline" },
      update: { ...row, ignoredReason: "baseline" },
      select: { groupId: true },
    });
  }
  await tx.copyPosition.deleteMany({ where: { groupId } });
  await tx.copyPosition.createMany({
    data: positions.map(({ qty, ...contract }) => ({ groupId, ...contract, masterQty: qty, uncopiedQty: qty })),
  });
  return true;
}

/**
 * Pauses every copy group of `ownerId` (every owner's when null) with `reason`, unless already paused with it: a kill
 * switch engaging. Returns the groups it paused, with the reason each had before (null: it was copying).
 */
export async function pauseCopyGroupsOf(
  ownerId: string | null,
  reason: string,
  tx: Tx,
): Promise<{ id: string; previousReason: string | null }[]> {
  const owner = ownerId === null ? Prisma.empty : Prisma.sql`AND g.owner_id = ${ownerId}::uuid`;
  return tx.$queryRaw<{ id: string; previousReason: string | null }[]>`
    UPDATE copy_groups g SET enabled = false, paused_reason = ${reason}, updated_at = now()
      FROM copy_groups old
     WHERE old.id = g.id AND (g.enabled OR g.paused_reason IS DISTINCT FROM ${reason}) ${owner}
    RETURNING g.id::text AS id, CASE WHEN old.enabled THEN NULL ELSE old.paused_reason END AS "previousReason"`;
}

/** The group's owner and master account (startCopying reads the master's books); null when the group is gone. */
export function findCopyGroupMaster(groupId: string) {
  return db().copyGroup.findUnique({
    where: { id: groupId },
    select: { id: true, ownerId: true, masterAccountId: true },
  });
}
