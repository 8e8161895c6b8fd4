/**
 * Logging a direct-broker account in (docs/direct-brokers.md "Login"): the trader's browser is sent to the broker's
 * login page, the broker redirects back to MirrorDesk's callback with a one-time code (or, for some brokers, the
 * tokens themselves), and the code is exchanged for the day's access token. Every direct kind registers one
 * `BrokerLogin`; the accounts service owns the state (CSRF), the redirect URL and the encrypted storage of the tokens.
 */
import type { LookupFunction } from "node:net";
import { BrokerAuthError } from "@/lib/errors";

/** The app credentials a login needs (decrypted; never logged). `hostUrl` is the broker's API root. */
export interface LoginApp {
  hostUrl: string;
  apiKey: string;
  apiSecret: string;
  clientId?: string;
  /** The trader's PIN, where the broker's token renewal or password login asks for it (Fyers, Angel One). */
  pin?: string;
  /** The trader's TOTP seed (base32), where the broker's password login asks for a TOTP (Angel One). */
  totpSecret?: string;
}

/** What a login yields: the session every API call of the day carries. */
export interface BrokerSessionTokens {
  accessToken: string;
  /** Where the broker issues one (Fyers, Angel): renews the session without the trader. */
  refreshToken?: string;
  /** When the broker stops honouring the token; nothing is sent with it at or after this instant. */
  expiresAt: Date;
  /** The broker's id of the user the token belongs to, when it says. */
  brokerUserId?: string;
}

export interface LoginDeps {
  /** The operator's host policy resolver (lib/brokers/host-policy.ts). */
  lookup?: LookupFunction;
  timeouts?: { connectMs?: number; responseMs?: number };
  /** Clock for expiry arithmetic (default Date.now); tests pass the simulator's. */
  now?: () => number;
}

/**
 * What a callback says. `state` is absent for a broker that cannot carry one back (Dhan): the state then comes from
 * the cookie the login's start set in the same browser (docs/direct-brokers.md "Login").
 */
export type CallbackReading = { ok: true; state?: string } | { ok: false; state?: string; error: string };

export interface BrokerLogin {
  /**
   * The URL the trader's browser goes to. `state` is opaque and must come back on the callback (in the broker's own
   * `state` parameter, or inside the redirect URL where the broker has no such parameter). May call the broker first
   * (Dhan's consent step).
   */
  start(app: LoginApp, params: { redirectUrl: string; state: string }, deps?: LoginDeps): Promise<string>;
  /** Reads the callback's query: the state, or the broker's own error text when the trader did not log in. */
  readCallback(query: URLSearchParams): CallbackReading | Promise<CallbackReading>;
  /** Turns the callback's query (code, request token, or the tokens themselves) into the day's session. */
  exchange(app: LoginApp, query: URLSearchParams, redirectUrl: string, deps?: LoginDeps): Promise<BrokerSessionTokens>;
  /** Renews a session without the trader, where the broker allows it. */
  refresh?(app: LoginApp, refreshToken: string, deps?: LoginDeps): Promise<BrokerSessionTokens>;
}

/** Thrown by an adapter asked to call the broker with no session or an expired one: nothing was sent. */
export class LoginRequiredError extends BrokerAuthError {
  constructor(readonly reason: "no_session" | "expired") {
    super(
      reason === "expired"
        ? "The broker session has expired: log in to the broker again from the account page"
        : "Not logged in to the broker: log in from the account page",
    );
  }
}

/** The access token to send, or a LoginRequiredError when there is none or it has expired at `now`. */
export function requireSession(session: BrokerSessionTokens | undefined, now = Date.now()): string {
  if (!session) throw new LoginRequiredError("no_session");
  if (session.expiresAt.getTime() <= now) throw new LoginRequiredError("expired");
  return session.accessToken;
}
