/**
 * Dhan's API-key login (docs/brokers/dhan.md "Login"):
 * 1. `start`: POST `<auth>/app/generate-consent?client_id=<client id>` with headers `app_id` (API key) and
 *    `app_secret` → `consentAppId`; the trader's browser goes to `<auth>/login/consentApp-login?consentAppId=…`.
 * 2. Dhan redirects to the redirect URL registered with the API key, adding `tokenId`.
 * 3. `exchange`: GET `<auth>/app/consumeApp-consent?tokenId=…` with the same two headers → `accessToken` and
 *    `expiryTime` (IST wall-clock, 24 hours after the login). There is no refresh: the trader logs in again.
 *
 * Dhan sends no `state` of its own and takes no redirect URL per login: `readCallback` reads a `state` only if the
 * registered redirect URL carries one; otherwise the accounts service takes it from the browser's login cookie.
 */
import type { BrokerLogin, BrokerSessionTokens, LoginApp, LoginDeps } from "@/lib/brokers/login";
import { BrokerAuthError, BrokerUnavailableError, ValidationError } from "@/lib/errors";
import { brokerError, transportError } from "./calls";
import { dhanHosts } from "./hosts";
import { DhanHttp, type HttpOutcome } from "./http";
import { classifyDhanError, istTime } from "./wire";

const TOKEN_LIFETIME_MS = 24 * 3_600_000;

function appHeaders(app: LoginApp): Record<string, string> {
  return { app_id: app.apiKey, app_secret: app.apiSecret };
}

function authHttp(app: LoginApp, deps: LoginDeps): DhanHttp {
  return new DhanHttp(dhanHosts(app.hostUrl).auth, {
    connectTimeoutMs: deps.timeouts?.connectMs,
    responseTimeoutMs: deps.timeouts?.responseMs,
    lookup: deps.lookup,
    pooled: false,
  });
}

/** The JSON body of a 2xx answer; typed errors otherwise (a refused key or secret is a BrokerAuthError). */
function answer(out: HttpOutcome, what: string): Record<string, unknown> {
  if (out.kind === "failure") throw transportError(out);
  if (out.status >= 200 && out.status < 300 && out.body && typeof out.body === "object")
    return out.body as Record<string, unknown>;
  const info = classifyDhanError(out.status, out.body);
  if (info.kind === "auth") return fail(`Dhan refused the ${what}: ${info.message}`);
  throw brokerError(info);
}

function fail(message: string): never {
  throw new BrokerAuthError(message);
}

function requireClientId(app: LoginApp): string {
  if (!app.clientId) throw new ValidationError("A Dhan login needs the client id", { clientId: ["Required"] });
  return app.clientId;
}

export const dhanLogin: BrokerLogin = {
  async start(app, _params, deps = {}) {
    const clientId = requireClientId(app);
    const http = authHttp(app, deps);
    try {
      const out = await http.request({
        method: "POST",
        path: "/app/generate-consent",
        query: { client_id: clientId },
        headers: appHeaders(app),
      });
      const body = answer(out, "API key or secret");
      const consentAppId = body.consentAppId;
      if (typeof consentAppId !== "string" || consentAppId === "")
        throw new BrokerUnavailableError("Dhan's consent answer has no consentAppId", "bad_response");
      const url = new URL(`${dhanHosts(app.hostUrl).auth}/login/consentApp-login`);
      url.searchParams.set("consentAppId", consentAppId);
      return url.toString();
    } finally {
      http.close();
    }
  },

  readCallback(query) {
    const state = query.get("state") ?? undefined;
    if (!query.get("tokenId")) return { ok: false, state, error: "Dhan did not return a tokenId" };
    return { ok: true, state };
  },

  async exchange(app, query, _redirectUrl, deps = {}): Promise<BrokerSessionTokens> {
    const clientId = requireClientId(app);
    const tokenId = query.get("tokenId");
    if (!tokenId) throw new ValidationError("Dhan did not return a tokenId", { tokenId: ["Required"] });
    const http = authHttp(app, deps);
    try {
      const out = await http.request({
        method: "GET",
        path: "/app/consumeApp-consent",
        query: { tokenId },
        headers: appHeaders(app),
      });
      const body = answer(out, "login (API secret or tokenId)");
      const accessToken = body.accessToken;
      if (typeof accessToken !== "string" || accessToken === "")
        throw new BrokerUnavailableError("Dhan's login answer has no access token", "bad_response");
      // A token of another client would trade the wrong account.
      if (String(body.dhanClientId ?? "") !== clientId)
        return fail("Dhan logged in a different client id than this account's");
      const now = (deps.now ?? Date.now)();
      const expiresAt = istTime(body.expiryTime) ?? new Date(now + TOKEN_LIFETIME_MS);
      return { accessToken, expiresAt, brokerUserId: clientId };
    } finally {
      http.close();
    }
  },
};
