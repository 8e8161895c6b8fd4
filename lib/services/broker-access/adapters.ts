/**
 * The adapter of an account, built from its stored (encrypted) credentials and cached per account, so its keep-alive
 * pools are reused.
 */
import { env } from "@/lib/env";
import { BrokerUnavailableError } from "@/lib/errors";
import { createAdapter } from "@/lib/brokers/registry";
import { literalAllowed, publicOnlyLookup } from "@/lib/brokers/host-policy";
import { kindOfStored } from "@/lib/brokers/kinds";
import type { BrokerAdapter } from "@/lib/brokers/types";
import { readApiKey } from "./credentials";
import { readDirectSecrets, type StoredDirectSecrets } from "./session";

/**
 * Adapters per account, reused so their keep-alive pools are too. An entry is rebuilt when the account's host, an
 * encrypted credential or the broker session (a new login) changes. The decrypted secrets live only inside the adapter.
 */
const cache = new Map<string, { fingerprint: string; adapter: BrokerAdapter }>();

export interface AccountConnection extends StoredDirectSecrets {
  id: string;
  name: string;
  kind: string;
  hostUrl: string;
  wsUrl: string;
  apiKeyEnc: string;
  clientId?: string | null;
  /** This account's broker-call budget per second (orders / everything else), shared across processes. */
  orderRatePerSec: number;
  otherRatePerSec: number;
}

export function adapterFor(account: AccountConnection): BrokerAdapter {
  const fingerprint = [
    account.hostUrl,
    account.wsUrl,
    account.apiKeyEnc,
    account.apiSecretEnc,
    account.clientId,
    account.sessionEnc,
    account.sessionExpiresAt?.getTime(),
    account.orderRatePerSec,
    account.otherRatePerSec,
  ].join("|");
  const hit = cache.get(account.id);
  if (hit?.fingerprint === fingerprint) return hit.adapter;
  void hit?.adapter.close();
  const allowPrivate = env().BROKER_ALLOW_PRIVATE_HOSTS;
  if (!allowPrivate && !(literalAllowed(account.hostUrl) && (!account.wsUrl || literalAllowed(account.wsUrl)))) {
    throw new BrokerUnavailableError(
      `${account.name} points at a non-public address, which this server does not allow (BROKER_ALLOW_PRIVATE_HOSTS=false)`,
      "unreachable",
    );
  }
  const apiKey = readApiKey(env().CREDENTIAL_KEYS, account);
  const { apiSecret, session } = readDirectSecrets(env().CREDENTIAL_KEYS, account);
  const adapter = createAdapter(
    kindOfStored(account.kind),
    {
      accountId: account.id,
      hostUrl: account.hostUrl,
      ...(account.wsUrl ? { wsUrl: account.wsUrl } : {}),
      apiKey,
      ...(apiSecret === undefined ? {} : { apiSecret }),
      ...(account.clientId ? { clientId: account.clientId } : {}),
      ...(session === undefined ? {} : { session }),
    },
    {
      limits: { ordersPerSecond: account.orderRatePerSec, otherPerSecond: account.otherRatePerSec },
      // Name lookups go through the host policy too, so a name re-pointed at an internal address later is not reached.
      ...(allowPrivate ? {} : { lookup: publicOnlyLookup }),
    },
  );
  cache.set(account.id, { fingerprint, adapter });
  return adapter;
}

export function forgetAdapter(accountId: string): void {
  void cache.get(accountId)?.adapter.close();
  cache.delete(accountId);
}
