/**
 * A direct-broker account's other secrets (docs/direct-brokers.md "What is stored"): the broker app's secret, the
 * trader's PIN and TOTP seed where a session renewal needs them, and the day's session from the broker login (access
 * token, refresh token, the broker's user id), each AES-GCM encrypted and bound to its row and column, so a ciphertext
 * copied to another row or column does not decrypt.
 */
import { CredentialKeyError, decryptSecret, encryptSecret, keyVersionOf, type KeyRing } from "@/lib/crypto/credentials";
import type { BrokerSessionTokens } from "@/lib/brokers/login";
import { CredentialUnreadableError } from "@/lib/errors";

const secretAad = (accountId: string) => `account:${accountId}:apiSecret`;
const sessionAad = (accountId: string) => `account:${accountId}:session`;
const pinAad = (accountId: string) => `account:${accountId}:pin`;
const totpAad = (accountId: string) => `account:${accountId}:totpSecret`;

export function encryptApiSecret(ring: KeyRing, accountId: string, secret: string): string {
  return encryptSecret(ring, secret, secretAad(accountId));
}

export function decryptApiSecret(ring: KeyRing, accountId: string, blob: string): string {
  return decryptSecret(ring, blob, secretAad(accountId));
}

export function encryptPin(ring: KeyRing, accountId: string, pin: string): string {
  return encryptSecret(ring, pin, pinAad(accountId));
}

export function encryptTotpSecret(ring: KeyRing, accountId: string, seed: string): string {
  return encryptSecret(ring, seed, totpAad(accountId));
}

/** The stored session as one blob: the tokens and the broker's user id; the expiry is a plain column beside it. */
export function encryptSession(ring: KeyRing, accountId: string, tokens: BrokerSessionTokens): string {
  const { accessToken, refreshToken, brokerUserId } = tokens;
  return encryptSecret(ring, JSON.stringify({ accessToken, refreshToken, brokerUserId }), sessionAad(accountId));
}

export function decryptSession(ring: KeyRing, accountId: string, blob: string, expiresAt: Date): BrokerSessionTokens {
  const { accessToken, refreshToken, brokerUserId } = JSON.parse(decryptSecret(ring, blob, sessionAad(accountId))) as {
    accessToken: string;
    refreshToken?: string;
    brokerUserId?: string;
  };
  return { accessToken, refreshToken, brokerUserId, expiresAt };
}

/** The columns a direct account's extra secrets live in (null on OpenAlgo accounts and before the first login). */
export interface StoredDirectSecrets {
  id: string;
  name: string;
  apiSecretEnc?: string | null;
  pinEnc?: string | null;
  totpSecretEnc?: string | null;
  sessionEnc?: string | null;
  sessionExpiresAt?: Date | null;
}

/**
 * The app secret, PIN, TOTP seed and session of an account for use. An unreadable ciphertext (its key version retired) is a
 * CredentialUnreadableError naming the account, like an unreadable API key.
 */
export function readDirectSecrets(
  ring: KeyRing,
  account: StoredDirectSecrets,
): { apiSecret?: string; pin?: string; totpSecret?: string; session?: BrokerSessionTokens } {
  try {
    return {
      apiSecret: account.apiSecretEnc ? decryptApiSecret(ring, account.id, account.apiSecretEnc) : undefined,
      pin: account.pinEnc ? decryptSecret(ring, account.pinEnc, pinAad(account.id)) : undefined,
      totpSecret: account.totpSecretEnc ? decryptSecret(ring, account.totpSecretEnc, totpAad(account.id)) : undefined,
      session:
        account.sessionEnc && account.sessionExpiresAt
          ? decryptSession(ring, account.id, account.sessionEnc, account.sessionExpiresAt)
          : undefined,
    };
  } catch (e) {
    if (e instanceof CredentialKeyError) throw new CredentialUnreadableError(account.name);
    throw e;
  }
}

/** The encrypted columns of a direct account besides its API key. */
export interface DirectSecretColumns {
  apiSecretEnc?: string | null;
  pinEnc?: string | null;
  totpSecretEnc?: string | null;
  sessionEnc?: string | null;
}

/**
 * A direct account's app secret, PIN, TOTP seed and session re-encrypted under the ring's current version (key
 * rotation); absent or null values stay as they are. `stale` when any was under an older version. Throws
 * CredentialKeyError when one cannot be read with the ring.
 */
export function reencryptDirectSecrets(
  ring: KeyRing,
  accountId: string,
  stored: DirectSecretColumns,
): DirectSecretColumns & { stale: boolean } {
  let stale = false;
  const again = (blob: string | null | undefined, aad: string) => {
    if (!blob || keyVersionOf(blob) === ring.current) return blob;
    stale = true;
    return encryptSecret(ring, decryptSecret(ring, blob, aad), aad);
  };
  const apiSecretEnc = again(stored.apiSecretEnc, secretAad(accountId));
  const pinEnc = again(stored.pinEnc, pinAad(accountId));
  const totpSecretEnc = again(stored.totpSecretEnc, totpAad(accountId));
  const sessionEnc = again(stored.sessionEnc, sessionAad(accountId));
  return { apiSecretEnc, pinEnc, totpSecretEnc, sessionEnc, stale };
}
