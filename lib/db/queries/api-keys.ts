import type { ApiKeyScope } from "@/lib/auth/roles";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";

export function findApiKeyByHash(keyHash: string) {
  return db().apiKey.findUnique({ where: { keyHash } });
}

export async function touchApiKey(id: string, at: Date): Promise<void> {
  await db().apiKey.update({ where: { id }, data: { lastUsedAt: at } });
}

/** What a key's owner may see of it: never the hash. */
const VISIBLE = {
  id: true,
  name: true,
  scope: true,
  keyHint: true,
  createdAt: true,
  expiresAt: true,
  lastUsedAt: true,
  revokedAt: true,
} as const;

/** A user's keys, newest first (revoked and expired ones included, for the record). */
export function listApiKeysOf(userId: string) {
  return db().apiKey.findMany({ where: { userId }, orderBy: [{ createdAt: "desc" }, { id: "asc" }], select: VISIBLE });
}

export function findApiKeyOf(userId: string, id: string, tx: Tx = db()) {
  return tx.apiKey.findFirst({ where: { id, userId }, select: VISIBLE });
}

/**
 * Locks the user's row until the end of `tx`, so that two key creations of one user are counted one after the other
 * (the per-user cap on active keys).
 */
export async function lockUserKeys(tx: Tx, userId: string): Promise<void> {
  await tx.$queryRawUnsafe(`SELECT 1 AS ok FROM users WHERE id = $1::uuid FOR UPDATE`, userId);
}

/** Keys of the user that still work at `now`: neither revoked nor expired. */
export function countActiveApiKeys(tx: Tx, userId: string, now: Date): Promise<number> {
  return tx.apiKey.count({
    where: { userId, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
  });
}

export function insertApiKey(
  tx: Tx,
  data: { userId: string; name: string; scope: ApiKeyScope; keyHash: string; keyHint: string; expiresAt: Date | null },
) {
  return tx.apiKey.create({ data, select: VISIBLE });
}

/** Revokes the user's key if it is not revoked yet; false when there was nothing to revoke. */
export async function revokeApiKeyOf(tx: Tx, userId: string, id: string, at: Date): Promise<boolean> {
  const r = await tx.apiKey.updateMany({ where: { id, userId, revokedAt: null }, data: { revokedAt: at } });
  return r.count === 1;
}
