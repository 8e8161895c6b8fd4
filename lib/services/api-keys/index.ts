/**
 * Personal API keys: create (the key is shown once), list and revoke one's own. Every user manages only their own
 * keys, admins included; a role that may not change things may only create READ keys. See docs/api.md ("Keys").
 */
import { z } from "zod";
import { newApiKey } from "@/lib/auth/api-keys";
import { authorize } from "@/lib/auth/authorize";
import type { Actor } from "@/lib/auth/roles";
import { isUniqueViolation } from "@/lib/db/errors";
import {
  countActiveApiKeys,
  findApiKeyOf,
  insertApiKey,
  listApiKeysOf,
  lockUserKeys,
  revokeApiKeyOf,
} from "@/lib/db/queries/api-keys";
import { insertAudit } from "@/lib/db/queries/audit";
import { inTransaction } from "@/lib/db/transaction";
import { ConflictError, ForbiddenError, NotFoundError } from "@/lib/errors";

/** Keys one user may hold at once (neither revoked nor expired). */
export const MAX_ACTIVE_API_KEYS = 20;
const DAY_MS = 86_400_000;

export const createApiKeySchema = z.object({
  name: z.string().trim().min(1, "Name the key").max(60, "At most 60 characters"),
  scope: z.enum(["READ", "TRADE"], "Choose READ or TRADE"),
  /** Days until the key stops working; null or left out: it never expires. */
  expiresInDays: z
    .int("Whole days")
    .min(1, "At least 1 day")
    .max(365, "At most 365 days")
    .nullable()
    .optional()
    .transform((d) => d ?? null),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeySchema>;

export type ApiKeyStatus = "active" | "expired" | "revoked";

export interface ApiKeyView {
  id: string;
  name: string;
  scope: "READ" | "TRADE";
  /** The first characters of the key, to tell keys apart. */
  hint: string;
  createdAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  status: ApiKeyStatus;
}

type Row = NonNullable<Awaited<ReturnType<typeof findApiKeyOf>>>;

function toView(r: Row, now: Date): ApiKeyView {
  const status: ApiKeyStatus = r.revokedAt ? "revoked" : r.expiresAt && r.expiresAt <= now ? "expired" : "active";
  return {
    id: r.id,
    name: r.name,
    scope: r.scope,
    hint: r.keyHint,
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    lastUsedAt: r.lastUsedAt,
    revokedAt: r.revokedAt,
    status,
  };
}

/** Creates a key for the actor. The answer is the only time the key itself is ever shown; only its hash is stored. */
export async function createApiKey(
  actor: Actor,
  input: CreateApiKeyInput,
  ip: string,
  now = new Date(),
): Promise<{ key: string; apiKey: ApiKeyView }> {
  authorize(actor, "apiKey.manage");
  if (input.scope === "TRADE") {
    try {
      authorize(actor, "apiKey.createTrade");
    } catch (e) {
      if (!(e instanceof ForbiddenError)) throw e;
      throw new ForbiddenError(e.message, { scope: ["Your role may only create READ keys"] });
    }
  }
  const { key, hash, hint } = newApiKey();
  const expiresAt = input.expiresInDays === null ? null : new Date(now.getTime() + input.expiresInDays * DAY_MS);
  try {
    const row = await inTransaction(async (tx) => {
      await lockUserKeys(tx, actor.id);
      if ((await countActiveApiKeys(tx, actor.id, now)) >= MAX_ACTIVE_API_KEYS)
        throw new ConflictError(`At most ${MAX_ACTIVE_API_KEYS} active keys: revoke one you no longer use first`);
      const created = await insertApiKey(tx, {
        userId: actor.id,
        name: input.name,
        scope: input.scope,
        keyHash: hash,
        keyHint: hint,
        expiresAt,
      });
      await insertAudit(
        {
          actorId: actor.id,
          action: "apiKey.create",
          entity: "api_key",
          entityId: created.id,
          details: { name: created.name, scope: created.scope, hint, expiresAt: expiresAt?.toISOString() ?? null },
          ip,
        },
        tx,
      );
      return created;
    });
    return { key, apiKey: toView(row, now) };
  } catch (e) {
    if (isUniqueViolation(e))
      throw new ConflictError("You already have a key with this name", { name: ["Already used (revoked keys too)"] });
    throw e;
  }
}

/** The actor's own keys, newest first, with their status at `now`. */
export async function listApiKeys(actor: Actor, now = new Date()): Promise<ApiKeyView[]> {
  authorize(actor, "apiKey.manage");
  return (await listApiKeysOf(actor.id)).map((r) => toView(r, now));
}

/**
 * Revokes one of the actor's keys; it is refused from the very next request (the key is looked up on each one).
 * Another user's key is not found, whoever asks. Revoking a revoked key changes nothing.
 */
export async function revokeApiKey(actor: Actor, id: string, ip: string, now = new Date()): Promise<ApiKeyView> {
  authorize(actor, "apiKey.manage");
  return inTransaction(async (tx) => {
    const revoked = await revokeApiKeyOf(tx, actor.id, id, now);
    const row = await findApiKeyOf(actor.id, id, tx);
    if (!row) throw new NotFoundError("API key");
    if (revoked)
      await insertAudit(
        {
          actorId: actor.id,
          action: "apiKey.revoke",
          entity: "api_key",
          entityId: id,
          details: { name: row.name, hint: row.keyHint },
          ip,
        },
        tx,
      );
    return toView(row, now);
  });
}
