/**
 * Angel One's publisher login (docs/brokers/angel.md "Login"): the trader's browser goes to the publisher-login page
 * with the app's API key and our `state`; Angel redirects to the redirect URL registered on the app with the session
 * itself (`auth_token`, `refresh_token`, `feed_token`) and `state`. There is no code to exchange, so `exchange` checks
 * the tokens with a profile call under this app's API key before accepting them. `refresh` uses generateTokens. The
 * refresh and feed tokens are kept together in the session's `refreshToken` (./session-tokens.ts). `angelPasswordLogin`
 * starts a new day's session without the trader, from the client code, PIN and TOTP seed ("Password login").
 */
import { normaliseTotpSeed, totpAt } from "@/lib/crypto/totp";
import { BrokerAuthError, BrokerRejectedError, BrokerUnavailableError, ValidationError } from "@/lib/errors";
import type { BrokerLogin, BrokerSessionTokens, LoginApp, LoginDeps } from "@/lib/brokers/login";
import { addDays, istDateOf, istInstant } from "@/lib/trading/calendar";
import { AngelHttp } from "./http";
import { packSideTokens, unpackSideTokens } from "./session-tokens";
import { classify, errorOf, loginUrl, PATHS } from "./wire";

/** Angel ends every session at midnight IST of the day it was made. */
export function angelSessionExpiry(now: number): Date {
  return new Date(istInstant(addDays(istDateOf(now), 1), "00:00"));
}

function httpOf(app: LoginApp, deps: LoginDeps = {}): AngelHttp {
  return new AngelHttp(app.hostUrl, {
    connectTimeoutMs: deps.timeouts?.connectMs,
    responseTimeoutMs: deps.timeouts?.responseMs,
    lookup: deps.lookup,
    pooled: false,
  });
}

async function call(
  app: LoginApp,
  deps: LoginDeps | undefined,
  method: "GET" | "POST",
  path: string,
  token?: string,
  body?: unknown,
) {
  const http = httpOf(app, deps);
  try {
    const out = await http.call(method, path, { apiKey: app.apiKey, token, body });
    if (out.kind === "failure")
      throw new BrokerUnavailableError(out.message, out.code === "timeout" ? "timeout" : "unreachable");
    const c = classify(out);
    if (c.kind !== "ok") throw errorOf(c);
    return c.data;
  } finally {
    await http.close();
  }
}

export const angelLogin: BrokerLogin = {
  async start(app, { state }) {
    const url = new URL(loginUrl(app.hostUrl));
    url.searchParams.set("api_key", app.apiKey);
    url.searchParams.set("state", state);
    return url.toString();
  },

  readCallback(query) {
    const state = query.get("state") ?? undefined;
    if (!state) return { ok: false, error: "Angel One sent no state back" };
    if (!query.get("auth_token")) return { ok: false, state, error: "Angel One sent no session (login cancelled?)" };
    return { ok: true, state };
  },

  async exchange(app, query, _redirectUrl, deps): Promise<BrokerSessionTokens> {
    const accessToken = query.get("auth_token") ?? "";
    const refreshToken = packSideTokens({
      refreshToken: query.get("refresh_token") ?? undefined,
      feedToken: query.get("feed_token") ?? undefined,
    });
    if (!accessToken) throw new BrokerAuthError("Angel One's callback carried no session");
    const profile = (await call(app, deps, "GET", PATHS.profile, accessToken)) as { clientcode?: unknown } | null;
    const clientcode = typeof profile?.clientcode === "string" ? profile.clientcode : undefined;
    if (app.clientId && clientcode && clientcode.toUpperCase() !== app.clientId.toUpperCase())
      throw new BrokerAuthError(`Logged in to Angel One as ${clientcode}, but this account is ${app.clientId}`);
    const now = (deps?.now ?? Date.now)();
    return { accessToken, refreshToken, expiresAt: angelSessionExpiry(now), brokerUserId: clientcode };
  },

  async refresh(app, stored, deps): Promise<BrokerSessionTokens> {
    const old = unpackSideTokens(stored);
    if (!old.refreshToken) throw new BrokerAuthError("No Angel One refresh token is stored: log in again");
    const data = (await call(app, deps, "POST", PATHS.generateTokens, undefined, {
      refreshToken: old.refreshToken,
    })) as {
      jwtToken?: unknown;
      refreshToken?: unknown;
      feedToken?: unknown;
    } | null;
    if (typeof data?.jwtToken !== "string" || data.jwtToken === "")
      throw new BrokerUnavailableError("Angel One's token renewal carried no token", "bad_response");
    const now = (deps?.now ?? Date.now)();
    return {
      accessToken: data.jwtToken,
      refreshToken: packSideTokens({
        refreshToken: typeof data.refreshToken === "string" && data.refreshToken ? data.refreshToken : old.refreshToken,
        feedToken: typeof data.feedToken === "string" && data.feedToken ? data.feedToken : old.feedToken,
      }),
      expiresAt: angelSessionExpiry(now),
    };
  },
};

const sessionData = (data: unknown) =>
  (data ?? {}) as { jwtToken?: unknown; refreshToken?: unknown; feedToken?: unknown };
const tokenText = (v: unknown) => (typeof v === "string" ? v.replace(/^Bearer\s+/i, "") : "");

/**
 * The day's session from SmartAPI's password login (docs/brokers/angel.md "Password login"): the account's client
 * code, the trader's PIN and a TOTP made from the stored seed at `deps.now` (default the wall clock). Angel refusing
 * the client code, PIN or TOTP is a BrokerAuthError (the credentials must change before another try); what is missing
 * or malformed here is a ValidationError naming the field; nothing is sent then.
 */
export async function angelPasswordLogin(app: LoginApp, deps?: LoginDeps): Promise<BrokerSessionTokens> {
  const clientcode = app.clientId?.trim().toUpperCase();
  if (!clientcode)
    throw new ValidationError("Angel One's password login needs the client ID", { clientId: ["Required"] });
  if (!app.pin || !/^\d{4}$/.test(app.pin))
    throw new ValidationError("Angel One's password login needs the 4-digit PIN", { pin: ["Required"] });
  const seed = app.totpSecret === undefined ? undefined : normaliseTotpSeed(app.totpSecret);
  if (!seed)
    throw new ValidationError("Angel One's password login needs a valid TOTP secret", { totpSecret: ["Invalid"] });
  const now = (deps?.now ?? Date.now)();
  let data: unknown;
  try {
    data = await call(app, deps, "POST", PATHS.loginByPassword, undefined, {
      clientcode,
      password: app.pin,
      totp: totpAt(seed, now),
    });
  } catch (e) {
    // AB1007 (client code or PIN) and AB1050 (TOTP) come back as plain refusals: for a login they are the trader's.
    if (e instanceof BrokerRejectedError) throw new BrokerAuthError(`Angel One refused the login: ${e.message}`);
    throw e;
  }
  const tokens = sessionData(data);
  const accessToken = tokenText(tokens.jwtToken);
  if (!accessToken) throw new BrokerUnavailableError("Angel One's login carried no token", "bad_response");
  return {
    accessToken,
    refreshToken: packSideTokens({
      refreshToken: tokenText(tokens.refreshToken),
      feedToken: tokenText(tokens.feedToken),
    }),
    expiresAt: angelSessionExpiry(now),
    brokerUserId: clientcode,
  };
}
