import type { SqlTx, Tx } from "@/lib/db/transaction";

/**
 * Every Postgres advisory lock key MirrorDesk uses, in one place so no two features pick the same number.
 * Transaction-scoped locks only: they are released when the transaction ends, also when it fails. Keys are
 * safe integers passed as bigint parameters.
 */
export const LOCKS = {
  /** Serialises first registrations, so two simultaneous sign-ups cannot both become the first admin. */
  firstAdmin: 727_001,
  /** Serialises role changes that could remove the last admin. */
  lastAdmin: 727_002,
  /** Entries take it shared, engaging the kill switch takes it exclusively (see lib/services/kill-switch). */
  killSwitch: 6_041_779_201,
} as const;

export type LockName = keyof typeof LOCKS;

/** Takes `name` exclusively until the end of the transaction `tx`. */
export async function lockExclusive(tx: Tx, name: LockName): Promise<void> {
  await tx.$queryRawUnsafe(`SELECT 1 AS ok FROM pg_advisory_xact_lock($1::bigint)`, LOCKS[name]);
}

/**
 * Takes `name` shared (many holders at once, none while an exclusive holder has it) until the end of `tx`, a plain-SQL
 * transaction (lib/db/transaction.ts inSqlTransaction; a Prisma one through `sqlTxOf`).
 */
export async function lockSharedSql(tx: SqlTx, name: LockName): Promise<void> {
  await tx.query(`SELECT 1 AS ok FROM pg_advisory_xact_lock_shared($1::bigint)`, [LOCKS[name]]);
}

/**
 * Per-row locks: a namespace (first key) and a row id hashed by Postgres (second key). The two-key form lives in its
 * own key space, apart from the single-key locks above.
 */
export const ROW_LOCKS = {
  /** One outside signal of a strategy decided at a time: its signal state is read, decided on and written under it. */
  strategySignals: 727_101,
  /** One change to an owner's copy groups' master → child edges at a time, so two saves cannot close a cycle together. */
  copyGraph: 727_102,
  /**
   * One change at a time to a pending notification of (user, channel, batch key): an event folding into it and the
   * send sealing it (docs/notifications.md "Batching").
   */
  notificationBatch: 727_117,
} as const;

/** Takes the row lock `name` of `id` exclusively until the end of `tx`. */
export async function lockRow(tx: Tx, name: keyof typeof ROW_LOCKS, id: string): Promise<void> {
  await tx.$queryRawUnsafe(`SELECT 1 AS ok FROM pg_advisory_xact_lock($1::int, hashtext($2))`, ROW_LOCKS[name], id);
}

/** `lockRow` inside a plain-SQL transaction (lib/db/transaction.ts inSqlTransaction). */
export async function lockRowSql(tx: SqlTx, name: keyof typeof ROW_LOCKS, id: string): Promise<void> {
  await tx.query(`SELECT 1 AS ok FROM pg_advisory_xact_lock($1::int, hashtext($2))`, [ROW_LOCKS[name], id]);
}
