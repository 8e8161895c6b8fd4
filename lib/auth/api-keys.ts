/**
 * Personal API keys for /api/v1 (docs/api.md): `mdk_` + 32 random bytes (base64url), shown once, stored as SHA-256.
 * A key acts as its user with the user's role narrowed by the key's scope: READ keys may only read. Whether an action
 * is allowed is still decided by `authorize` (./authorize.ts), the same function session routes use.
 */
import { createHash, randomBytes } from "node:crypto";
import { findApiKeyByHash, touchApiKey } from "@/lib/db/queries/api-keys";
import { findUserById, viewedTraderIds } from "@/lib/db/queries/users";
import type { ApiKeyScope } from "./roles";
import type { SessionUser } from "./session";

export const API_KEY_PREFIX = "mdk_";

export function newApiKey(): { key: string; hash: string; hint: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString("base64url");
  return { key, hash: hashApiKey(key), hint: key.slice(0, 10) };
}

export const hashApiKey = (key: string) => createHash("sha256").update(key).digest("hex");

/** The actor behind an API key: its user, with the key's id (rate limits, audit) and scope. */
export interface ApiKeyUser extends SessionUser {
  apiKeyId: string;
  apiKeyScope: ApiKeyScope;
}

/** `lastUsedAt` is written at most this often per key, so a busy key does not write on every request. */
const TOUCH_EVERY_MS = 60_000;

/**
 * The user an `Authorization: Bearer mdk_…` header stands for, or null: unknown, revoked or expired key, or an
 * inactive user. The database decides on every request, so revoking works at once.
 */
export async function apiKeyUserFromHeader(header: string | null, now = new Date()): Promise<ApiKeyUser | null> {
  const m = /^Bearer\s+(mdk_[A-Za-z0-9_-]{20,100})\s*$/.exec(header ?? "");
  if (!m) return null;
  const row = await findApiKeyByHash(hashApiKey(m[1]));
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
  const user = await findUserById(row.userId);
  if (!user || !user.active) return null;
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_EVERY_MS) await touchApiKey(row.id, now);
  const base = { id: user.id, email: user.email, name: user.name, role: user.role };
  const viewer = user.role === "VIEWER" ? { viewsOwnerIds: await viewedTraderIds(user.id) } : {};
  return { ...base, ...viewer, apiKeyId: row.id, apiKeyScope: row.scope };
}
