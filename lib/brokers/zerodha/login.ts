/**
 * Logging in to Kite Connect (docs/brokers/zerodha.md "Login"): the trader's browser goes to Kite's login page with
 * the app's API key and our state in `redirect_params`; Kite sends it back to the redirect URL registered with the app,
 * with `status=success`, a one-time `request_token` and our parameters; the SDK's `generateSession` exchanges the
 * token (checksum = sha256 of api_key + request_token + api_secret) for the day's access token, which Kite ends at
 * 06:00 IST the next morning. Kite issues no refresh token to ordinary apps: each day starts with a new login.
 */
import { z } from "zod";
import type { BrokerLogin, BrokerSessionTokens, LoginApp, LoginDeps } from "@/lib/brokers/login";
import { BrokerAuthError, BrokerUnavailableError } from "@/lib/errors";
import { createKite, isSdkGarbage, KITE_API_ROOT, kiteError, kiteFailureOf } from "./kite-client";

const IST_OFFSET_MS = 19_800_000;
const DAY_MS = 86_400_000;

/** The first 06:00 IST after `nowMs`: when Kite stops honouring a token issued then. */
export function kiteSessionExpiry(nowMs: number): Date {
  const istMidnight = Math.floor((nowMs + IST_OFFSET_MS) / DAY_MS) * DAY_MS - IST_OFFSET_MS;
  let at = istMidnight + 6 * 3_600_000;
  if (at <= nowMs) at += DAY_MS;
  return new Date(at);
}

/**
 * Kite's login page: on kite.zerodha.com for the real API root; any other host URL (the simulator, a test double)
 * serves its own under the same root.
 */
export function kiteLoginUrl(hostUrl: string): string {
  const root = hostUrl.replace(/\/+$/, "");
  return root === KITE_API_ROOT ? "https://kite.zerodha.com/connect/login" : `${root}/connect/login`;
}

const sessionSchema = z.object({ access_token: z.string().min(1), user_id: z.string().nullish() });

export const zerodhaLogin: BrokerLogin = {
  async start(app: LoginApp, params: { redirectUrl: string; state: string }): Promise<string> {
    // Kite redirects to the URL registered with the app, not one passed here; our state rides in redirect_params.
    const url = new URL(kiteLoginUrl(app.hostUrl));
    url.searchParams.set("v", "3");
    url.searchParams.set("api_key", app.apiKey);
    url.searchParams.set("redirect_params", new URLSearchParams({ state: params.state }).toString());
    return url.toString();
  },

  readCallback(query: URLSearchParams) {
    const state = query.get("state") ?? undefined;
    if (!state) return { ok: false, error: "Zerodha's callback carried no state" };
    if (query.get("status") !== "success" || !query.get("request_token"))
      return { ok: false, state, error: "The Zerodha login did not complete" };
    return { ok: true, state };
  },

  async exchange(app: LoginApp, query: URLSearchParams, _redirectUrl: string, deps: LoginDeps = {}) {
    const requestToken = query.get("request_token");
    if (!requestToken) throw new BrokerAuthError("Zerodha's callback carried no request token: log in again");
    const { kc, close } = createKite({
      root: app.hostUrl.replace(/\/+$/, ""),
      apiKey: app.apiKey,
      timeoutMs: deps.timeouts?.responseMs,
      lookup: deps.lookup,
    });
    try {
      let answer: unknown;
      try {
        answer = await kc.generateSession(requestToken, app.apiSecret);
      } catch (e) {
        const f = kiteFailureOf(e);
        if (f.kind === "answered" && f.errorType === "TokenException")
          throw new BrokerAuthError(
            "Zerodha refused the login: check the API secret, or log in again (a request token works once, for minutes)",
          );
        throw kiteError(f, "login", [app.apiSecret, app.apiKey, requestToken]);
      }
      const s = sessionSchema.safeParse(answer);
      if (isSdkGarbage(answer) || !s.success)
        throw new BrokerUnavailableError("Unreadable answer from Zerodha's session API", "bad_response");
      const tokens: BrokerSessionTokens = {
        accessToken: s.data.access_token,
        expiresAt: kiteSessionExpiry((deps.now ?? Date.now)()),
      };
      if (s.data.user_id) tokens.brokerUserId = s.data.user_id;
      return tokens;
    } finally {
      close();
    }
  },
};
