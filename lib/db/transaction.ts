import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";

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
