import { randomUUID } from "node:crypto";
import { z } from "zod";
import { env } from "@/lib/env";
import { db, isUniqueViolation } from "@/lib/db/client";
import { insertAudit } from "@/lib/db/queries/audit";
import { clearPrimary, deleteAccountRow, findAccount, findAccountSecret, insertAccount, listAccounts, updateAccountRow, type AccountRow } from "@/lib/db/queries/accounts";
import { canWrite, scopeOf, type Actor } from "@/lib/auth/roles";
import { AppError, BrokerAuthError, BrokerUnavailableError, ConflictError, ForbiddenError, NotFoundError, ValidationError } from "@/lib/errors";
import type { PingResult } from "@/lib/brokers/types";
import { adapterFor, forgetAdapter, probeAdapter } from "@/lib/services/broker-access";
import { encryptApiKey, readApiKey } from "@/lib/services/credentials";
import { invalidateBooks } from "@/lib/services/account-books";

const httpUrl = z
  .url({ protocol: /^https?$/, error: "Must be an http:// or https:// URL" })
  .max(500)
  .transform((u) => u.replace(/\/+$/, ""));
const wsUrl = z
  .url({ protocol: /^wss?$/, error: "Must be a ws:// or wss:// URL" })
  .max(500)
  .transform((u) => u.replace(/\/+$/, ""));

// No defaults here: a PATCH must change only the fields it sends, and zod 4's `.partial()` still fills a field's
// `.default()` when it is absent. Creation applies the defaults below.
const settings = {
  name: z.string().trim().min(1, "Enter a name").max(60),
  kind: z.literal("OPENALGO"),
  hostUrl: httpUrl,
  wsUrl,
  isPrimary: z.boolean(),
  active: z.boolean(),
  tags: z.array(z.string().trim().min(1).max(30)).max(10),
  lotMultiplier: z.coerce.number().positive("Must be above 0").max(100).multipleOf(0.01),
  maxLotsPerLeg: z.int().positive().max(10_000).nullable(),
  orderRatePerSec: z.int().min(1).max(50),
  otherRatePerSec: z.int().min(1).max(50),
};
const apiKey = z.string().trim().min(8, "API keys are at least 8 characters").max(256);

export const createAccountSchema = z.object({
  ...settings,
  kind: settings.kind.default("OPENALGO"),
  isPrimary: settings.isPrimary.default(false),
  active: settings.active.default(true),
  tags: settings.tags.default([]),
  lotMultiplier: settings.lotMultiplier.default(1),
  maxLotsPerLeg: settings.maxLotsPerLeg.default(null),
  orderRatePerSec: settings.orderRatePerSec.default(10),
  otherRatePerSec: settings.otherRatePerSec.default(10),
  apiKey,
});
export const updateAccountSchema = z.object({ ...settings, apiKey }).partial();
export const testConnectionSchema = z.object({ kind: settings.kind.default("OPENALGO"), hostUrl: httpUrl, wsUrl, apiKey });
/** The form's "Test connection": a typed key, or (editing) the stored key of `accountId` when the key is blank. */
export const formTestSchema = z
  .object({ hostUrl: httpUrl, wsUrl, apiKey: apiKey.optional(), accountId: z.uuid().optional() })
  .refine((v) => v.apiKey || v.accountId, { message: "Enter the API key", path: ["apiKey"] });

/** What the browser may see of an account: never the key, only its last 4 characters. */
export type AccountView = Omit<AccountRow, "lotMultiplier"> & { lotMultiplier: string };
export const toView = (a: AccountRow): AccountView => ({ ...a, lotMultiplier: a.lotMultiplier.toString() });


/**
 * Pings the broker with the given details. Success gives the broker name and mode; failure a ValidationError whose
 * message says what to do (wrong key vs expired session, unreachable host, timeout) and which field to look at.
 */
export async function testConnection(input: z.infer<typeof testConnectionSchema>): Promise<PingResult> {
  const adapter = probeAdapter(input.kind, input.hostUrl, input.wsUrl, input.apiKey);
  try {
    return await adapter.ping();
  } catch (e) {
    throw connectionProblem(e, input.hostUrl);
  } finally {
    await adapter.close();
  }
}

function connectionProblem(e: unknown, host: string): AppError {
  if (e instanceof BrokerAuthError) {
    return new ValidationError(
      "OpenAlgo refused the API key. Either the key is wrong, or the broker session behind it has expired (OpenAlgo logs out daily at 03:00 IST): log in to your broker in OpenAlgo, check the key, and test again.",
      { apiKey: ["Refused by OpenAlgo (wrong key or expired broker session)"] },
    );
  }
  if (e instanceof BrokerUnavailableError) {
    const why =
      e.reason === "timeout" ? `${host} did not answer in time` : e.reason === "unreachable" ? `Cannot reach ${host}` : `${host} answered with an error`;
    return new ValidationError(`${why}: ${e.message}. Check the host URL and that OpenAlgo is running.`, { hostUrl: [why] });
  }
  if (e instanceof AppError) return new ValidationError(`Connection test failed: ${e.message}`, { hostUrl: [e.message] });
  throw e;
}

export async function testFromForm(actor: Actor, input: z.infer<typeof formTestSchema>): Promise<PingResult> {
  // An account id, with or without a typed key, must be one the actor may see (404 otherwise, as everywhere).
  const stored = input.accountId ? await findAccountSecret(scopeOf(actor), input.accountId) : null;
  if (input.accountId && !stored) throw new NotFoundError("Account");
  const key = input.apiKey || readApiKey(env().CREDENTIAL_KEYS, stored!);
  return testConnection({ kind: "OPENALGO", hostUrl: input.hostUrl, wsUrl: input.wsUrl, apiKey: key });
}

export async function getAccount(actor: Actor, id: string): Promise<AccountView> {
  const row = await findAccount(scopeOf(actor), id);
  if (!row) throw new NotFoundError("Account");
  return toView(row);
}

export async function listAccountsFor(actor: Actor): Promise<AccountView[]> {
  return (await listAccounts(scopeOf(actor))).map(toView);
}

/** Links an account after a successful connection test. The owner's first account becomes the primary. */
export async function createAccount(actor: Actor, input: z.infer<typeof createAccountSchema>, ip: string): Promise<AccountView> {
  if (!canWrite(actor)) throw new ForbiddenError("Your role is read-only");
  const ping = await testConnection(input);
  const id = randomUUID();
  try {
    const row = await db().$transaction(async (tx) => {
      const hasPrimary = (await tx.tradingAccount.count({ where: { ownerId: actor.id, isPrimary: true } })) > 0;
      const isPrimary = input.isPrimary || !hasPrimary;
      if (isPrimary) await clearPrimary(tx, actor.id);
      const { apiKey: key, ...rest } = input;
      const created = await insertAccount(tx, {
        ...rest,
        id,
        ownerId: actor.id,
        isPrimary,
        apiKeyEnc: encryptApiKey(env().CREDENTIAL_KEYS, id, key),
        apiKeyLast4: key.slice(-4),
        status: "CONNECTED",
        lastOkAt: new Date(),
        lastCheckedAt: new Date(),
        brokerName: ping.broker,
        brokerMode: ping.mode,
      });
      await insertAudit({ actorId: actor.id, action: "account.create", entity: "account", entityId: id, details: { name: input.name, hostUrl: input.hostUrl }, ip }, tx);
      return created;
    });
    return toView(row);
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError("You already have an account with this name", { name: ["Already used"] });
    throw e;
  }
}

/** Changes settings; a new host or key is tested before it is saved. Admins may edit anyone's account. */
export async function updateAccount(actor: Actor, id: string, input: z.infer<typeof updateAccountSchema>, ip: string): Promise<AccountView> {
  if (!canWrite(actor)) throw new ForbiddenError("Your role is read-only");
  const current = await findAccountSecret(scopeOf(actor), id);
  if (!current) throw new NotFoundError("Account");
  const { apiKey: newKey, ...rest } = input;
  const connectionChanged = newKey !== undefined || (rest.hostUrl ?? current.hostUrl) !== current.hostUrl || (rest.wsUrl ?? current.wsUrl) !== current.wsUrl;
  let ping: PingResult | undefined;
  if (connectionChanged) {
    const key = newKey ?? readApiKey(env().CREDENTIAL_KEYS, current);
    ping = await testConnection({ kind: current.kind, hostUrl: rest.hostUrl ?? current.hostUrl, wsUrl: rest.wsUrl ?? current.wsUrl, apiKey: key });
  }
  try {
    const row = await db().$transaction(async (tx) => {
      if (rest.isPrimary) await clearPrimary(tx, current.ownerId);
      const updated = await updateAccountRow(tx, id, {
        ...rest,
        ...(newKey ? { apiKeyEnc: encryptApiKey(env().CREDENTIAL_KEYS, id, newKey), apiKeyLast4: newKey.slice(-4) } : {}),
        ...(ping ? { status: "CONNECTED", consecutiveFailures: 0, lastOkAt: new Date(), lastCheckedAt: new Date(), lastError: null, brokerName: ping.broker, brokerMode: ping.mode } : {}),
      });
      const changed = Object.keys(input).map((k) => (k === "apiKey" ? "apiKey(rotated)" : k));
      await insertAudit({ actorId: actor.id, action: "account.update", entity: "account", entityId: id, details: { changed }, ip }, tx);
      return updated;
    });
    forgetAdapter(id);
    await invalidateBooks([id]);
    return toView(row);
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError("You already have an account with this name", { name: ["Already used"] });
    throw e;
  }
}

/** Unlinks an account, refused while the broker reports open positions (or cannot be asked). */
export async function deleteAccount(actor: Actor, id: string, ip: string): Promise<void> {
  if (!canWrite(actor)) throw new ForbiddenError("Your role is read-only");
  const account = await findAccountSecret(scopeOf(actor), id);
  if (!account) throw new NotFoundError("Account");
  let open: string[];
  try {
    open = (await adapterFor(account).positions()).filter((p) => p.quantity !== 0).map((p) => `${p.symbol} ${p.quantity}`);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    throw new ConflictError(`Cannot confirm that ${account.name} has no open positions (${e.message}). Reconnect it, or deactivate it instead.`);
  }
  if (open.length) throw new ConflictError(`${account.name} has open positions (${open.join(", ")}). Close them before unlinking the account.`);
  await db().$transaction(async (tx) => {
    await deleteAccountRow(tx, id);
    await insertAudit({ actorId: actor.id, action: "account.delete", entity: "account", entityId: id, details: { name: account.name }, ip }, tx);
  });
  forgetAdapter(id);
  await invalidateBooks([id]);
}
