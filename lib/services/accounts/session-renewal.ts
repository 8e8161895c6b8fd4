/**
 * Renews direct-broker sessions without the trader, where the broker allows it (docs/direct-brokers.md "Automatic
 * renewal"): a scheduled job asks for every active account whose session ends within RENEW_AHEAD_MS (or has ended,
 * as every session has at the start of the trading day) and whose kind can renew with what is stored (Fyers: refresh
 * token and PIN; Angel One: PIN and TOTP seed, by a fresh password login). A renewed
 * session is stored encrypted like a login's; a refusal is recorded as the account's renewal error (readiness shows it
 * with the login link) and not retried until a login or a credential edit, so a wrong PIN or seed is sent once.
 */
import { env } from "@/lib/env";
import { insertAudit } from "@/lib/db/queries/audit";
import { listRenewableSessions, recordRenewalError, storeSession } from "@/lib/db/queries/accounts";
import type { BrokerSessionTokens, LoginApp, LoginDeps } from "@/lib/brokers/login";
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

type Due = Awaited<ReturnType<typeof listRenewableSessions>>[number];
type Secrets = ReturnType<typeof readDirectSecrets>;

/** How one kind renews: whether what is stored suffices, and the renewal itself (undefined: not worth sending now). */
interface Renewer {
  ready(secrets: Secrets, account: Due): boolean;
  renew(app: LoginApp, secrets: Secrets, deps: LoginDeps, now: Date): Promise<BrokerSessionTokens | undefined>;
}

/**
 * The kinds whose sessions renew. Fyers' refresh token lives about 15 days and renews with the trader's PIN, also
 * after the day's access token ended. Angel One's refresh token ends with its session at midnight IST, so an Angel
 * session is renewed by the password login (client code, PIN, TOTP from the stored seed), and only once the new
 * session would outlast the stored one, i.e. after midnight IST: a login before then would end at the same midnight
 * (docs/brokers/angel.md "Password login"). The Angel connector loads on first use (docs/adding-a-broker.md).
 */
const RENEWERS: Partial<Record<AccountKind, Renewer>> = {
  FYERS: {
    ready: (s) => Boolean(s.session?.refreshToken && s.pin),
    async renew(app, s, deps) {
      const refresh = brokerOf({ kind: "FYERS" }).login?.refresh;
      return refresh ? refresh({ ...app, pin: s.pin }, s.session!.refreshToken!, deps) : undefined;
    },
  },
  ANGEL: {
    ready: (s, account) => Boolean(s.pin && s.totpSecret && account.clientId),
    async renew(app, s, deps, now) {
      const { angelPasswordLogin, angelSessionExpiry } = await import("@/lib/brokers/angel/login");
      const stored = s.session?.expiresAt.getTime() ?? 0;
      if (angelSessionExpiry(now.getTime()).getTime() <= stored) return undefined;
      return angelPasswordLogin({ ...app, pin: s.pin, totpSecret: s.totpSecret }, deps);
    },
  },
};

export interface RenewalSummary {
  renewed: number;
  refused: number;
  /**
   * Not renewable now (the PIN, seed or refresh token not stored, or an Angel session before midnight IST) or the
   * broker could not be reached: tried next round.
   */
  skipped: number;
}

/** Renews every due session, one account at a time (a handful of accounts per owner; each is one or two broker calls). */
export async function renewBrokerSessions(now: Date = new Date()): Promise<RenewalSummary> {
  const kinds = (Object.keys(RENEWERS) as AccountKind[]).filter((k) => brokerOf({ kind: k }).login?.refresh);
  const summary: RenewalSummary = { renewed: 0, refused: 0, skipped: 0 };
  if (kinds.length === 0) return summary;
  for (const account of await listRenewableSessions(kinds, new Date(now.getTime() + RENEW_AHEAD_MS)))
    summary[await renewOne(account, now)] += 1;
  return summary;
}

async function renewOne(account: Due, now: Date): Promise<"renewed" | "refused" | "skipped"> {
  const renewer = RENEWERS[account.kind];
  let secrets: Secrets;
  try {
    secrets = readDirectSecrets(env().CREDENTIAL_KEYS, account);
  } catch (err) {
    log().warn({ err, accountId: account.id }, "session renewal: stored secrets unreadable");
    return "skipped";
  }
  if (!renewer || !renewer.ready(secrets, account)) return "skipped";
  let session;
  try {
    session = await renewer.renew(appOf(account), secrets, await loginDeps(account.hostUrl), now);
    if (!session) return "skipped";
    if (session.expiresAt.getTime() <= now.getTime())
      throw new BrokerAuthError(
        `the renewed session is already past its stated expiry (${session.expiresAt.toISOString()})`,
      );
  } catch (e) {
    // The broker refused (a wrong PIN or TOTP seed, a revoked refresh token) or nothing could be sent: recorded, not
    // retried.
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
