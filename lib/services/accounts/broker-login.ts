/**
 * Logging a direct-broker account in (docs/direct-brokers.md "Login"). `startBrokerLogin` answers the URL of the
 * broker's login page, with a one-time state that names the account and the user who asked; the broker sends the
 * trader's browser back to `/api/brokers/<kind>/callback` (with the state in the broker's own parameter, or in a
 * short-lived cookie of the same browser where the broker has none), where `finishBrokerLogin` checks it (same user,
 * same account, not used before, not older than 10 minutes), exchanges the callback for the day's session, stores it
 * encrypted with its expiry, and tries it once. Tokens never leave the server: not in responses, logs or the audit.
 */
import { randomBytes } from "node:crypto";
import { env } from "@/lib/env";
import { insertAudit } from "@/lib/db/queries/audit";
import { findAccountSecret, storeSession } from "@/lib/db/queries/accounts";
import { authorize } from "@/lib/auth/authorize";
import { scopeOf, type Actor } from "@/lib/auth/roles";
import { checkHost } from "@/lib/brokers/host-policy";
import { kindOfStored, STORED_KIND } from "@/lib/brokers/kinds";
import type { BrokerLogin, LoginApp, LoginDeps } from "@/lib/brokers/login";
import { AppError, BrokerAuthError, ConflictError, NotFoundError, ValidationError } from "@/lib/errors";
import { redis } from "@/lib/redis";
import { encryptSession, forgetAdapter, readApiKey, readDirectSecrets } from "@/lib/services/broker-access";
import { brokerOf } from "./account-schemas";
import { invalidateBooks } from "./books";
import { recheckAccount } from "./health";

/** What an account that was never logged in shows as its last error. */
export const NOT_LOGGED_IN = "Not logged in to the broker yet: use “Log in” on the account";

export const LOGIN_STATE_TTL_SECONDS = 600;
/** The cookie carrying a login's state to the callback, for brokers that cannot echo it. */
export const LOGIN_STATE_COOKIE = "md_broker_login";
const stateKey = (state: string) => `md:broker-login:${state}`;

interface PendingLogin {
  accountId: string;
  userId: string;
}

/** The broker's callback address for a kind: the one to register with the broker app. */
export function callbackUrl(stored: string): string {
  return `${env().APP_URL.replace(/\/+$/, "")}/api/brokers/${stored.toLowerCase()}/callback`;
}

function loginOf(account: { kind: string }): BrokerLogin {
  const login = brokerOf(account).login;
  if (!login) throw new ValidationError("This account's broker has no login: its API key is all it needs");
  return login;
}

/** The decrypted app credentials of an account (server-side only). */
export function appOf(
  account: Parameters<typeof readApiKey>[1] &
    Parameters<typeof readDirectSecrets>[1] & {
      hostUrl: string;
      clientId: string | null;
    },
): LoginApp {
  const ring = env().CREDENTIAL_KEYS;
  const { apiSecret } = readDirectSecrets(ring, account);
  if (!apiSecret)
    throw new ValidationError("Enter the app's API secret on the account first", { apiSecret: ["Required"] });
  return {
    hostUrl: account.hostUrl,
    apiKey: readApiKey(ring, account),
    apiSecret,
    ...(account.clientId ? { clientId: account.clientId } : {}),
  };
}

/** Calls to the broker's login API go through the operator's host policy, like every other broker call. */
export async function loginDeps(hostUrl: string): Promise<LoginDeps> {
  const host = await checkHost(hostUrl, env().BROKER_ALLOW_PRIVATE_HOSTS);
  if (!host.ok)
    throw new ValidationError(`${new URL(hostUrl).host} is not a host this server may call`, {
      hostUrl: [host.problem],
    });
  return { lookup: host.lookup };
}

/** Starts a login: the URL to send the trader's browser to. Only the account's owner may log it in. */
export async function startBrokerLogin(
  actor: Actor,
  accountId: string,
  ip: string,
): Promise<{ url: string; state: string }> {
  authorize(actor, "account.brokerLogin");
  const account = await findAccountSecret({ ownerId: null }, accountId);
  if (!account) throw new NotFoundError("Account");
  authorize(actor, "account.brokerLogin", { ownerId: account.ownerId, what: "Account" });
  const login = loginOf(account);
  const app = appOf(account);
  const state = randomBytes(24).toString("base64url");
  const pending: PendingLogin = { accountId, userId: actor.id };
  await redis().set(stateKey(state), JSON.stringify(pending), "EX", LOGIN_STATE_TTL_SECONDS);
  const url = await login.start(
    app,
    { redirectUrl: callbackUrl(account.kind), state },
    await loginDeps(account.hostUrl),
  );
  await insertAudit({
    actorId: actor.id,
    action: "account.broker_login_start",
    entity: "account",
    entityId: accountId,
    ip,
  });
  return { url, state };
}

/**
 * Finishes a login from the broker's callback (the trader's browser, signed in as the user who started it). Returns
 * the account id. A state that is unknown, used, expired, another user's or another kind's is refused before anything
 * is sent to the broker.
 */
export async function finishBrokerLogin(
  actor: Actor,
  stored: string,
  query: URLSearchParams,
  ip: string,
  /** The state the login's start left in this browser's cookie (for brokers that cannot echo one). */
  cookieState?: string,
): Promise<{ accountId: string }> {
  const kind = Object.values(STORED_KIND).find((s) => s.toLowerCase() === stored.toLowerCase());
  if (!kind) throw new NotFoundError("Broker");
  const login = loginOf({ kind });
  const reading = await login.readCallback(query);
  const state = reading.state ?? cookieState;
  const raw = state ? await redis().getdel(stateKey(state)) : null;
  const pending = raw ? (JSON.parse(raw) as PendingLogin) : null;
  if (!pending || pending.userId !== actor.id)
    throw new ConflictError("This broker login link has expired or was already used: start the login again");
  const account = await findAccountSecret(scopeOf(actor), pending.accountId);
  if (!account || kindOfStored(account.kind) !== kindOfStored(kind)) throw new NotFoundError("Account");
  authorize(actor, "account.brokerLogin", { ownerId: account.ownerId, what: "Account" });
  if (!reading.ok) {
    await insertAudit({
      actorId: actor.id,
      action: "account.broker_login_failed",
      entity: "account",
      entityId: account.id,
      details: { reason: "refused at the broker" },
      ip,
    });
    throw new ValidationError(`The broker did not log you in: ${reading.error.slice(0, 200)}`);
  }
  let session;
  try {
    session = await login.exchange(appOf(account), query, callbackUrl(account.kind), await loginDeps(account.hostUrl));
    // The expiry is the broker's statement, on the broker's clock; one already past on ours would store a session
    // every call refuses at once while the page said "logged in" (docs/direct-brokers.md "Daily expiry").
    if (session.expiresAt.getTime() <= Date.now())
      throw new BrokerAuthError(
        `The broker's new session is already past its stated expiry (${session.expiresAt.toISOString()}): check this server's clock, then log in again`,
      );
  } catch (e) {
    await insertAudit({
      actorId: actor.id,
      action: "account.broker_login_failed",
      entity: "account",
      entityId: account.id,
      details: { reason: e instanceof AppError ? e.code : "error" },
      ip,
    });
    throw e;
  }
  const sessionEnc = encryptSession(env().CREDENTIAL_KEYS, account.id, session);
  const written = await storeSession(account, { sessionEnc, sessionExpiresAt: session.expiresAt });
  if (!written) throw new ConflictError("The account's credentials changed during the login: log in again");
  forgetAdapter(account.id);
  await invalidateBooks([account.id]);
  // Tried once now, so the account turns connected (or says why not) without waiting for the next health round.
  await recheckAccount(account.id, new Date());
  await insertAudit({
    actorId: actor.id,
    action: "account.broker_login",
    entity: "account",
    entityId: account.id,
    details: { expiresAt: session.expiresAt.toISOString() },
    ip,
  });
  return { accountId: account.id };
}
