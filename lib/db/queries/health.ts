import { db, sqlPool } from "@/lib/db/client";

/** One round trip to Postgres: resolves when the database answers, rejects when it cannot be reached. */
export async function pingDatabase(): Promise<void> {
  await db().$queryRaw`SELECT 1`;
}

/**
 * Opens `connections` of the pool at once (start-up warm-up): that many concurrent round trips make the pool connect
 * that many times, so a trigger's burst of reads finds them open. Capped by the pool's size.
 */
export async function openPoolConnections(connections: number): Promise<void> {
  await Promise.all(Array.from({ length: connections }, () => sqlPool().query("SELECT 1")));
}
