import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { env } from "@/lib/env";
import { redis } from "@/lib/redis";

/** Failed logins are counted per email and per IP over a 15-minute window; past the limit, logins get 429. */
const WINDOW_S = 15 * 60;

let limiters: { email: RateLimiterRedis; ip: RateLimiterRedis } | undefined;
function get() {
  limiters ??= {
    email: new RateLimiterRedis({
      storeClient: redis(),
      keyPrefix: "md:login-fail:email",
      points: env().LOGIN_MAX_FAILURES_PER_EMAIL,
      duration: WINDOW_S,
      blockDuration: WINDOW_S,
    }),
    ip: new RateLimiterRedis({
      storeClient: redis(),
      keyPrefix: "md:login-fail:ip",
      points: env().LOGIN_MAX_FAILURES_PER_IP,
      duration: WINDOW_S,
      blockDuration: WINDOW_S,
    }),
  };
  return limiters;
}

/** Seconds until another attempt is allowed, or 0 when this email/IP may try now. */
export async function loginRetryAfter(email: string, ip: string): Promise<number> {
  const { email: byEmail, ip: byIp } = get();
  const [e, i] = await Promise.all([byEmail.get(email), byIp.get(ip)]);
  const waits = [
    e && e.consumedPoints >= byEmail.points ? e.msBeforeNext : 0,
    i && i.consumedPoints >= byIp.points ? i.msBeforeNext : 0,
  ];
  return Math.ceil(Math.max(...waits) / 1000);
}

/** Counts one failure against both keys. */
export async function recordLoginFailure(email: string, ip: string): Promise<void> {
  const { email: byEmail, ip: byIp } = get();
  await Promise.all([
    byEmail.consume(email).catch((e) => swallowLimit(e)),
    byIp.consume(ip).catch((e) => swallowLimit(e)),
  ]);
}

export async function clearLoginFailures(email: string): Promise<void> {
  await get().email.delete(email);
}

// consume() rejects with a RateLimiterRes once the budget is spent; that is expected here, a Redis error is not.
function swallowLimit(e: unknown): void {
  if (!(e instanceof RateLimiterRes)) throw e;
}
