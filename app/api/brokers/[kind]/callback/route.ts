import { z } from "zod";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { route } from "@/lib/http/route";
import { finishBrokerLogin } from "@/lib/services/accounts";

const params = z.object({ kind: z.string().regex(/^[a-z]{2,20}$/, "a broker kind") });

/**
 * Where a broker sends the trader back after its login page (docs/direct-brokers.md "Login"). A navigation, so the
 * answer is a redirect to the accounts page with the outcome, never JSON.
 */
export const GET = route({ access: "write", params }, async ({ user, params, req, ip }) => {
  const to = new URL("/accounts", env().APP_URL);
  try {
    const { accountId } = await finishBrokerLogin(user, params.kind, new URL(req.url).searchParams, ip);
    to.searchParams.set("loggedIn", accountId);
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    to.searchParams.set("loginError", e.message);
  }
  return Response.redirect(to, 303);
});
