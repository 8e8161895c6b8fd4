import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { Prisma, PrismaClient } from "@/lib/generated/prisma/client";
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

// Numeric columns read as Prisma.Decimal, as Prisma's own raw queries return them; every other type as pg parses it
// (timestamptz → Date, arrays → arrays, json → values).
const NUMERIC_OID = 1700;
const plainTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === NUMERIC_OID && format !== "binary"
      ? (v: string) => new Prisma.Decimal(v)
      : pg.types.getTypeParser(oid, format ?? "text")) as typeof pg.types.getTypeParser,
};

/**
 * Plain SQL on the pool, outside any transaction, with rows shaped like Prisma's `$queryRawUnsafe` (Decimal numerics).
 * For the worker's hottest statements: a raw query through Prisma costs ~0.7 ms more CPU than through pg
 * (docs/database-access.md). Parameters are pg's: never pass a Decimal (send its string).
 */
export async function sqlRows<T>(text: string, values: readonly unknown[] = []): Promise<T[]> {
  return (await sqlPool().query({ text, values: [...values], types: plainTypes })).rows as T[];
}

/** The same for a statement whose row count is its answer (UPDATE / DELETE without RETURNING). */
export async function sqlCount(text: string, values: readonly unknown[] = []): Promise<number> {
  return (await sqlPool().query({ text, values: [...values], types: plainTypes })).rowCount ?? 0;
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
