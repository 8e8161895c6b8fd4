import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";

// One pool and one client per process. Kept on globalThis so Next.js dev reloads do not open a new pool each time.
const holder = globalThis as unknown as { mirrordeskPrisma?: PrismaClient; mirrordeskPool?: pg.Pool };

/**
 * The connection pool Prisma runs on. Query modules on a hot path (the webhook ack) may send plain SQL through it:
 * a Prisma model query costs about 1–2 ms of CPU in this process, plain SQL about 0.15 ms (docs/database-access.md).
 */
export function sqlPool(): pg.Pool {
  holder.mirrordeskPool ??= new pg.Pool({ connectionString: env().DATABASE_URL, max: 10 });
  return holder.mirrordeskPool;
}

export function db(): PrismaClient {
  holder.mirrordeskPrisma ??= new PrismaClient({ adapter: new PrismaPg(sqlPool()) });
  return holder.mirrordeskPrisma;
}

export async function disconnectDb(): Promise<void> {
  await holder.mirrordeskPrisma?.$disconnect();
  holder.mirrordeskPrisma = undefined;
  const pool = holder.mirrordeskPool;
  holder.mirrordeskPool = undefined;
  await pool?.end();
}
