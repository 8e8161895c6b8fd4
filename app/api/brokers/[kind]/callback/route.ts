import { z } from "zod";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { finishBrokerLogin, LOGIN_STATE_COOKIE } from "@/lib/services/accounts";

const params = z.object({ kind: z.string().regex(/^[a-z]{2,20}$/, "a broker kind") });

/**
 * Where a broker sends the trader back after its login page (docs/direct-brokers.md "Login"). A navigation, so the
 * answer is a redirect to the accounts page with the outcome, never JSON.
 */
export const GET = route({ access: "write", params }, async ({ user, params, req, ip }) => {
  const to = new URL("/accounts", env().APP_URL);
  try {
    const cookieState = new RegExp(`(?:^|;\\s*)${LOGIN_STATE_COOKIE}=([A-Za-z0-9_-]+)`).exec(
      req.headers.get("cookie") ?? "",
    )?.[1];
    const query = new URL(req.url).searchParams;
    const { accountId } = await finishBrokerLogin(user, params.kind, query, ip, cookieState);
    to.searchParams.set("loggedIn", accountId);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    to.searchParams.set("loginError", e.message);
  }
  // The state is single-use: the cookie goes with it.
  return new Response(null, {
    status: 303,
    headers: { Location: to.toString(), "Set-Cookie": `${LOGIN_STATE_COOKIE}=; Path=/api/brokers; Max-Age=0` },
  });
});
