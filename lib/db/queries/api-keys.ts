import { db } from "@/lib/db/client";

export function findApiKeyByHash(keyHash: string) {
  return db().apiKey.findUnique({ where: { keyHash } });
}

export async function touchApiKey(id: string, at: Date): Promise<void> {
  await db().apiKey.update({ where: { id }, data: { lastUsedAt: at } });
}

/** Stores a key's hash (the key itself is never stored). */
export function insertApiKey(row: {
  userId: string;
  name: string;
  scope: "READ" | "TRADE";
  keyHash: string;
  keyHint: string;
  expiresAt?: Date | null;
}) {
  return db().apiKey.create({ data: row });
}
