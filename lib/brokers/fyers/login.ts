/**
 * The Fyers login (docs/brokers/fyers.md "Login"): the trader's browser goes to `generate-authcode` with the app id,
 * the registered redirect URL and our `state`; Fyers sends it back with `s=ok&auth_code=…&state=…`; the auth code and
 * `sha256(app_id:app_secret)` buy the day's access token and a refresh token, which with the trader's PIN renews the
 * access token for about 15 days. The app secret and the tokens never appear in an error or a log line.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { BrokerLogin, BrokerSessionTokens, LoginApp, LoginDeps } from "@/lib/brokers/login";
import { type HttpOutcome, OpenAlgoTransport } from "@/lib/brokers/openalgo/client";
import { BrokerAuthError, BrokerUnavailableError, RateLimitedError, ValidationError } from "@/lib/errors";
import { addDays, istDateOf, istInstant } from "@/lib/trading/calendar";
import { classify, isOk, tokenSchema } from "./wire";

/** When a token issued at `nowMs` dies: the next midnight IST, or earlier when the token's own `exp` says so. */
export function accessTokenExpiry(accessToken: string, nowMs: number): Date {
  const midnight = istInstant(addDays(istDateOf(nowMs), 1), "00:00");
  return new Date(Math.min(midnight, jwtExpiryMs(accessToken) ?? Infinity));
}

/** A JWT's `exp` claim in ms, when the token is a readable JWT (Fyers' are); undefined otherwise. */
function jwtExpiryMs(token: string): number | undefined {
  const part = token.split(".")[1];
  if (!part) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    const exp = z.object({ exp: z.number().positive() }).safeParse(claims);
    return exp.success ? exp.data.exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}

export function appIdHash(app: LoginApp): string {
  return createHash("sha256").update(`${app.apiKey}:${app.apiSecret}`).digest("hex");
}

const root = (hostUrl: string) => hostUrl.replace(/\/+$/, "");

async function post(
  app: LoginApp,
  path: string,
  payload: Record<string, unknown>,
  deps: LoginDeps,
): Promise<HttpOutcome> {
  const http = new OpenAlgoTransport(app.hostUrl, {
    lookup: deps.lookup,
    connectTimeoutMs: deps.timeouts?.connectMs,
    responseTimeoutMs: deps.timeouts?.responseMs,
    pooled: false,
  });
  try {
    return await http.request(
      "POST",
      path,
      { "Content-Type": "application/json", Accept: "application/json" },
      JSON.stringify(payload),
    );
  } finally {
    http.close();
  }
}

/** The tokens of a token answer; a refusal or an unreadable answer throws typed, naming only Fyers' own message. */
function tokensOf(out: HttpOutcome, what: string) {
  if (out.kind === "failure")
    throw new BrokerUnavailableError(
      `Fyers ${what}: ${out.message}`,
      out.code === "timeout" ? "timeout" : "unreachable",
    );
  if (isOk(out.status, out.body)) {
    const t = tokenSchema.safeParse(out.body);
    if (t.success) return t.data;
    throw new BrokerUnavailableError(`Fyers ${what}: unreadable answer`, "bad_response");
  }
  const info = classify(out.status, out.body);
  if (info.kind === "rate_limited") throw new RateLimitedError(`Fyers ${what}: ${info.message}`, 1);
  if (info.kind === "unavailable") throw new BrokerUnavailableError(`Fyers ${what}: ${info.message}`, "server_error");
  throw new BrokerAuthError(`Fyers refused the ${what}: ${info.message}`);
}

export const fyersLogin: BrokerLogin = {
  async start(app, { redirectUrl, state }) {
    const q = new URLSearchParams({ client_id: app.apiKey, redirect_uri: redirectUrl, response_type: "code", state });
    return `${root(app.hostUrl)}/api/v3/generate-authcode?${q.toString()}`;
  },

  readCallback(query) {
    const state = query.get("state") ?? undefined;
    if (query.get("s") === "ok" && query.get("auth_code") && state !== undefined) return { ok: true, state };
    const error = query.get("message") || query.get("s") || "The login did not complete";
    return state === undefined ? { ok: false, error } : { ok: false, state, error };
  },

  async exchange(app, query, _redirectUrl, deps = {}): Promise<BrokerSessionTokens> {
    const code = query.get("auth_code");
    if (!code) throw new BrokerAuthError("Fyers sent no auth code back: log in again");
    const now = (deps.now ?? Date.now)();
    const t = tokensOf(
      await post(
        app,
        "/api/v3/validate-authcode",
        { grant_type: "authorization_code", appIdHash: appIdHash(app), code },
        deps,
      ),
      "login",
    );
    return {
      accessToken: t.access_token,
      ...(t.refresh_token ? { refreshToken: t.refresh_token } : {}),
      expiresAt: accessTokenExpiry(t.access_token, now),
      ...(app.clientId ? { brokerUserId: app.clientId } : {}),
    };
  },

  async refresh(app, refreshToken, deps = {}): Promise<BrokerSessionTokens> {
    if (!app.pin) throw new ValidationError("Fyers renews a session only with the trader's PIN", { pin: ["Required"] });
    const now = (deps.now ?? Date.now)();
    const t = tokensOf(
      await post(
        app,
        "/api/v3/validate-refresh-token",
        { grant_type: "refresh_token", appIdHash: appIdHash(app), refresh_token: refreshToken, pin: app.pin },
        deps,
      ),
      "session renewal",
    );
    // Fyers keeps the refresh token until its own expiry; a renewal does not replace it.
    return { accessToken: t.access_token, refreshToken, expiresAt: accessTokenExpiry(t.access_token, now) };
  },
};
