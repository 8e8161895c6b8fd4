import type { Prisma } from "@/lib/generated/prisma/client";
import type { AccountKind } from "@/lib/generated/prisma/enums";
import { db, sqlRows } from "@/lib/db/client";
import type { Tx } from "@/lib/db/transaction";
import { coalescer } from "@/lib/db/queries/coalesce";
import { ownerMemo } from "@/lib/db/queries/owner-memo";
import { ownerFilter, readableOwnerIds, type Scope } from "@/lib/auth/roles";

/**
 * Trading-account queries. Every function that takes an account id also takes the actor's scope: `ownerId` is
 * the owner to match, or null for an admin (who sees every account), plus the owners a viewer may read. A row outside
 * the scope is "not found".
 */
export type { Scope };

/** Columns safe for any caller: never the encrypted key. */
export const accountSelect = {
  id: true,
  ownerId: true,
  name: true,
  kind: true,
  hostUrl: true,
  wsUrl: true,
  apiKeyLast4: true,
  clientId: true,
  sessionExpiresAt: true,
  isPrimary: true,
  active: true,
  tags: true,
  lotMultiplier: true,
  maxLotsPerLeg: true,
  dailyLossLimit: true,
  orderRatePerSec: true,
  otherRatePerSec: true,
  status: true,
  consecutiveFailures: true,
  lastOkAt: true,
  lastCheckedAt: true,
  lastError: true,
  brokerName: true,
  brokerMode: true,
  sessionRenewalError: true,
  createdAt: true,
  updatedAt: true,
} satisfies Prisma.TradingAccountSelect;
export type AccountRow = Prisma.TradingAccountGetPayload<{ select: typeof accountSelect }>;

const scoped = (scope: Scope, where: Prisma.TradingAccountWhereInput = {}): Prisma.TradingAccountWhereInput => ({
  ...where,
  ...ownerFilter(scope),
});

/**
 * The accounts in scope, primary first, then by name. Plain SQL (the same columns and types as `accountSelect`): the
 * worker's recorder, positions-interest sync and risk sweep read every account every few seconds.
 */
export function listAccounts(scope: Scope, filter: { active?: boolean } = {}): Promise<AccountRow[]> {
  return accountsInScope<AccountRow>(ACCOUNT_COLUMNS, scope, filter);
}

/** The accounts in scope (optionally only active or inactive ones) with `columns`, primary first, then by name. */
function accountsInScope<T>(columns: string, scope: Scope, filter: { active?: boolean }): Promise<T[]> {
  return sqlRows<T>(
    `SELECT ${columns} FROM trading_accounts
      WHERE ($1::uuid[] IS NULL OR owner_id = ANY($1::uuid[])) AND ($2::boolean IS NULL OR active = $2)
      ORDER BY is_primary DESC, name ASC`,
    [readableOwnerIds(scope), filter.active ?? null],
  );
}

export function findAccount(scope: Scope, id: string): Promise<AccountRow | null> {
  return db().tradingAccount.findFirst({ where: scoped(scope, { id }), select: accountSelect });
}

/** The encrypted columns: the API key, and a direct account's app secret and session. */
export const secretSelect = {
  apiKeyEnc: true,
  apiSecretEnc: true,
  pinEnc: true,
  totpSecretEnc: true,
  sessionEnc: true,
} as const;

/** The encrypted key of one account in scope (for building an adapter; never returned to a browser). */
export async function findAccountSecret(scope: Scope, id: string) {
  return db().tradingAccount.findFirst({ where: scoped(scope, { id }), select: { ...accountSelect, ...secretSelect } });
}

/** `accountSelect` as plain SQL (the same names and types as the Prisma select). */
const ACCOUNT_COLUMNS = `id::text AS id, owner_id::text AS "ownerId", name, kind::text AS kind, host_url AS "hostUrl",
  ws_url AS "wsUrl", api_key_last4 AS "apiKeyLast4", client_id AS "clientId",
  session_expires_at AS "sessionExpiresAt", is_primary AS "isPrimary", active, tags,
  lot_multiplier AS "lotMultiplier", max_lots_per_leg AS "maxLotsPerLeg", daily_loss_limit AS "dailyLossLimit",
  order_rate_per_sec AS "orderRatePerSec", other_rate_per_sec AS "otherRatePerSec", status::text AS status,
  consecutive_failures AS "consecutiveFailures", last_ok_at AS "lastOkAt", last_checked_at AS "lastCheckedAt",
  last_error AS "lastError", broker_name AS "brokerName", broker_mode AS "brokerMode",
  session_renewal_error AS "sessionRenewalError", created_at AS "createdAt",
  updated_at AS "updatedAt"`;
/** `accountSelect` plus the encrypted columns, as plain SQL. */
const SECRET_COLUMNS = `${ACCOUNT_COLUMNS}, api_key_enc AS "apiKeyEnc", api_secret_enc AS "apiSecretEnc",
  pin_enc AS "pinEnc", totp_secret_enc AS "totpSecretEnc", session_enc AS "sessionEnc"`;
export type AccountSecretRow = AccountRow & {
  apiKeyEnc: string;
  apiSecretEnc: string | null;
  pinEnc: string | null;
  totpSecretEnc: string | null;
  sessionEnc: string | null;
};

const readAccountSecrets = coalescer(async (ids: string[]) => {
  const rows = await sqlRows<AccountSecretRow>(
    `SELECT ${SECRET_COLUMNS} FROM trading_accounts WHERE id = ANY($1::uuid[])`,
    [[...new Set(ids)]],
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
});

/**
 * An account with its encrypted key, unscoped (workers act for the system). Concurrent calls share one statement:
 * every dispatch job, fill poll and exit attempt reads its account on the hot path, and hundreds of single-row ORM
 * reads at once cost the worker far more CPU than one `IN` list (see coalesce.ts).
 */
export function loadAccountSecret(id: string) {
  return readAccountSecrets(id);
}

export function insertAccount(tx: Tx, data: Prisma.TradingAccountUncheckedCreateInput) {
  return tx.tradingAccount.create({ data, select: accountSelect });
}

export function updateAccountRow(tx: Tx, id: string, data: Prisma.TradingAccountUncheckedUpdateInput) {
  return tx.tradingAccount.update({ where: { id }, data, select: accountSelect });
}

/**
 * Stores a direct account's new broker session (encrypted) and its expiry, only while the row still holds the app
 * credentials the login used (compare-and-set on the encrypted key and secret): credentials changed during the login
 * make its session void. True when the row was written.
 */
export async function storeSession(
  seen: { id: string; apiKeyEnc: string; apiSecretEnc: string | null; sessionEnc?: string | null },
  session: { sessionEnc: string; sessionExpiresAt: Date },
  tx: Tx = db(),
): Promise<boolean> {
  const { count } = await tx.tradingAccount.updateMany({
    where: {
      id: seen.id,
      apiKeyEnc: seen.apiKeyEnc,
      apiSecretEnc: seen.apiSecretEnc,
      // A renewal also checks the session it renewed: a login that landed meanwhile wins.
      ...(seen.sessionEnc === undefined ? {} : { sessionEnc: seen.sessionEnc }),
    },
    data: { ...session, sessionRenewalError: null },
  });
  return count === 1;
}

/**
 * Active accounts of `kinds` whose stored session ends before `before` (or has ended), with their secrets, for the
 * session renewal job. Accounts whose last renewal was refused are left alone until a login or an edit clears it.
 */
export function listRenewableSessions(kinds: readonly AccountKind[], before: Date) {
  return db().tradingAccount.findMany({
    where: {
      active: true,
      kind: { in: [...kinds] },
      sessionEnc: { not: null },
      sessionRenewalError: null,
      sessionExpiresAt: { lte: before },
    },
    select: { ...accountSelect, ...secretSelect },
    orderBy: { sessionExpiresAt: "asc" },
  });
}

/** Records why a renewal was refused, only while the row still holds the session it tried to renew. */
export async function recordRenewalError(seen: { id: string; sessionEnc: string | null }, reason: string) {
  const { count } = await db().tradingAccount.updateMany({
    where: { id: seen.id, sessionEnc: seen.sessionEnc },
    data: { sessionRenewalError: reason.slice(0, 500) },
  });
  return count === 1;
}

/** Clears the owner's primary flag so another account can take it (the partial unique index allows one). */
export function clearPrimary(tx: Tx, ownerId: string) {
  return tx.tradingAccount.updateMany({ where: { ownerId, isPrimary: true }, data: { isPrimary: false } });
}

export function deleteAccountRow(tx: Tx, id: string) {
  return tx.tradingAccount.delete({ where: { id } });
}

/**
 * Accounts in scope with their encrypted keys (for building adapters server-side; never sent to a browser), primary
 * first, then by name. Plain SQL: every trigger reads all the owner's accounts here, and a Prisma model read of
 * hundreds of rows costs the web app tens of ms of CPU (docs/performance.md "The trigger's request path").
 */
export function listAccountSecrets(scope: Scope, filter: { active?: boolean } = {}): Promise<AccountSecretRow[]> {
  return accountsInScope<AccountSecretRow>(SECRET_COLUMNS, scope, filter);
}

/**
 * Active accounts some live (not archived) strategy trades, by id or by tag, with their encrypted keys: the accounts
 * whose funds the worker keeps fresh for sizing. Not while a kill switch covers the owner: nothing can be sized for
 * them then, and their brokers' budgets and the worker belong to the flatten (docs/performance.md "The way out").
 */
export function listStrategyAccountSecrets(): Promise<AccountSecretRow[]> {
  return sqlRows<AccountSecretRow>(
    `SELECT ${SECRET_COLUMNS} FROM trading_accounts a
      WHERE a.active AND EXISTS (SELECT 1 FROM strategies s WHERE NOT s.archived AND s.owner_id = a.owner_id
                                   AND (a.id::text = ANY(s.account_ids) OR a.tags && s.account_tags))
        AND NOT EXISTS (SELECT 1 FROM kill_switches k WHERE k.rearmed_at IS NULL
                                   AND (k.scope = 'GLOBAL' OR k.owner_id = a.owner_id))`,
  );
}

/** Every stored encrypted key, for key rotation. */
export function allAccountSecrets() {
  return db().tradingAccount.findMany({
    select: {
      id: true,
      hostUrl: true,
      apiKeyEnc: true,
      apiSecretEnc: true,
      pinEnc: true,
      totpSecretEnc: true,
      sessionEnc: true,
      credentialFingerprint: true,
    },
  });
}

/** The account (if any) holding one of these credential fingerprints, other than `exceptId`. */
export function findByFingerprint(fingerprints: string[], exceptId?: string) {
  return db().tradingAccount.findFirst({
    where: { credentialFingerprint: { in: fingerprints }, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true, ownerId: true, name: true },
  });
}

/** How many of `ids` are accounts of `ownerId`. */
export function countOwnedAccounts(ownerId: string, ids: readonly string[], tx: Tx = db()): Promise<number> {
  return tx.tradingAccount.count({ where: { ownerId, id: { in: [...ids] } } });
}

/** Whether the owner already has a primary account. */
export async function ownerHasPrimary(ownerId: string, tx: Tx = db()): Promise<boolean> {
  return (await tx.tradingAccount.count({ where: { ownerId, isPrimary: true } })) > 0;
}

/** The columns a health round needs to pick each owner's market-data source, for every active account. */
/** A health ping answered by an account that was connected and stays so. */
export type SteadyPing = { id: string; broker: string | null; mode: string | null };

/** Writes the answered pings of connected accounts in one statement: checked and OK now, no failures, no error. */
export async function recordSteadyPings(pings: readonly SteadyPing[], at: Date): Promise<void> {
  if (pings.length === 0) return;
  await db().$executeRawUnsafe(
    `UPDATE trading_accounts AS a SET last_ok_at = $2::timestamptz, last_checked_at = $2::timestamptz,
            consecutive_failures = 0, last_error = NULL, broker_name = v.broker, broker_mode = v.mode
       FROM jsonb_to_recordset($1::jsonb) AS v(id text, broker text, mode text)
      WHERE a.id = v.id::uuid`,
    JSON.stringify(pings),
    at.toISOString(),
  );
}

export function listActiveAccountHealth() {
  return db().tradingAccount.findMany({
    where: { active: true },
    select: {
      id: true,
      ownerId: true,
      name: true,
      isPrimary: true,
      status: true,
      kind: true,
      hostUrl: true,
      brokerName: true,
    },
    orderBy: { name: "asc" },
  });
}

/** A direct account's encrypted columns besides its API key. */
type DirectSecretColumns = {
  apiSecretEnc?: string | null;
  pinEnc?: string | null;
  totpSecretEnc?: string | null;
  sessionEnc?: string | null;
};

/**
 * Stores re-encrypted secrets only if the row still holds the key, host, app secret, PIN, TOTP seed and session that were read
 * (compare-and-set): an owner's edit or a new login in between wins. True when the row was written.
 */
export async function replaceApiKeyIfUnchanged(
  seen: { id: string; hostUrl: string; apiKeyEnc: string } & DirectSecretColumns,
  next: { apiKeyEnc: string; credentialFingerprint: string } & DirectSecretColumns,
  tx: Tx = db(),
): Promise<boolean> {
  const { count } = await tx.tradingAccount.updateMany({
    where: {
      id: seen.id,
      apiKeyEnc: seen.apiKeyEnc,
      hostUrl: seen.hostUrl,
      ...(seen.apiSecretEnc === undefined ? {} : { apiSecretEnc: seen.apiSecretEnc }),
      ...(seen.pinEnc === undefined ? {} : { pinEnc: seen.pinEnc }),
      ...(seen.totpSecretEnc === undefined ? {} : { totpSecretEnc: seen.totpSecretEnc }),
      ...(seen.sessionEnc === undefined ? {} : { sessionEnc: seen.sessionEnc }),
    },
    data: next,
  });
  return count === 1;
}

/** Ids of the active accounts of `ownerId`, or of every owner when it is null. */
export async function listActiveAccountIds(ownerId: string | null, tx: Tx = db()): Promise<string[]> {
  const rows = await tx.tradingAccount.findMany({
    where: { active: true, ...(ownerId === null ? {} : { ownerId }) },
    select: { id: true },
  });
  return rows.map((r) => r.id);
}

/** Owner of each account; unknown (deleted) ids are absent. */
/** The owner of each account that exists, keyed by account id (remembered: see owner-memo.ts). */
export const accountOwnerIds = ownerMemo(async (ids) => {
  const rows = await db().$queryRawUnsafe<{ id: string; ownerId: string }[]>(
    `SELECT id::text AS id, owner_id::text AS "ownerId" FROM trading_accounts WHERE id = ANY($1::uuid[])`,
    ids,
  );
  return new Map(rows.map((r) => [r.id, r.ownerId]));
});
