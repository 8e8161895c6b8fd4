import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { env } from "@/lib/env";
import { RateLimitedError } from "@/lib/errors";
import { redis } from "@/lib/redis";

let limiter: RateLimiterRedis | undefined;

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
    const s = Math.max(1, Math.ceil(e.msBeforeNext / 1000));
    throw new RateLimitedError(`Too many requests for this API key: try again in ${s} s`, s);
  }
}
