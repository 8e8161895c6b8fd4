/**
 * Renews direct-broker sessions without the trader, where the broker allows it (docs/direct-brokers.md "Automatic
 * renewal"): a scheduled job asks for every active account whose session ends within RENEW_AHEAD_MS (or has ended,
 * as every session has at the start of the trading day) and whose kind can renew with what is stored. A renewed
 * session is stored encrypted like a login's; a refusal is recorded as the account's renewal error (readiness shows it
 * with the login link) and not retried until a login or a credential edit, so a wrong PIN is sent once.
 */
import { env } from "@/lib/env";
import { insertAudit } from "@/lib/db/queries/audit";
import { listRenewableSessions, recordRenewalError, storeSession } from "@/lib/db/queries/accounts";
import type { AccountKind } from "@/lib/generated/prisma/enums";
import { AppError, BrokerAuthError, ValidationError } from "@/lib/errors";
import { log } from "@/lib/log";
import { encryptSession, forgetAdapter, readDirectSecrets } from "@/lib/services/broker-access";
import { brokerOf } from "./account-schemas";
import { appOf, loginDeps } from "./broker-login";
import { invalidateBooks } from "./books";
import { recheckAccount } from "./health";

/** How long before its expiry a session is renewed. */
export const RENEW_AHEAD_MS = 30 * 60_000;

/**
 * The kinds whose sessions renew, and what a renewal needs besides the stored refresh token. Fyers' refresh token
 * lives about 15 days and renews with the trader's PIN, also after the day's access token ended. Angel One's refresh
 * token ends with its session at midnight IST, so renewing it cannot carry a session into the next day: it is left to
 * the morning login (docs/brokers/angel.md).
 */
const RENEWABLE: Partial<Record<AccountKind, { needsPin: boolean }>> = { FYERS: { needsPin: true } };

export interface RenewalSummary {
  renewed: number;
  refused: number;
  /** Not renewable now (no refresh token or PIN stored) or the broker could not be reached: tried next round. */
  skipped: number;
}

type Due = Awaited<ReturnType<typeof listRenewableSessions>>[number];

/** Renews every due session, one account at a time (a handful of accounts per owner; each is two broker calls). */
export async function renewBrokerSessions(now: Date = new Date()): Promise<RenewalSummary> {
  const kinds = (Object.keys(RENEWABLE) as AccountKind[]).filter((k) => brokerOf({ kind: k }).login?.refresh);
  const summary: RenewalSummary = { renewed: 0, refused: 0, skipped: 0 };
  if (kinds.length === 0) return summary;
  for (const account of await listRenewableSessions(kinds, new Date(now.getTime() + RENEW_AHEAD_MS)))
    summary[await renewOne(account, now)] += 1;
  return summary;
}

async function renewOne(account: Due, now: Date): Promise<"renewed" | "refused" | "skipped"> {
  const refresh = brokerOf(account).login?.refresh;
  const needs = RENEWABLE[account.kind];
  let secrets: ReturnType<typeof readDirectSecrets>;
  try {
    secrets = readDirectSecrets(env().CREDENTIAL_KEYS, account);
  } catch (err) {
    log().warn({ err, accountId: account.id }, "session renewal: stored secrets unreadable");
    return "skipped";
  }
  const refreshToken = secrets.session?.refreshToken;
  if (!refresh || !needs || !refreshToken || (needs.needsPin && !secrets.pin)) return "skipped";
  let session;
  try {
    const app = { ...appOf(account), ...(secrets.pin ? { pin: secrets.pin } : {}) };
    session = await refresh(app, refreshToken, await loginDeps(account.hostUrl));
    if (session.expiresAt.getTime() <= now.getTime())
      throw new BrokerAuthError(
        `the renewed session is already past its stated expiry (${session.expiresAt.toISOString()})`,
      );
  } catch (e) {
    // The broker refused (a wrong PIN, a revoked refresh token) or nothing could be sent: recorded, not retried.
    if (e instanceof BrokerAuthError || e instanceof ValidationError) {
      await recordRenewalError(account, e.message);
      await auditRenewal(account.id, "account.session_renewal_failed", { reason: e.code });
      await recheckAccount(account.id, now);
      return "refused";
    }
    // Unreachable, rate-limited or a server error: the next round tries again.
    log().warn({ err: e instanceof AppError ? e.message : e, accountId: account.id }, "session renewal failed");
    return "skipped";
  }
  const sessionEnc = encryptSession(env().CREDENTIAL_KEYS, account.id, session);
  if (!(await storeSession(account, { sessionEnc, sessionExpiresAt: session.expiresAt }))) return "skipped";
  forgetAdapter(account.id);
  await invalidateBooks([account.id]);
  await recheckAccount(account.id, now);
  await auditRenewal(account.id, "account.session_renewed", { expiresAt: session.expiresAt.toISOString() });
  return "renewed";
}

function auditRenewal(accountId: string, action: string, details: Record<string, string>) {
  return insertAudit({ actorId: null, action, entity: "account", entityId: accountId, details, ip: null });
}
