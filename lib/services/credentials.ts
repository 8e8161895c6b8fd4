import { db } from "@/lib/db/client";
import { allAccountSecrets } from "@/lib/db/queries/accounts";
import { CredentialKeyError, decryptSecret, encryptSecret, keyVersionOf, type KeyRing } from "@/lib/crypto/credentials";
import { CredentialUnreadableError } from "@/lib/errors";

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

/** Re-encrypts every account's API key under the ring's current version (see scripts/keys-rotate.ts). */
export async function rotateCredentials(ring: KeyRing): Promise<{ rotated: number; alreadyCurrent: number; failed: string[] }> {
  let rotated = 0;
  let alreadyCurrent = 0;
  const failed: string[] = [];
  for (const row of await allAccountSecrets()) {
    if (keyVersionOf(row.apiKeyEnc) === ring.current) {
      alreadyCurrent += 1;
      continue;
    }
    try {
      const plain = decryptApiKey(ring, row.id, row.apiKeyEnc);
      const next = encryptApiKey(ring, row.id, plain);
      if (decryptApiKey(ring, row.id, next) !== plain) throw new CredentialKeyError("verification failed");
      // Compare-and-set: only replace the exact value we read, so a concurrent edit is never overwritten.
      const { count } = await db().tradingAccount.updateMany({ where: { id: row.id, apiKeyEnc: row.apiKeyEnc }, data: { apiKeyEnc: next } });
      if (count === 1) rotated += 1;
    } catch (e) {
      if (!(e instanceof CredentialKeyError)) throw e;
      failed.push(row.id);
    }
  }
  return { rotated, alreadyCurrent, failed };
}
