import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";

export const REGISTRATION_OPEN = "registration_open";

export async function getBooleanSetting(key: string, fallback: boolean, tx: Tx = db()) {
  const row = await tx.setting.findUnique({ where: { key } });
  return typeof row?.value === "boolean" ? row.value : fallback;
}

export function setSetting(key: string, value: Prisma.InputJsonValue, tx: Tx = db()) {
  return tx.setting.upsert({ where: { key }, create: { key, value }, update: { value } });
}
