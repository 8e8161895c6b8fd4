import { randomUUID } from "node:crypto";
import { z } from "zod";
import { env } from "@/lib/env";
import { db } from "@/lib/db/client";
import { insertAudit } from "@/lib/db/queries/audit";
import {
  clearPrimary,
  deleteAccountRow,
  findAccount,
  findAccountSecret,
  insertAccount,
  listAccounts,
  updateAccountRow,
  type AccountRow,
} from "@/lib/db/queries/accounts";
import { canWrite, scopeOf, type Actor } from "@/lib/auth/roles";
import { AppError, ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";
import type { PingResult } from "@/lib/brokers/types";
import {
  adapterFor,
  forgetAdapter,
  credentialFingerprint,
  encryptApiKey,
  readApiKey,
} from "@/lib/services/broker-access";
import type { ConnectionReport } from "./connection-probe";
import { checkConnection, connectionProblem, requireConnection } from "./connection-test";
import { refuseDuplicate, retypeKey, sameHost, sameWs, saveConflict } from "./save-checks";
import { invalidateBooks } from "./books";

// The broker's books of an account (and of all of them), order changes in one account and the periodic health
// check are siblings; their public functions are part of this entry.
export {
  accountBook,
  aggregateBook,
  bookSchema,
  brokerPositions,
  invalidateBooks,
  type AccountSlice,
  type Book,
  type BookJson,
} from "./books";
export { cancelAccountOrder, modifyAccountOrder, modifyOrderSchema } from "./orders";
export { checkAllAccounts } from "./health";

const httpUrl = z
  .string()
  .max(500)
  .pipe(z.url({ protocol: /^https?$/, error: "Must be an http:// or https:// URL" }))
  .transform((u) => u.replace(/\/+$/, ""));
const wsUrl = z
  .string()
  .max(500)
  .pipe(z.url({ protocol: /^wss?$/, error: "Must be a ws:// or wss:// URL" }))
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
/** The form's "Test connection": a typed key, or (editing) the stored key of `accountId` when the key is blank. */
export const formTestSchema = z
  .object({ hostUrl: httpUrl, wsUrl, apiKey: apiKey.optional(), accountId: z.uuid().optional() })
  .refine((v) => v.apiKey || v.accountId, { message: "Enter the API key", path: ["apiKey"] });

/** What the browser may see of an account: never the key, only its last 4 characters. */
export type AccountView = Omit<AccountRow, "lotMultiplier"> & { lotMultiplier: string };
export const toView = (a: AccountRow): AccountView => ({ ...a, lotMultiplier: a.lotMultiplier.toString() });

/**
 * The form's "Test connection". A typed key is tested where the form says. A stored key (editing, key left blank) is
 * only ever sent to its own stored host and WebSocket URL, and only for its owner.
 */
export async function testFromForm(
  actor: Actor,
  input: z.infer<typeof formTestSchema>,
  ip: string,
): Promise<{ ok: boolean; ping?: PingResult; api: ConnectionReport["api"]; ws: ConnectionReport["ws"] }> {
  let key = input.apiKey;
  // Only the owner's own account may be named (404 otherwise, admins included: a stored key is its owner's to use).
  const stored = input.accountId ? await findAccountSecret({ ownerId: actor.id }, input.accountId) : null;
  if (input.accountId && !stored) throw new NotFoundError("Account");
  if (!key) {
    if (!stored) throw new NotFoundError("Account");
    if (!sameHost(stored.hostUrl, input.hostUrl) || !sameWs(stored.wsUrl, input.wsUrl)) throw retypeKey();
    key = readApiKey(env().CREDENTIAL_KEYS, stored);
  }
  const report = await checkConnection(
    { hostUrl: input.hostUrl, wsUrl: input.wsUrl, apiKey: key },
    { actor, ip, accountId: stored?.id, storedKey: !input.apiKey },
  );
  const refused = report.api.ok ? null : connectionProblem(report);
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

/** Links an account after a successful connection test. The owner's first account becomes the primary. */
export async function createAccount(
  actor: Actor,
  input: z.infer<typeof createAccountSchema>,
  ip: string,
): Promise<AccountView> {
  if (!canWrite(actor)) throw new ForbiddenError("Your role is read-only");
  await refuseDuplicate(actor, actor.id, input.hostUrl, input.apiKey);
  const ping = await requireConnection(input, { actor, ip, storedKey: false });
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
        credentialFingerprint: credentialFingerprint(env().CREDENTIAL_KEYS, input.hostUrl, key),
        status: "CONNECTED",
        lastOkAt: new Date(),
        lastCheckedAt: new Date(),
        brokerName: ping.broker,
        brokerMode: ping.mode,
      });
      await insertAudit(
        {
          actorId: actor.id,
          action: "account.create",
          entity: "account",
          entityId: id,
          details: { name: input.name, hostUrl: input.hostUrl },
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
  if (!canWrite(actor)) throw new ForbiddenError("Your role is read-only");
  const current = await findAccountSecret(scopeOf(actor), id);
  if (!current) throw new NotFoundError("Account");
  const { apiKey: newKey, ...rest } = input;
  const hostUrl = rest.hostUrl ?? current.hostUrl;
  const wsUrl = rest.wsUrl ?? current.wsUrl;
  // The stored key goes only to its stored host and WS URL: moving it elsewhere needs the key typed again.
  if (newKey === undefined && (!sameHost(hostUrl, current.hostUrl) || !sameWs(wsUrl, current.wsUrl))) throw retypeKey();
  let ping: PingResult | undefined;
  if (newKey !== undefined) {
    await refuseDuplicate(actor, current.ownerId, hostUrl, newKey, id);
    ping = await requireConnection({ hostUrl, wsUrl, apiKey: newKey }, { actor, ip, accountId: id, storedKey: false });
  }
  try {
    const row = await db().$transaction(async (tx) => {
      if (rest.isPrimary) await clearPrimary(tx, current.ownerId);
      const updated = await updateAccountRow(tx, id, {
        ...rest,
        ...(newKey
          ? {
              apiKeyEnc: encryptApiKey(env().CREDENTIAL_KEYS, id, newKey),
              apiKeyLast4: newKey.slice(-4),
              credentialFingerprint: credentialFingerprint(env().CREDENTIAL_KEYS, hostUrl, newKey),
            }
          : {}),
        ...(ping
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
      const changed = Object.keys(input).map((k) => (k === "apiKey" ? "apiKey(rotated)" : k));
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
  if (!canWrite(actor)) throw new ForbiddenError("Your role is read-only");
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
  await db().$transaction(async (tx) => {
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
