/**
 * Webhook URL tokens and body-signing secrets (docs/webhooks.md "Security"). A token is 32 random bytes (base64url,
 * `whk_` prefix), shown once and stored only as its SHA-256, so the database alone never yields a working URL. The
 * optional HMAC secret must be read back to verify signatures, so it is encrypted like broker keys, bound to its row.
 */
import { createHash, randomBytes } from "node:crypto";
import { decryptSecret, encryptSecret, type KeyRing } from "@/lib/crypto/credentials";
import { env } from "@/lib/env";

export const WEBHOOK_TOKEN_PREFIX = "whk_";
/** Where alerts are posted: `${APP_URL}${webhookPath(token)}`. */
export const webhookPath = (token: string) => `/api/hooks/${token}`;
/** Header carrying the optional body signature: `sha256=<hex HMAC-SHA256(secret, raw body)>`. */
export const SIGNATURE_HEADER = "x-mirrordesk-signature";

export function newWebhookToken(): { token: string; hash: string; hint: string } {
  const token = WEBHOOK_TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { token, hash: hashWebhookToken(token), hint: token.slice(-4) };
}

export const hashWebhookToken = (token: string) => createHash("sha256").update(token).digest("hex");

/** A new signing secret to show once (32 random bytes, hex). */
export const newHmacSecret = () => randomBytes(32).toString("hex");

const hmacAad = (webhookId: string) => `webhook:${webhookId}:hmac`;
export const encryptHmacSecret = (webhookId: string, secret: string) =>
  encryptHmacSecretWith(env().CREDENTIAL_KEYS, webhookId, secret);
export const decryptHmacSecret = (webhookId: string, blob: string) =>
  decryptHmacSecretWith(env().CREDENTIAL_KEYS, webhookId, blob);
/** The same under a given key ring (re-encryption under a new key version, `npm run keys:rotate`). */
export const encryptHmacSecretWith = (ring: KeyRing, webhookId: string, secret: string) =>
  encryptSecret(ring, secret, hmacAad(webhookId));
export const decryptHmacSecretWith = (ring: KeyRing, webhookId: string, blob: string) =>
  decryptSecret(ring, blob, hmacAad(webhookId));
