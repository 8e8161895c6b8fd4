import { isUniqueViolation } from "@/lib/db/errors";
import { allAccountSecrets, replaceApiKeyIfUnchanged } from "@/lib/db/queries/accounts";
import {
  allFingerprints,
  CredentialKeyError,
  decryptSecret,
  encryptSecret,
  keyedFingerprint,
  keyVersionOf,
  type KeyRing,
} from "@/lib/crypto/credentials";
import { parseBaseUrl } from "@/lib/brokers/openalgo/client";
import { reencryptDirectSecrets } from "./session";
import { CredentialUnreadableError } from "@/lib/errors";
import type { BrokerEntry } from "@/lib/brokers/registry";

/**
 * Where each credential field is kept: secrets only encrypted (`apiKeyEnc`, with the last 4 characters shown), the
 * rest in plain columns. A kind whose form has a field that is not kept the way its `secret` flag says is refused
 * when the account schemas are built, so a secret can never land in a plain column.
 */
export const ENCRYPTED_CREDENTIALS: readonly string[] = ["apiKey", "apiSecret", "pin", "totpSecret"];
export const PLAIN_CREDENTIALS: readonly string[] = ["hostUrl", "wsUrl", "clientId"];

/** Throws unless every form field of `broker` is in its credential schema and stored the way it is flagged. */
export function assertStorable(broker: Pick<BrokerEntry, "kind" | "form" | "credentials">): void {
  const schemaFields = Object.keys(broker.credentials.shape);
  const formFields = broker.form.fields.map((f) => f.name);
  const problems = [
    ...schemaFields.filter((n) => !formFields.includes(n as never)).map((n) => `${n} is validated but not on the form`),
    ...broker.form.fields.flatMap((f) => {
      if (!schemaFields.includes(f.name)) return [`${f.name} is on the form but not validated`];
      if (f.secret && !ENCRYPTED_CREDENTIALS.includes(f.name))
        return [`${f.name} is secret but would not be encrypted`];
      if (!f.secret && !PLAIN_CREDENTIALS.includes(f.name)) return [`${f.name} has no column to be stored in`];
      return [];
    }),
  ];
  if (problems.length) throw new TypeError(`Broker kind "${broker.kind}": ${problems.join("; ")}`);
}

/** Additional authenticated data binding an account's encrypted API key to its row. */
export const apiKeyAad = (accountId: string) => `account:${accountId}:apiKey`;

export function encryptApiKey(ring: KeyRing, accountId: string, apiKey: string): string {
  return encryptSecret(ring, apiKey, apiKeyAad(accountId));
}

export function decryptApiKey(ring: KeyRing, accountId: string, blob: string): string {
  return decryptSecret(ring, blob, apiKeyAad(accountId));
}

/** An account's API key for use, or a CredentialUnreadableError that tells the user what to do. */
export function readApiKey(ring: KeyRing, account: { id: string; name: string; apiKeyEnc: string }): string {
  try {
    return decryptApiKey(ring, account.id, account.apiKeyEnc);
  } catch (e) {
    if (e instanceof CredentialKeyError) throw new CredentialUnreadableError(account.name);
    throw e;
  }
}

/**
 * What makes two links the same broker account: the host (origin in lower case, default port dropped, plus the path
 * prefix without trailing slashes) and the exact key. `HTTP://H:80/x/` and `http://h/x` are one host.
 */
export function credentialIdentity(hostUrl: string, apiKey: string): string {
  const { origin, prefix } = parseBaseUrl(hostUrl);
  return `${origin.toLowerCase()}${prefix}\n${apiKey.trim()}`;
}

/** The fingerprint stored with an account (under the current key version). */
export const credentialFingerprint = (ring: KeyRing, hostUrl: string, apiKey: string) =>
  keyedFingerprint(ring, credentialIdentity(hostUrl, apiKey));

/** Every fingerprint the same credential may be stored under (rows not yet rotated carry an older version). */
export const credentialFingerprints = (ring: KeyRing, hostUrl: string, apiKey: string) =>
  allFingerprints(ring, credentialIdentity(hostUrl, apiKey));

export type RotateOutcome = "rotated" | "current" | "changed" | "failed" | "duplicate";

/**
 * Re-encrypts one account row read earlier (`seen`) under the ring's current version and (re)computes its fingerprint.
 * Compare-and-set on the ciphertext that was read: if the row's key was rewritten in between, nothing is written
 * ("changed") — the newer value stays, and it was written under the writer's current key.
 */
export async function rotateRow(
  ring: KeyRing,
  seen: {
    id: string;
    hostUrl: string;
    apiKeyEnc: string;
    credentialFingerprint: string | null;
    apiSecretEnc?: string | null;
    pinEnc?: string | null;
    totpSecretEnc?: string | null;
    sessionEnc?: string | null;
  },
): Promise<RotateOutcome> {
  const keyFresh = keyVersionOf(seen.apiKeyEnc) === ring.current;
  let plain: string;
  let direct: ReturnType<typeof reencryptDirectSecrets>;
  try {
    plain = decryptApiKey(ring, seen.id, seen.apiKeyEnc);
    direct = reencryptDirectSecrets(ring, seen.id, seen);
  } catch (e) {
    if (e instanceof CredentialKeyError) return "failed";
    throw e;
  }
  const fresh = keyFresh && !direct.stale;
  const fingerprint = credentialFingerprint(ring, seen.hostUrl, plain);
  if (fresh && seen.credentialFingerprint === fingerprint) return "current";
  const next = keyFresh ? seen.apiKeyEnc : encryptApiKey(ring, seen.id, plain);
  if (decryptApiKey(ring, seen.id, next) !== plain) return "failed";
  try {
    const written = await replaceApiKeyIfUnchanged(seen, {
      apiKeyEnc: next,
      credentialFingerprint: fingerprint,
      apiSecretEnc: direct.apiSecretEnc,
      pinEnc: direct.pinEnc,
      totpSecretEnc: direct.totpSecretEnc,
      sessionEnc: direct.sessionEnc,
    });
    return written ? (fresh ? "current" : "rotated") : "changed";
  } catch (e) {
    // Two rows already held the same host + key before fingerprints existed: leave this one for the owner to resolve.
    if (isUniqueViolation(e)) return "duplicate";
    throw e;
  }
}

/** Re-encrypts every account's API key (and a direct account's app secret, PIN, TOTP seed and session) under the ring's current version (see scripts/keys-rotate.ts). */
export async function rotateCredentials(
  ring: KeyRing,
): Promise<{ rotated: number; alreadyCurrent: number; failed: string[]; duplicates: string[] }> {
  const report = { rotated: 0, alreadyCurrent: 0, failed: [] as string[], duplicates: [] as string[] };
  for (const row of await allAccountSecrets()) {
    const outcome = await rotateRow(ring, row);
    if (outcome === "rotated") report.rotated += 1;
    else if (outcome === "current") report.alreadyCurrent += 1;
    else if (outcome === "failed") report.failed.push(row.id);
    else if (outcome === "duplicate") report.duplicates.push(row.id);
  }
  return report;
}
