import { randomUUID } from "node:crypto";
import type { z } from "zod";
import { env } from "@/lib/env";
import { inTransaction } from "@/lib/db/transaction";
import { insertAudit } from "@/lib/db/queries/audit";
import {
  clearPrimary,
  deleteAccountRow,
  findAccount,
  findAccountSecret,
  insertAccount,
  listAccounts,
  ownerHasPrimary,
  updateAccountRow,
  type AccountRow,
} from "@/lib/db/queries/accounts";
import { authorize } from "@/lib/auth/authorize";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import { AppError, ConflictError, NotFoundError } from "@/lib/errors";
import type { PingResult } from "@/lib/brokers/types";
import {
  adapterFor,
  forgetAdapter,
  credentialFingerprint,
  encryptApiKey,
  encryptApiSecret,
  encryptPin,
  encryptTotpSecret,
  ENCRYPTED_CREDENTIALS,
  readApiKey,
} from "@/lib/services/broker-access";
import { NOT_LOGGED_IN } from "./broker-login";
import type { ConnectionReport } from "./connection-probe";
import { checkConnection, connectionProblem, requireConnection } from "./connection-test";
import { refuseDuplicate, retypeKey, retypeSecret, sameHost, sameWs, saveConflict } from "./save-checks";
import {
  brokerOf,
  checkUpdateCredentials,
  credentialsOf,
  type createAccountSchema,
  type formTestSchema,
  type updateAccountSchema,
} from "./account-schemas";
import { invalidateBooks } from "./books";
import type { Jsonified } from "@/lib/util/jsonify";
import type { CredentialFieldName } from "@/lib/brokers/form-spec";
import { DEFAULT_RATE_LIMITS } from "@/lib/brokers/rate-governor";

// The broker's books of an account (and of all of them), order changes in one account and the periodic health
// check are siblings; their public functions are part of this entry.
export {
  accountBook,
  aggregateBook,
  bookSchema,
  brokerPositions,
  invalidateBooks,
  sizingFunds,
  warmSizingFunds,
  FUNDS_WARM_EVERY_MS,
  FUNDS_REFRESH_AGE_MS,
  SIZING_FUNDS_MAX_AGE_MS,
  type AccountSlice,
  type Book,
  type BookJson,
  type FundsJson,
  type HoldingJson,
  type OrderJson,
  type PositionJson,
  type TradeJson,
} from "./books";
export { cancelAccountOrder, modifyAccountOrder, modifyOrderSchema } from "./orders";
export { checkAllAccounts } from "./health";
export { renewBrokerSessions, RENEW_AHEAD_MS, type RenewalSummary } from "./session-renewal";
export {
  callbackUrl,
  finishBrokerLogin,
  LOGIN_STATE_COOKIE,
  LOGIN_STATE_TTL_SECONDS,
  NOT_LOGGED_IN,
  startBrokerLogin,
} from "./broker-login";

export { createAccountSchema, formTestSchema, updateAccountSchema } from "./account-schemas";

/** What the browser may see of an account: never the key, only its last 4 characters. */
export type AccountView = Omit<AccountRow, "lotMultiplier" | "dailyLossLimit"> & {
  lotMultiplier: string;
  /** ₹; null = no daily loss limit (docs/risk.md). */
  dailyLossLimit: string | null;
};
/** An account as GET/POST/PATCH /api/accounts return it (dates as ISO strings). */
export type AccountJson = Jsonified<AccountView>;
export const toView = (a: AccountRow): AccountView => ({
  ...a,
  lotMultiplier: a.lotMultiplier.toString(),
  dailyLossLimit: a.dailyLossLimit?.toString() ?? null,
});

/** `POST /api/accounts/test`: `ok` only when both the API and the WebSocket accept the key, each judged apart. */
export interface ConnectionTest {
  ok: boolean;
  ping?: PingResult;
  api: ConnectionReport["api"];
  ws: ConnectionReport["ws"];
}
export type ConnectionTestJson = Jsonified<ConnectionTest>;

/**
 * The form's "Test connection". A typed key is tested where the form says. A stored key (editing, key left blank) is
 * only ever sent to its own stored host and WebSocket URL, and only for its owner.
 */
export async function testFromForm(
  actor: Actor,
  input: z.infer<typeof formTestSchema>,
  ip: string,
): Promise<ConnectionTest> {
  authorize(actor, "account.test");
  const typed = credentialsOf(input);
  const wsUrl = typed.wsUrl ?? "";
  let key = typed.apiKey;
  // Only the owner's own account may be named (404 otherwise, admins included: a stored key is its owner's to use).
  const stored = input.accountId ? await findAccountSecret({ ownerId: null }, input.accountId) : null;
  if (input.accountId && !stored) throw new NotFoundError("Account");
  if (stored) authorize(actor, "account.testStoredKey", { ownerId: stored.ownerId, what: "Account" });
  if (!key) {
    if (!stored) throw new NotFoundError("Account");
    const moved = stored.kind !== input.kind || !sameHost(stored.hostUrl, typed.hostUrl!);
    if (moved || !sameWs(stored.wsUrl, wsUrl)) throw retypeKey();
    key = readApiKey(env().CREDENTIAL_KEYS, stored);
  }
  const report = await checkConnection(
    { hostUrl: typed.hostUrl!, wsUrl, apiKey: key },
    { actor, ip, kind: input.kind, accountId: stored?.id, storedKey: !input.apiKey },
  );
  const refused = report.api.ok ? null : connectionProblem(report, input.kind);
  if (refused) throw refused;
  const ping = report.api.ok ? { broker: report.api.broker, mode: report.api.mode } : undefined;
  return { ok: report.api.ok && report.ws.ok, ping, api: report.api, ws: report.ws };
}

export async function getAccount(actor: Actor, id: string): Promise<AccountView> {
  const row = await findAccount(scopeOf(actor), id);
  if (!row) throw new NotFoundError("Account");
  return toView(row);
}

export async function listAccountsFor(actor: Actor): Promise<AccountView[]> {
  return (await listAccounts(scopeOf(actor))).map(toView);
}

/** A body's account settings: everything but the kind and the credential fields. */
function settingsOf<T extends object>(input: T): Omit<T, "kind" | CredentialFieldName> {
  const {
    kind: _kind,
    hostUrl: _h,
    wsUrl: _w,
    apiKey: _k,
    apiSecret: _s,
    clientId: _c,
    pin: _p,
    totpSecret: _t,
    ...settings
  } = input as T & Partial<Record<CredentialFieldName | "kind", unknown>>;
  return settings as Omit<T, "kind" | CredentialFieldName>;
}

/**
 * The PIN and TOTP seed columns of an edit: a typed one is encrypted; a move to another host forgets the stored ones
 * unless typed again (a stored secret only goes to its own broker). Any of these, like every credential edit, lets
 * the renewal job try again after a refusal (docs/direct-brokers.md "Automatic renewal").
 */
function renewalSecrets(id: string, sent: ReturnType<typeof credentialsOf>, moved: boolean, voidsSession: boolean) {
  const ring = env().CREDENTIAL_KEYS;
  return {
    ...(sent.pin ? { pinEnc: encryptPin(ring, id, sent.pin) } : moved ? { pinEnc: null } : {}),
    ...(sent.totpSecret
      ? { totpSecretEnc: encryptTotpSecret(ring, id, sent.totpSecret) }
      : moved
        ? { totpSecretEnc: null }
        : {}),
    ...(voidsSession || sent.pin || sent.totpSecret ? { sessionRenewalError: null } : {}),
  };
}

/** Links an account after a successful connection test. The owner's first account becomes the primary. */
export async function createAccount(
  actor: Actor,
  input: z.infer<typeof createAccountSchema>,
  ip: string,
): Promise<AccountView> {
  authorize(actor, "account.write");
  const { hostUrl, apiKey: key, apiSecret, wsUrl = "", clientId, pin, totpSecret } = credentialsOf(input);
  await refuseDuplicate(actor, actor.id, hostUrl!, key!);
  const ping = await requireConnection(
    { hostUrl: hostUrl!, wsUrl, apiKey: key! },
    { actor, ip, kind: input.kind, storedKey: false },
  );
  // A direct broker's account is usable only after its first broker login (docs/direct-brokers.md "Login").
  const { login, defaultLimits: limits } = brokerOf(input);
  const needsLogin = login !== undefined;
  const now = new Date();
  const id = randomUUID();
  try {
    const row = await inTransaction(async (tx) => {
      const hasPrimary = await ownerHasPrimary(actor.id, tx);
      const isPrimary = input.isPrimary || !hasPrimary;
      if (isPrimary) await clearPrimary(tx, actor.id);
      const created = await insertAccount(tx, {
        ...settingsOf(input),
        orderRatePerSec: input.orderRatePerSec ?? limits?.ordersPerSecond ?? DEFAULT_RATE_LIMITS.ordersPerSecond,
        otherRatePerSec: input.otherRatePerSec ?? limits?.otherPerSecond ?? DEFAULT_RATE_LIMITS.otherPerSecond,
        kind: input.kind,
        hostUrl: hostUrl!,
        wsUrl,
        clientId: clientId ?? null,
        id,
        ownerId: actor.id,
        isPrimary,
        apiKeyEnc: encryptApiKey(env().CREDENTIAL_KEYS, id, key!),
        apiKeyLast4: key!.slice(-4),
        apiSecretEnc: apiSecret ? encryptApiSecret(env().CREDENTIAL_KEYS, id, apiSecret) : null,
        pinEnc: pin ? encryptPin(env().CREDENTIAL_KEYS, id, pin) : null,
        totpSecretEnc: totpSecret ? encryptTotpSecret(env().CREDENTIAL_KEYS, id, totpSecret) : null,
        credentialFingerprint: credentialFingerprint(env().CREDENTIAL_KEYS, hostUrl!, key!),
        status: needsLogin ? "UNKNOWN" : "CONNECTED",
        lastOkAt: needsLogin ? null : now,
        lastCheckedAt: now,
        lastError: needsLogin ? NOT_LOGGED_IN : null,
        brokerName: ping.broker,
        brokerMode: ping.mode,
      });
      await insertAudit(
        {
          actorId: actor.id,
          action: "account.create",
          entity: "account",
          entityId: id,
          details: { name: input.name, hostUrl },
          ip,
        },
        tx,
      );
      return created;
    });
    return toView(row);
  } catch (e) {
    throw saveConflict(e) ?? e;
  }
}

/** Changes settings; a new host or key is tested before it is saved. Admins may edit anyone's account. */
export async function updateAccount(
  actor: Actor,
  id: string,
  input: z.infer<typeof updateAccountSchema>,
  ip: string,
): Promise<AccountView> {
  authorize(actor, "account.write");
  const current = await findAccountSecret(scopeOf(actor), id);
  if (!current) throw new NotFoundError("Account");
  checkUpdateCredentials(current, input);
  const sent = credentialsOf(input);
  const rest = settingsOf(input);
  const newKey = sent.apiKey;
  const newSecret = sent.apiSecret;
  const hostUrl = sent.hostUrl ?? current.hostUrl;
  const wsUrl = sent.wsUrl ?? current.wsUrl;
  const moved = !sameHost(hostUrl, current.hostUrl) || !sameWs(wsUrl, current.wsUrl);
  // The stored key (and app secret) go only to their stored host and WS URL: moving needs them typed again.
  if (newKey === undefined && moved) throw retypeKey();
  if (newSecret === undefined && moved && current.apiSecretEnc) throw retypeSecret();
  // New app credentials, host or client id void the broker session: the next call needs a fresh login.
  const voidsSession =
    newKey !== undefined ||
    newSecret !== undefined ||
    moved ||
    (sent.clientId ?? current.clientId) !== current.clientId;
  let ping: PingResult | undefined;
  if (newKey !== undefined) {
    await refuseDuplicate(actor, current.ownerId, hostUrl, newKey, id);
    ping = await requireConnection(
      { hostUrl, wsUrl, apiKey: newKey },
      { actor, ip, kind: current.kind, accountId: id, storedKey: false },
    );
  }
  try {
    const row = await inTransaction(async (tx) => {
      if (rest.isPrimary) await clearPrimary(tx, current.ownerId);
      const updated = await updateAccountRow(tx, id, {
        ...rest,
        ...(sent.hostUrl === undefined ? {} : { hostUrl: sent.hostUrl }),
        ...(sent.wsUrl === undefined ? {} : { wsUrl: sent.wsUrl }),
        ...(sent.clientId === undefined ? {} : { clientId: sent.clientId || null }),
        ...(newKey
          ? {
              apiKeyEnc: encryptApiKey(env().CREDENTIAL_KEYS, id, newKey),
              apiKeyLast4: newKey.slice(-4),
              credentialFingerprint: credentialFingerprint(env().CREDENTIAL_KEYS, hostUrl, newKey),
            }
          : {}),
        ...(newSecret ? { apiSecretEnc: encryptApiSecret(env().CREDENTIAL_KEYS, id, newSecret) } : {}),
        ...renewalSecrets(id, sent, moved, voidsSession),
        ...(voidsSession && current.sessionEnc ? { sessionEnc: null, sessionExpiresAt: null } : {}),
        ...(ping && brokerOf(current).login
          ? { lastCheckedAt: new Date(), brokerName: ping.broker, brokerMode: ping.mode }
          : ping
            ? {
                status: "CONNECTED",
                consecutiveFailures: 0,
                lastOkAt: new Date(),
                lastCheckedAt: new Date(),
                lastError: null,
                brokerName: ping.broker,
                brokerMode: ping.mode,
              }
            : {}),
      });
      const changed = Object.keys(input).map((k) => (ENCRYPTED_CREDENTIALS.includes(k) ? `${k}(rotated)` : k));
      await insertAudit(
        { actorId: actor.id, action: "account.update", entity: "account", entityId: id, details: { changed }, ip },
        tx,
      );
      return updated;
    });
    forgetAdapter(id);
    await invalidateBooks([id]);
    return toView(row);
  } catch (e) {
    throw saveConflict(e) ?? e;
  }
}

/** Unlinks an account, refused while the broker reports open positions (or cannot be asked). */
export async function deleteAccount(actor: Actor, id: string, ip: string): Promise<void> {
  authorize(actor, "account.write");
  const account = await findAccountSecret(scopeOf(actor), id);
  if (!account) throw new NotFoundError("Account");
  let open: string[];
  try {
    open = (await adapterFor(account).positions())
      .filter((p) => p.quantity !== 0)
      .map((p) => `${p.symbol} ${p.quantity}`);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    throw new ConflictError(
      `Cannot confirm that ${account.name} has no open positions (${e.message}). Reconnect it, or deactivate it instead.`,
    );
  }
  if (open.length)
    throw new ConflictError(
      `${account.name} has open positions (${open.join(", ")}). Close them before unlinking the account.`,
    );
  await inTransaction(async (tx) => {
    await deleteAccountRow(tx, id);
    await insertAudit(
      {
        actorId: actor.id,
        action: "account.delete",
        entity: "account",
        entityId: id,
        details: { name: account.name },
        ip,
      },
      tx,
    );
  });
  forgetAdapter(id);
  await invalidateBooks([id]);
}
