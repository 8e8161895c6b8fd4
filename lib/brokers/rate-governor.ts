import { createHash } from "node:crypto";
/**
 * Per-account broker call budget, shared by every web and worker process through Redis: by default at most 10
 * order calls and 10 other calls per second per account (docs/trading-facts.md "Rate limits": the exchange's 10
 * orders/s per client, and OpenAlgo's 10/s fallback API limit). A spent budget WAITS — `take()` resolves when the call
 * may go — rather than failing, so a burst into one account queues while other accounts are untouched.
 *
 * The window is a true moving window (a sorted set of call times per account and kind, evaluated atomically by
 * Lua inside rate-limiter-flexible's `customIncrTtlLuaScript` hook), because OpenAlgo's Flask-Limiter counts a
 * moving window: a fixed window would let 10 calls at t=0.99 s and 10 more at t=1.01 s through, and the broker
 * would answer 429. The window is 10 % longer than a second to absorb network jitter between us and the broker.
 */
import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { redis } from "@/lib/redis";

export type CallKind = "order" | "other";

/** Calls per second allowed for one account. */
export interface RateLimits {
  ordersPerSecond: number;
  otherPerSecond: number;
}

export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = { ordersPerSecond: 10, otherPerSecond: 10 };

/**
 * How a `take()` went: how many times the caller found the budget spent and waited, and for how long in total
 * (the sum of the waits the window asked for, not wall time). Lets callers and tests see queueing without a clock.
 */
export interface TakeResult {
  waits: number;
  waitedMs: number;
}

/** What every broker call passes through. */
export interface CallGate {
  /** Resolves once `accountId` may make one more call of `kind`; waits while its budget is spent. */
  take(accountId: string, kind: CallKind, limits?: Partial<RateLimits>): Promise<TakeResult>;
}

/** Seconds per window: a second plus a 10 % margin for network jitter (see the header). */
const WINDOW_SECONDS = 1.1;

// KEYS[1] = budget key; ARGV[1] = points to consume; ARGV[3] = points per window; ARGV[4] = window (seconds).
// Returns {calls in window including this one, ms until the answer may change} as the stock script does, so the
// library's RateLimiterRes works unchanged: over budget → consumed > points and msBeforeNext = wait.
const MOVING_WINDOW_LUA = `
local key = KEYS[1]
local want = tonumber(ARGV[1])
local limit = tonumber(ARGV[3])
local windowMs = math.floor(tonumber(ARGV[4]) * 1000)
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', key, '-inf', nowMs - windowMs)
local used = redis.call('ZCARD', key)
if used + want > limit then
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  local wait = windowMs
  if oldest[2] then wait = tonumber(oldest[2]) + windowMs - nowMs + 1 end
  if wait < 1 then wait = 1 end
  return {used + want, wait}
end
for i = 1, want do
  redis.call('ZADD', key, nowMs, t[1] .. '.' .. t[2] .. '.' .. (used + i))
end
redis.call('PEXPIRE', key, windowMs)
return {used + want, windowMs}
`;

/** The window script's SHA-1, the name Redis caches it under (the warm-up loads it; tests check it is there). */
export const WINDOW_SCRIPT_SHA = createHash("sha1").update(MOVING_WINDOW_LUA).digest("hex");

export interface RateGovernorOptions {
  /**
   * Redis connection for the budgets. It must not be shared with other rate-limiter-flexible users: the library
   * registers its Lua script as the connection-wide command `rlflxIncr`, so our moving-window script would replace
   * (or be replaced by) the stock one of lib/auth/throttle.ts. Default: a duplicate of `redis()` per process.
   */
  storeClient?: Redis;
  /** Key prefix (tests use their own). */
  keyPrefix?: string;
}

export class RateGovernor implements CallGate {
  private readonly client: Redis;
  private readonly prefix: string;
  private readonly limiters = new Map<string, RateLimiterRedis>();

  constructor(opts: RateGovernorOptions = {}) {
    this.client = opts.storeClient ?? dedicatedConnection();
    this.prefix = opts.keyPrefix ?? "md:broker-rate";
  }

  private limiter(kind: CallKind, perSecond: number): RateLimiterRedis {
    const name = `${kind}:${perSecond}`;
    let l = this.limiters.get(name);
    if (!l) {
      // Budgets are keyed by kind and size, so changing an account's limit starts a fresh window.
      l = new RateLimiterRedis({
        storeClient: this.client,
        keyPrefix: `${this.prefix}:${name}`,
        // N calls per 1.1 s never puts more than N into any 1 s the broker measures.
        points: perSecond,
        duration: WINDOW_SECONDS,
        customIncrTtlLuaScript: MOVING_WINDOW_LUA,
      });
      this.limiters.set(name, l);
    }
    return l;
  }

  /**
   * Start-up warm-up (lib/services/system/warm-up.ts): connects, builds the limiters of these budgets
   * (`<kind>:<per second>`) and has Redis cache the window script, so the first calls of a fan-out neither connect
   * nor send the script's text.
   */
  async warmUp(budgets: readonly string[]): Promise<void> {
    for (const b of budgets) {
      const [kind, perSecond] = b.split(":");
      if ((kind === "order" || kind === "other") && Number(perSecond) >= 1) this.limiter(kind, Number(perSecond));
    }
    await this.client.script("LOAD", MOVING_WINDOW_LUA);
  }

  async take(accountId: string, kind: CallKind, limits: Partial<RateLimits> = {}): Promise<TakeResult> {
    const perSecond =
      kind === "order"
        ? (limits.ordersPerSecond ?? DEFAULT_RATE_LIMITS.ordersPerSecond)
        : (limits.otherPerSecond ?? DEFAULT_RATE_LIMITS.otherPerSecond);
    if (!Number.isInteger(perSecond) || perSecond < 1)
      throw new RangeError(`Invalid ${kind} rate limit: ${perSecond}/s (a whole number ≥ 1)`);
    const limiter = this.limiter(kind, perSecond);
    const result: TakeResult = { waits: 0, waitedMs: 0 };
    for (;;) {
      try {
        await limiter.consume(accountId, 1);
        return result;
      } catch (e) {
        // A RateLimiterRes means "budget spent, wait this long"; anything else is a Redis failure and propagates.
        if (!(e instanceof RateLimiterRes)) throw e;
        const wait = Math.max(1, e.msBeforeNext);
        result.waits += 1;
        result.waitedMs += wait;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }
}

const holder = globalThis as unknown as { mirrordeskRateRedis?: Redis; mirrordeskRateGovernor?: RateGovernor };

/**
 * Auto-pipelined: the budget checks of a fan-out's hundreds of concurrent calls leave in one socket write per event
 * loop turn instead of one each (the script's atomicity is per command either way).
 */
function dedicatedConnection(): Redis {
  holder.mirrordeskRateRedis ??= redis().duplicate({ enableAutoPipelining: true });
  return holder.mirrordeskRateRedis;
}

/** The process-wide governor every adapter uses by default. */
export function rateGovernor(): RateGovernor {
  holder.mirrordeskRateGovernor ??= new RateGovernor();
  return holder.mirrordeskRateGovernor;
}

/** Closes the governor's dedicated connection (graceful shutdown, tests). */
export async function closeRateGovernor(): Promise<void> {
  const r = holder.mirrordeskRateRedis;
  holder.mirrordeskRateRedis = undefined;
  holder.mirrordeskRateGovernor = undefined;
  if (r) await r.quit().catch(() => r.disconnect());
}
