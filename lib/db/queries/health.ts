import { db } from "@/lib/db/client";

/** One round trip to Postgres: resolves when the database answers, rejects when it cannot be reached. */
export async function pingDatabase(): Promise<void> {
  await db().$queryRaw`SELECT 1`;
}
