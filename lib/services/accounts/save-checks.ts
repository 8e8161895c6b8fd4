import { env } from "@/lib/env";
import { isUniqueViolation } from "@/lib/db/errors";
import { findByFingerprint } from "@/lib/db/queries/accounts";
import type { Actor } from "@/lib/auth/roles";
import { AppError, ConflictError, ValidationError } from "@/lib/errors";
import { credentialFingerprints, credentialIdentity } from "@/lib/services/broker-access";

// What a save of an account must not do: reuse a stored key on another host, or link a broker account twice.
/** Same host (origin + path) and same WS URL, however the user typed them. */
export const sameHost = (a: string, b: string) => credentialIdentity(a, "") === credentialIdentity(b, "");
const normalWs = (u: string) => (u ? new URL(u).href.replace(/\/+$/, "") : "");
/** Same WebSocket URL; an empty one (a kind without a user-given stream URL) only equals another empty one. */
export const sameWs = (a: string, b: string) => normalWs(a) === normalWs(b);

export const retypeKey = () =>
  new ValidationError("Enter the API key again to use it with a different host or WebSocket URL", {
    apiKey: ["Required when the host or WebSocket URL changes"],
  });

export const retypeSecret = () =>
  new ValidationError("Enter the API secret again to use it with a different host", {
    apiSecret: ["Required when the host changes"],
  });

/** 409 when this host + key is already linked (by anyone); the message names the account only to its own owner. */
export async function refuseDuplicate(
  actor: Actor,
  ownerId: string,
  hostUrl: string,
  apiKey: string,
  exceptId?: string,
): Promise<void> {
  const other = await findByFingerprint(credentialFingerprints(env().CREDENTIAL_KEYS, hostUrl, apiKey), exceptId);
  if (other) throw duplicateError(other.ownerId === ownerId && other.ownerId === actor.id ? other.name : null);
}

const duplicateError = (name: string | null) =>
  new ConflictError(
    name
      ? `This broker account (same host and API key) is already linked as "${name}".`
      : "This broker account (same host and API key) is already linked in MirrorDesk. Each broker account can be linked once.",
    { apiKey: ["Already linked"] },
  );

/** A unique violation from a save: the owner's account name, or the credential fingerprint. */
export function saveConflict(e: unknown): AppError | null {
  if (!isUniqueViolation(e)) return null;
  const target = JSON.stringify((e as { meta?: unknown }).meta ?? "");
  if (target.includes("credential_fingerprint") || target.includes("credentialFingerprint"))
    return duplicateError(null);
  return new ConflictError("You already have an account with this name", { name: ["Already used"] });
}
