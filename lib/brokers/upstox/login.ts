/**
 * Logging an Upstox account in (docs/brokers/upstox.md "Login"): the trader's browser goes to Upstox's authorization
 * dialog with the app's API key as `client_id`; Upstox redirects back with a one-time `code` and our `state`; the code
 * is exchanged once, with the app's secret, for the day's access token (the SDK's LoginApi). Upstox gives ordinary
 * apps no refresh token: the token dies at 03:30 IST and the trader logs in again.
 */
import { z } from "zod";
import type { BrokerLogin, BrokerSessionTokens, CallbackReading, LoginApp, LoginDeps } from "@/lib/brokers/login";
import { BrokerAuthError, RateLimitedError } from "@/lib/errors";
import { istDateOf } from "@/lib/trading/calendar";
import { API_VERSION, createApis, sdkCall } from "./sdk-client";
import { brokerError, classifyError, transportError } from "./wire";

/** The next 03:30 IST after `now`: when Upstox stops honouring a token, whenever it was issued. */
export function upstoxTokenExpiry(now: number): Date {
  const today = Date.parse(`${istDateOf(now)}T03:30:00+05:30`);
  return new Date(today > now ? today : today + 86_400_000);
}

const tokenAnswer = z.looseObject({ access_token: z.string().min(1), user_id: z.string().nullish() });

function dialogUrl(hostUrl: string, params: Record<string, string>): string {
  return `${hostUrl.replace(/\/+$/, "")}/v2/login/authorization/dialog?${new URLSearchParams(params)}`;
}

export const upstoxLogin: BrokerLogin = {
  async start(app: LoginApp, { redirectUrl, state }: { redirectUrl: string; state: string }): Promise<string> {
    return dialogUrl(app.hostUrl, { response_type: "code", client_id: app.apiKey, redirect_uri: redirectUrl, state });
  },

  readCallback(query: URLSearchParams): CallbackReading {
    const state = query.get("state") ?? undefined;
    if (!state) return { ok: false, error: "Upstox's callback carries no state" };
    if (!query.get("code")) return { ok: false, state, error: "Upstox did not return an authorization code" };
    return { ok: true, state };
  },

  async exchange(
    app: LoginApp,
    query: URLSearchParams,
    redirectUrl: string,
    deps: LoginDeps = {},
  ): Promise<BrokerSessionTokens> {
    const code = query.get("code");
    if (!code) throw new BrokerAuthError("Upstox did not return an authorization code: log in again");
    const apis = createApis(app.hostUrl, { lookup: deps.lookup, responseMs: deps.timeouts?.responseMs });
    try {
      const out = await sdkCall((cb) =>
        apis.login.token(
          API_VERSION,
          {
            code,
            clientId: app.apiKey,
            clientSecret: app.apiSecret,
            redirectUri: redirectUrl,
            grantType: "authorization_code",
          },
          cb,
        ),
      );
      if (out.kind === "failure") throw transportError(out);
      if (out.status === 200) {
        const parsed = tokenAnswer.safeParse(out.body);
        if (!parsed.success) throw new BrokerAuthError("Upstox's token answer carries no access token");
        return {
          accessToken: parsed.data.access_token,
          expiresAt: upstoxTokenExpiry((deps.now ?? Date.now)()),
          ...(parsed.data.user_id ? { brokerUserId: parsed.data.user_id } : {}),
        };
      }
      const info = classifyError(out.status, out.body);
      if (info.kind === "rate_limited") throw new RateLimitedError(`Upstox rate limit: ${info.message}`, 1);
      if (info.kind === "unavailable") throw brokerError(info);
      // Upstox's texts name the failure, never the secret or the code.
      throw new BrokerAuthError(
        `Upstox refused the login (check the API key, secret and redirect URL): ${info.message}`,
      );
    } finally {
      apis.close();
    }
  },
};
