import { createHash } from "node:crypto";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { env } from "@/lib/env";
import { redis } from "@/lib/redis";

/**
 * Sign-in and password-change throttles. Every attempt spends a point BEFORE the password is checked (Redis decides
 * atomically), so parallel guesses cannot all slip past a check-then-count gap.
 *
 * - per (email, client IP): LOGIN_MAX_FAILURES_PER_EMAIL attempts per 15 minutes, then locked for 15 minutes. A
 *   stranger guessing from elsewhere therefore cannot lock the real user out;
 * - per client IP: LOGIN_MAX_FAILURES_PER_IP attempts per 15 minutes over all emails (skipped when the address is
 *   unknown, i.e. no trusted proxy: every client would share one budget);
 * - per email, from anywhere: a soft slowdown, not a lock — a burst of 4× the per-pair limit per 15 minutes, then one
 *   attempt per {@link EMAIL_TRICKLE_S} seconds, so distributed guessing stays slow and the owner waits seconds at most.
 * A successful sign-in gives its points back, and its (email, IP) is exempt from the email-wide slowdown afterwards.
 * Keys hold a hash of the email and IP, never the text the client sent.
 */
const WINDOW_S = 15 * 60;
export const EMAIL_TRICKLE_S = 30;
const PASSWORD_CHANGE_ATTEMPTS = 5;

export const UNKNOWN_IP = "unknown";
const KNOWN_PREFIX = "md:login:known";
/** How long a successful (email, address) pair stays exempt from the email-wide slowdown, seconds. */
const KNOWN_TTL_S = 30 * 24 * 60 * 60;

interface Limiters {
  pair: RateLimiterRedis;
  ip: RateLimiterRedis;
  emailBurst: RateLimiterRedis;
  emailTrickle: RateLimiterRedis;
  passwordChange: RateLimiterRedis;
}

let limiters: Limiters | undefined;
function get(): Limiters {
  const make = (keyPrefix: string, points: number, duration: number, blockDuration = 0) =>
    new RateLimiterRedis({ storeClient: redis(), keyPrefix, points, duration, blockDuration });
  const perEmail = env().LOGIN_MAX_FAILURES_PER_EMAIL;
  limiters ??= {
    pair: make("md:login:pair", perEmail, WINDOW_S, WINDOW_S),
    ip: make("md:login:ip", env().LOGIN_MAX_FAILURES_PER_IP, WINDOW_S, WINDOW_S),
    emailBurst: make("md:login:email", perEmail * 4, WINDOW_S),
    emailTrickle: make("md:login:email-slow", 1, EMAIL_TRICKLE_S),
    passwordChange: make("md:password-change", PASSWORD_CHANGE_ATTEMPTS, WINDOW_S, WINDOW_S),
  };
  return limiters;
}

/** A fixed-size key for client-supplied text (a 50 MB "email" must not become a 50 MB Redis key). */
export const throttleKey = (...parts: string[]) => createHash("sha256").update(parts.join("\0")).digest("base64url");

/** Spends one point; resolves to 0 when allowed, else the milliseconds until the next attempt. */
async function spend(limiter: RateLimiterRedis, key: string): Promise<number> {
  try {
    await limiter.consume(key);
    return 0;
  } catch (e) {
    if (e instanceof RateLimiterRes) return Math.max(1, e.msBeforeNext);
    throw e;
  }
}

/**
 * Spends this sign-in attempt. Returns 0 when the password may be checked, else the seconds to wait (the caller
 * answers 429 without checking the password).
 */
export async function spendLoginAttempt(email: string, ip: string): Promise<number> {
  const l = get();
  const pairKey = throttleKey(email, ip);
  // One budget after the other: an attempt refused by a narrower budget spends nothing from the wider ones, so a
  // locked-out guesser cannot keep draining the email's shared budget.
  const steps: (() => Promise<number>)[] = [() => spend(l.pair, pairKey)];
  if (ip !== UNKNOWN_IP) steps.push(() => spend(l.ip, throttleKey(ip)));
  // An address this email has signed in from before is exempt from the email-wide slowdown: guessing from elsewhere
  // does not slow the owner down.
  if (!(await redis().exists(`${KNOWN_PREFIX}:${pairKey}`))) {
    const emailKey = throttleKey(email);
    steps.push(async () => {
      const ms = await spend(l.emailBurst, emailKey);
      return ms === 0 ? 0 : spend(l.emailTrickle, emailKey);
    });
  }
  for (const step of steps) {
    const ms = await step();
    if (ms > 0) return Math.ceil(ms / 1000);
  }
  return 0;
}

/**
 * After a successful sign-in: this (email, IP) starts afresh and is remembered as known for {@link KNOWN_TTL_S}; the
 * attempt is given back to the IP and the email.
 */
export async function settleLoginSuccess(email: string, ip: string): Promise<void> {
  const l = get();
  const pairKey = throttleKey(email, ip);
  await Promise.all([
    l.pair.delete(pairKey),
    redis().set(`${KNOWN_PREFIX}:${pairKey}`, "1", "EX", KNOWN_TTL_S),
    ip === UNKNOWN_IP ? undefined : l.ip.reward(throttleKey(ip), 1),
    l.emailBurst.reward(throttleKey(email), 1),
  ]);
}

/** Spends one password-change attempt of a signed-in user; 0 = go ahead, else seconds to wait. */
export async function spendPasswordChangeAttempt(userId: string): Promise<number> {
  return Math.ceil((await spend(get().passwordChange, userId)) / 1000);
}

export async function clearPasswordChangeAttempts(userId: string): Promise<void> {
  await get().passwordChange.delete(userId);
}
