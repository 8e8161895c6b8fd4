import type { PoolClient } from "pg";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db, sqlPool } from "@/lib/db/client";

/** A client inside an interactive transaction; query functions take one so callers can compose them atomically. */
export type Tx = Prisma.TransactionClient;

/** Options Prisma accepts for an interactive transaction (isolation level, time limits in ms). */
export interface TransactionOptions {
  isolationLevel?: Prisma.TransactionIsolationLevel;
  maxWait?: number;
  timeout?: number;
}

/** Runs `work` in one database transaction: all of it commits, or none of it does. The one way services open one. */
export function inTransaction<T>(work: (tx: Tx) => Promise<T>, options?: TransactionOptions): Promise<T> {
  return db().$transaction(work, options);
}

/** A pool connection inside a plain-SQL transaction (hot paths that skip Prisma; lib/db/client.ts sqlPool). */
export type SqlTx = Pick<PoolClient, "query">;

/**
 * Runs `work` in one plain-SQL transaction on a connection of the shared pool: all of it commits, or none of it does.
 * For hot paths only (docs/database-access.md); everything else uses `inTransaction`.
 */
export async function inSqlTransaction<T>(work: (tx: SqlTx) => Promise<T>): Promise<T> {
  const client = await sqlPool().connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

/**
 * `tx` seen as a plain-SQL transaction, for query functions written for `SqlTx` that must join a Prisma transaction
 * (a person's change and its audit row). Statements that return rows only: `rowCount` is the number of rows returned.
 */
export function sqlTxOf(tx: Tx): SqlTx {
  return {
    query: (async (text: string, values?: unknown[]) => {
      const rows = await tx.$queryRawUnsafe<Record<string, unknown>[]>(text, ...(values ?? []));
      return { rows, rowCount: rows.length };
    }) as unknown as SqlTx["query"],
  };
}
