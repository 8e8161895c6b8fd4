/**
 * SmartAPI's password login (docs/brokers/angel.md "Password login"): `POST
 * /rest/auth/angelbroking/user/v1/loginByPassword` with `{clientcode, password, totp}` under the app's `X-PrivateKey`.
 * The client code is the instance's id (any case), the password its `pin`, and the TOTP one of its `totpSecret`'s codes
 * on the simulated clock (the previous and next 30-second step accepted). The answer is the session the publisher login
 * hands out: `jwtToken`, `refreshToken`, `feedToken`.
 */
import type { IncomingMessage } from "node:http";
import { totpMatches } from "@/lib/crypto/totp";
import type { NativeContext } from "@/lib/simulator/native/front-end";
import type { Reply } from "@/lib/simulator/server/rest";
import type { InstanceState } from "@/lib/simulator/types";
import { fail, gateway, issueSession, ok } from "./replies";

export const PASSWORD_LOGIN_PATH = "/rest/auth/angelbroking/user/v1/loginByPassword";

const WRONG_ID_OR_PIN = "YOUR USER ID OR PASSWORD IS INVALID";
const text = (v: unknown) => (typeof v === "string" ? v : "");

/** The instance a client code names (Angel's client codes are upper-case; the simulator's ids need not be). */
export function instanceOfClient(ctx: NativeContext, clientcode: string): InstanceState | undefined {
  const wanted = clientcode.trim().toUpperCase();
  return wanted ? ctx.broker.instances().find((i) => i.id.toUpperCase() === wanted) : undefined;
}

/** The reply to one password login; `instance` is the one its client code names (instanceOfClient). */
export function passwordLogin(
  req: IncomingMessage,
  body: Record<string, unknown> | undefined,
  instance: InstanceState | undefined,
  ctx: NativeContext,
): Reply {
  // Angel answers a wrong client code and a wrong PIN alike (docs/brokers/angel.md "Password login").
  if (!instance) return fail("AB1007", WRONG_ID_OR_PIN);
  if (req.headers["x-privatekey"] !== instance.apiKey) return gateway("AG8004", "Invalid API Key");
  if (req.headers["x-usertype"] !== "USER" || req.headers["x-sourceid"] !== "WEB")
    return fail("AB1005", "User Type Must Be USER");
  if (!totpMatches(instance.totpSecret, text(body?.totp), ctx.market.clock.now()))
    return fail("AB1050", "Invalid totp");
  if (text(body?.password) !== instance.pin) return fail("AB1007", WRONG_ID_OR_PIN);
  return ok(issueSession(ctx, instance));
}
