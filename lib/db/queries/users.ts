import type { Prisma, Role } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";

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

export function findUserById(id: string) {
  return db().user.findUnique({ where: { id } });
}

export function listUsers(): Promise<PublicUser[]> {
  return db().user.findMany({ select: publicUserSelect, orderBy: { createdAt: "asc" } });
}

export function countAdmins(tx: Prisma.TransactionClient = db()) {
  return tx.user.count({ where: { role: "ADMIN", active: true } });
}

export function insertUser(
  tx: Prisma.TransactionClient,
  data: { email: string; name: string; passwordHash: string; role: Role },
): Promise<PublicUser> {
  return tx.user.create({ data: { ...data, email: data.email.toLowerCase() }, select: publicUserSelect });
}

export function updateUser(
  tx: Prisma.TransactionClient,
  id: string,
  data: { role?: Role; active?: boolean; name?: string },
): Promise<PublicUser> {
  // Any change of role or activity ends the user's current sessions.
  return tx.user.update({ where: { id }, data: { ...data, sessionVersion: { increment: 1 } }, select: publicUserSelect });
}

export function setPasswordHash(id: string, passwordHash: string) {
  return db().user.update({ where: { id }, data: { passwordHash, sessionVersion: { increment: 1 } }, select: publicUserSelect });
}
