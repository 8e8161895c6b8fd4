import { z } from "zod";
import { env } from "@/lib/env";
import { RateLimitedError, UnauthenticatedError } from "@/lib/errors";
import { insertAudit } from "@/lib/db/queries/audit";
import { bumpSessionVersion, findUserByEmail } from "@/lib/db/queries/users";
import { DUMMY_HASH, verifyPassword } from "@/lib/auth/password";
import { issueLoginTicket } from "@/lib/auth/login-ticket";
import { settleLoginSuccess, spendLoginAttempt } from "@/lib/auth/throttle";
import { inTransaction } from "@/lib/db/transaction";
import type { Actor } from "@/lib/auth/roles";

export const loginSchema = z.object({
  email: z
    .email("Enter a valid email address")
    .max(254, "Email must be at most 254 characters")
    .transform((e) => e.toLowerCase()),
  password: z.string().min(1, "Enter your password").max(200),
});
export type LoginInput = z.infer<typeof loginSchema>;

const INVALID = "Email or password is incorrect";

/**
 * Spends a throttle point, then checks the password (never the other way round: parallel guesses would all pass a
 * check made before any of them counted). Returns a short-lived login ticket for the next-auth provider.
 * Throws RateLimitedError (429, with retry seconds) or UnauthenticatedError (401); every outcome is audited.
 */
export async function login(input: LoginInput, ip: string, now: number): Promise<{ ticket: string; userId: string }> {
  const retry = await spendLoginAttempt(input.email, ip);
  if (retry > 0) {
    await insertAudit({
      action: "auth.login_throttled",
      entity: "user",
      details: { email: input.email, retryAfterSeconds: retry },
      ip,
    });
    throw new RateLimitedError(`Too many failed sign-in attempts. Try again in ${formatWait(retry)}.`, retry);
  }
  const user = await findUserByEmail(input.email);
  const ok = await verifyPassword(input.password, user?.passwordHash ?? DUMMY_HASH);
  if (!user || !ok || !user.active) {
    await insertAudit({
      actorId: user?.id,
      action: "auth.login_failed",
      entity: "user",
      entityId: user?.id,
      details: { email: input.email, reason: !user ? "unknown_email" : !ok ? "wrong_password" : "inactive" },
      ip,
    });
    throw new UnauthenticatedError(user && ok && !user.active ? "This account has been deactivated" : INVALID);
  }
  await settleLoginSuccess(input.email, ip);
  await insertAudit({ actorId: user.id, action: "auth.login", entity: "user", entityId: user.id, ip });
  return { ticket: issueLoginTicket(user.id, user.sessionVersion, env().AUTH_SECRET, now), userId: user.id };
}

/**
 * Ends the session: the user's session version moves on, so every session cookie issued before (a copy taken before
 * sign-out included) stops working on its next request. This signs the user out on every device.
 */
export async function logout(user: Actor | null, ip: string): Promise<void> {
  if (!user) return;
  await inTransaction(async (tx) => {
    await bumpSessionVersion(user.id, tx);
    await insertAudit({ actorId: user.id, action: "auth.logout", entity: "user", entityId: user.id, ip }, tx);
  });
}

export function formatWait(seconds: number): string {
  return seconds < 90 ? `${seconds} seconds` : `${Math.ceil(seconds / 60)} minutes`;
}
