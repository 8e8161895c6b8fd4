import { accountIdParams } from "@/lib/http/request-schemas";
import { route } from "@/lib/http/route";
import { LOGIN_STATE_COOKIE, LOGIN_STATE_TTL_SECONDS, startBrokerLogin } from "@/lib/services/accounts";

/**
 * Starts a direct-broker login: the broker's login page to send the browser to (docs/direct-brokers.md "Login"). The
 * one-time state also goes into a cookie that only the callback path receives, for brokers that cannot echo it.
 */
export const POST = route({ access: "write", params: accountIdParams }, async ({ user, params, ip, req }) => {
  const { url, state } = await startBrokerLogin(user, params.id, ip);
  const secure = new URL(req.url).protocol === "https:" ? "; Secure" : "";
  return Response.json(
    { url },
    {
      headers: {
        "Set-Cookie": `${LOGIN_STATE_COOKIE}=${state}; Path=/api/brokers; Max-Age=${LOGIN_STATE_TTL_SECONDS}; HttpOnly; SameSite=Lax${secure}`,
      },
    },
  );
});
