import type { Prisma, Role } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";

/** Columns safe to hand to callers: never the password hash. */
export const publicUserSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  active: true,
  createdAt: true,
} satisfies Prisma.UserSelect;
export type PublicUser = Prisma.UserGetPayload<{ select: typeof publicUserSelect }>;

export function findUserByEmail(email: string) {
  return db().user.findUnique({ where: { email: email.toLowerCase() } });
}

export function findUserById(id: string, tx: Tx = db()) {
  return tx.user.findUnique({ where: { id } });
}

/** How many users exist (zero means the next registration is the first, and becomes ADMIN). */
export function countUsers(tx: Tx = db()): Promise<number> {
  return tx.user.count();
}

/** How many of `ids` are TRADER users. */
export function countTradersAmong(ids: readonly string[], tx: Tx = db()): Promise<number> {
  return tx.user.count({ where: { id: { in: [...ids] }, role: "TRADER" } });
}

/** Moves the user's session version on: every session issued before stops working on its next request. */
export async function bumpSessionVersion(id: string, tx: Tx = db()): Promise<void> {
  await tx.user.update({ where: { id }, data: { sessionVersion: { increment: 1 } } });
}

export function listUsers(): Promise<PublicUser[]> {
  return db().user.findMany({ select: publicUserSelect, orderBy: { createdAt: "asc" } });
}

export function countAdmins(tx: Tx = db()) {
  return tx.user.count({ where: { role: "ADMIN", active: true } });
}

/** Ids of the active admins (who get system alerts, such as a trading calendar that cannot be refreshed). */
export async function activeAdminIds(): Promise<string[]> {
  return (await db().user.findMany({ where: { role: "ADMIN", active: true }, select: { id: true } })).map((u) => u.id);
}

export function insertUser(
  tx: Tx,
  data: { email: string; name: string; passwordHash: string; role: Role },
): Promise<PublicUser> {
  return tx.user.create({ data: { ...data, email: data.email.toLowerCase() }, select: publicUserSelect });
}

export function updateUser(
  tx: Tx,
  id: string,
  data: { role?: Role; active?: boolean; name?: string },
): Promise<PublicUser> {
  // Any change of role or activity ends the user's current sessions.
  return tx.user.update({
    where: { id },
    data: { ...data, sessionVersion: { increment: 1 } },
    select: publicUserSelect,
  });
}

export function setPasswordHash(id: string, passwordHash: string) {
  return db().user.update({
    where: { id },
    data: { passwordHash, sessionVersion: { increment: 1 } },
    select: publicUserSelect,
  });
}

/** The traders a viewer is attached to (active ones only: a deactivated trader's desk is no longer shown). */
export async function viewedTraderIds(viewerId: string): Promise<string[]> {
  const rows = await db().viewerTrader.findMany({
    where: { viewerId, trader: { active: true } },
    select: { traderId: true },
  });
  return rows.map((r) => r.traderId);
}

/** viewerId → attached trader ids, for the users admin page. */
export async function listViewerLinks(): Promise<Map<string, string[]>> {
  const rows = await db().viewerTrader.findMany({
    select: { viewerId: true, traderId: true },
    orderBy: { createdAt: "asc" },
  });
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.viewerId, [...(out.get(r.viewerId) ?? []), r.traderId]);
  return out;
}

/** Replaces the set of traders a viewer is attached to. */
/** Drops every viewer attachment the user is part of, as viewer or as trader. */
export async function deleteViewerLinksOf(userId: string, tx: Tx = db()): Promise<void> {
  await tx.viewerTrader.deleteMany({ where: { OR: [{ viewerId: userId }, { traderId: userId }] } });
}

export async function replaceViewerLinks(tx: Tx, viewerId: string, traderIds: readonly string[]) {
  await tx.viewerTrader.deleteMany({ where: { viewerId, traderId: { notIn: [...traderIds] } } });
  await tx.viewerTrader.createMany({
    data: traderIds.map((traderId) => ({ viewerId, traderId })),
    skipDuplicates: true,
  });
}
