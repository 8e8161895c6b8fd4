import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * A short-lived signed ticket handed from the login service (which checks the password and the throttle) to the
 * next-auth Credentials provider, so the provider never sees a password and cannot be used to skip throttling.
 */
const TTL_MS = 30_000;

function sign(payload: string, secret: string): string {
  return createHmac("sha256", secret).update(`login-ticket:${payload}`).digest("base64url");
}

export function issueLoginTicket(userId: string, sessionVersion: number, secret: string, now: number): string {
  const payload = `${userId}.${sessionVersion}.${now + TTL_MS}`;
  return `${payload}.${sign(payload, secret)}`;
}

export function readLoginTicket(
  ticket: string,
  secret: string,
  now: number,
): { userId: string; sessionVersion: number } | null {
  const parts = ticket.split(".");
  if (parts.length !== 4) return null;
  const [userId, sv, exp, mac] = parts;
  const expected = Buffer.from(sign(`${userId}.${sv}.${exp}`, secret));
  const given = Buffer.from(mac);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
  if (!(Number(exp) > now)) return null;
  return { userId, sessionVersion: Number(sv) };
}
