import { db } from "@/lib/db/client";

export function findApiKeyByHash(keyHash: string) {
  return db().apiKey.findUnique({ where: { keyHash } });
}

export async function touchApiKey(id: string, at: Date): Promise<void> {
  await db().apiKey.update({ where: { id }, data: { lastUsedAt: at } });
}
