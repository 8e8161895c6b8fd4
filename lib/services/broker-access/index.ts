/**
 * Broker access: the adapter for an account, built from its stored (encrypted) credentials and cached per account.
 * Nearly every subsystem talks to brokers through here, so it is its own small subsystem below accounts rather than
 * part of accounts' surface (accounts, market-data and the trading subsystems all depend on it; it depends on none).
 */
import { findAccountSecret, type Scope } from "@/lib/db/queries/accounts";
import { NotFoundError } from "@/lib/errors";
import { adapterFor } from "./adapters";

export { adapterFor, forgetAdapter, type AccountConnection } from "./adapters";
// Order-update subscriptions per account, for fill tracking and the copy engine's masters.
export { orderStreamSet, ORDER_STREAM_RETRY_MS, type OrderStreamSet } from "./order-streams";

// The stored credentials an adapter is built from (encryption, fingerprints, key rotation) live beside it.
export {
  assertStorable,
  credentialFingerprint,
  credentialFingerprints,
  credentialIdentity,
  decryptApiKey,
  ENCRYPTED_CREDENTIALS,
  encryptApiKey,
  PLAIN_CREDENTIALS,
  readApiKey,
  rotateCredentials,
  rotateRow,
  type RotateOutcome,
} from "./credentials";
export {
  encryptApiSecret,
  encryptPin,
  encryptSession,
  encryptTotpSecret,
  readDirectSecrets,
  type StoredDirectSecrets,
} from "./session";

/** The adapter of one account in the actor's scope (404 outside it). */
export async function adapterForScoped(scope: Scope, accountId: string) {
  const account = await findAccountSecret(scope, accountId);
  if (!account) throw new NotFoundError("Account");
  return { account, adapter: adapterFor(account) };
}
