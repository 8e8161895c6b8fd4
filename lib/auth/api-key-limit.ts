import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { env } from "@/lib/env";
import { RateLimitedError } from "@/lib/errors";
import { redis } from "@/lib/redis";
import { UNKNOWN_IP } from "./throttle";

let limiter: RateLimiterRedis | undefined;
let guesses: RateLimiterRedis | undefined;

/**
 * Requests per minute one address may make with a key that does not work (unknown, malformed, revoked, expired, or
 * of a deactivated user) before it is refused outright for the rest of the minute. A working client makes none; a
 * script guessing keys is slowed to this pace, and the database is spared the lookups (docs/api.md). Not applied
 * when the address is unknown (no trusted proxy): every client would share one budget, and one bad script would lock
 * every key out.
 */
export const FAILED_KEY_ATTEMPTS_PER_MIN = 30;

const retryIn = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

/** Spends one request of an API key's per-minute budget (API_KEY_RATE_PER_MIN); 429 with Retry-After when spent. */
export async function spendApiKeyBudget(keyId: string): Promise<void> {
  limiter ??= new RateLimiterRedis({
    storeClient: redis(),
    keyPrefix: "md:api-key:rate",
    points: env().API_KEY_RATE_PER_MIN,
    duration: 60,
  });
  try {
    await limiter.consume(keyId);
  } catch (e) {
    if (!(e instanceof RateLimiterRes)) throw e;
    const s = retryIn(e);
    throw new RateLimitedError(`Too many requests for this API key: try again in ${s} s`, s);
  }
}

function guessLimiter(): RateLimiterRedis {
  return (guesses ??= new RateLimiterRedis({
    storeClient: redis(),
    keyPrefix: "md:api-key:bad",
    points: FAILED_KEY_ATTEMPTS_PER_MIN,
    duration: 60,
  }));
}

const tooManyFailed = (s: number) =>
  new RateLimitedError(`Too many requests with an invalid API key from this address: try again in ${s} s`, s);

/** 429 when `ip` has used up its failed-key attempts this minute; checked before a key is looked up. */
export async function assertKeyAttemptsLeft(ip: string): Promise<void> {
  if (ip === UNKNOWN_IP) return;
  const res = await guessLimiter().get(ip);
  if (res && res.remainingPoints <= 0) throw tooManyFailed(retryIn(res));
}

/** Counts one request from `ip` whose key did not work; 429 once the attempts of the minute are spent. */
export async function spendFailedKeyAttempt(ip: string): Promise<void> {
  if (ip === UNKNOWN_IP) return;
  try {
    await guessLimiter().consume(ip);
  } catch (e) {
    if (!(e instanceof RateLimiterRes)) throw e;
    throw tooManyFailed(retryIn(e));
  }
}
