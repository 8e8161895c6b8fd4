/**
 * Angel One's publisher login (docs/brokers/angel.md "Login"): the trader's browser goes to the publisher-login page
 * with the app's API key and our `state`; Angel redirects to the redirect URL registered on the app with the session
 * itself (`auth_token`, `refresh_token`, `feed_token`) and `state`. There is no code to exchange, so `exchange` checks
 * the tokens with a profile call under this app's API key before accepting them. `refresh` uses generateTokens. The
 * refresh and feed tokens are kept together in the session's `refreshToken` (./session-tokens.ts).
 */
import { BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
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
