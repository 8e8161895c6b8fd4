import { createHash } from "node:crypto";
/**
 * Per-account broker call budget, shared by every web and worker process through Redis. Two kinds of window apply
 * to each call, checked together by one Lua script in one round trip (docs/brokers/rate-limits.md):
 *
 * - the account's own per-second budgets (by default 10 order calls and 10 other calls a second: docs/trading-facts.md
 *   "Rate limits", the exchange's 10 orders/s per client and OpenAlgo's 10/s fallback API limit), and
 * - its broker's published caps (lib/brokers/published-limits.ts: per second, minute, hour, day, per call family),
 *   which the account's settings can only undercut, never raise (docs/brokers/<name>.md "Rate limits").
 *
 * A spent window WAITS when it frees within `maxWaitMs` — `take()` resolves when the call may go — so a burst into
 * one account queues while other accounts are untouched. A window that frees later (a spent minute or day cap) throws
 * RateLimitedError naming the cap, before anything is sent: callers treat it as any other budget refusal.
 *
 * Windows are true moving windows (a sorted set of call times per account and window), because brokers count moving
 * windows (OpenAlgo's Flask-Limiter does): a fixed window would let 10 calls at t=0.99 s and 10 more at t=1.01 s
 * through, and the broker would answer 429. rate-limiter-flexible (used elsewhere) checks one key per call, so the
 * several windows of a call go through our own script instead, keeping the check atomic and at one round trip.
 */
import type { Redis } from "ioredis";
import {
  describeWindow,
  type CallKind,
  type PublishedLimits,
  windowMs,
  windowsFor,
} from "@/lib/brokers/published-limits";
import { RateLimitedError } from "@/lib/errors";
import { redis } from "@/lib/redis";

export type { CallKind } from "@/lib/brokers/published-limits";

/** Calls per second allowed for one account (quote calls count against `otherPerSecond`, in a budget of their own). */
export interface RateLimits {
  ordersPerSecond: number;
  otherPerSecond: number;
}

export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = { ordersPerSecond: 10, otherPerSecond: 10 };

/** How long a spent window may hold a call before `take()` gives up with RateLimitedError, ms. */
export const DEFAULT_MAX_WAIT_MS = 5_000;

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
  /**
   * Resolves once `accountId` may make one more call of `kind`: waits while a window is spent and frees soon, throws
   * RateLimitedError (nothing sent) when a window (`published`: the broker's caps) stays spent longer than that.
   */
  take(
    accountId: string,
    kind: CallKind,
    limits?: Partial<RateLimits>,
    published?: PublishedLimits,
  ): Promise<TakeResult>;
}

// KEYS[i] = window i's sorted set of call times; ARGV[2i-1] = its limit, ARGV[2i] = its length (ms). Returns {0, 0}
// when the call was recorded in every window, else {i, ms until window i frees} having recorded it in none: i is the
// spent window that frees last (the one that decides how long the call must wait).
const WINDOWS_LUA = `
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local used = {}
local worst, worstWait = 0, 0
for i, key in ipairs(KEYS) do
  local limit = tonumber(ARGV[2 * i - 1])
  local span = tonumber(ARGV[2 * i])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', nowMs - span)
  used[i] = redis.call('ZCARD', key)
  if used[i] + 1 > limit then
    -- The call fits once every entry up to this one has left the window.
    local gate = redis.call('ZRANGE', key, used[i] - limit, used[i] - limit, 'WITHSCORES')
    local wait = span
    if gate[2] then wait = tonumber(gate[2]) + span - nowMs + 1 end
    if wait < 1 then wait = 1 end
    if wait > worstWait then worst, worstWait = i, wait end
  end
end
if worst > 0 then return {worst, worstWait} end
for i, key in ipairs(KEYS) do
  redis.call('ZADD', key, nowMs, t[1] .. '.' .. t[2] .. '.' .. (used[i] + 1))
  redis.call('PEXPIRE', key, tonumber(ARGV[2 * i]))
end
return {0, 0}
`;

/** The window script's SHA-1, the name Redis caches it under (the warm-up loads it; tests check it is there). */
export const WINDOW_SCRIPT_SHA = createHash("sha1").update(WINDOWS_LUA).digest("hex");

type WindowsCommand = (numKeys: number, ...keysAndArgs: (string | number)[]) => Promise<[number, number]>;

export interface RateGovernorOptions {
  /** Redis connection for the budgets. Default: a duplicate of `redis()` per process, auto-pipelined. */
  storeClient?: Redis;
  /** Key prefix (tests use their own). */
  keyPrefix?: string;
  /** The longest a spent window may hold one call before `take()` refuses it (default DEFAULT_MAX_WAIT_MS). */
  maxWaitMs?: number;
}

/** One window a call is checked against: its Redis key, size and what to call it in a refusal. */
interface Window {
  key: string;
  limit: number;
  ms: number;
  describe: () => string;
}

export class RateGovernor implements CallGate {
  private readonly client: Redis & { mdBrokerWindows?: WindowsCommand };
  private readonly prefix: string;
  private readonly maxWaitMs: number;

  constructor(opts: RateGovernorOptions = {}) {
    this.client = opts.storeClient ?? dedicatedConnection();
    this.prefix = opts.keyPrefix ?? "md:broker-rate";
    this.maxWaitMs = opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
    // ioredis sends the script by its SHA and falls back to its text once per connection if Redis lacks it.
    if (!this.client.mdBrokerWindows) this.client.defineCommand("mdBrokerWindows", { lua: WINDOWS_LUA });
  }

  /**
   * The Redis key of a published window's calls for one account. Keyed by families and length, not by limit, so a
   * corrected published number keeps the calls already counted (a day's count must survive a deploy).
   */
  publishedKey(accountId: string, window: { calls: readonly CallKind[]; seconds: number }): string {
    return `${this.prefix}:cap:${[...window.calls].sort().join("+")}:${window.seconds}:${accountId}`;
  }

  /**
   * Start-up warm-up (lib/services/system/warm-up.ts): connects and has Redis cache the window script, so the first
   * calls of a fan-out neither connect nor send the script's text. `budgets` (the accounts' per-second budgets,
   * `<kind>:<per second>`) need no set-up of their own any more: every window is one key the script creates.
   */
  async warmUp(_budgets: readonly string[] = []): Promise<void> {
    await this.client.script("LOAD", WINDOWS_LUA);
  }

  private windows(accountId: string, kind: CallKind, limits: Partial<RateLimits>, published?: PublishedLimits) {
    const perSecond = perSecondOf(
      kind,
      kind === "order"
        ? (limits.ordersPerSecond ?? DEFAULT_RATE_LIMITS.ordersPerSecond)
        : (limits.otherPerSecond ?? DEFAULT_RATE_LIMITS.otherPerSecond),
    );
    // Budgets are keyed by kind and size, so changing an account's limit starts a fresh window.
    const own: Window = {
      key: `${this.prefix}:${kind}:${perSecond}:${accountId}`,
      limit: perSecond,
      ms: windowMs(1),
      describe: () => `this account's budget of ${perSecond} ${kind === "order" ? "orders" : "calls"} a second`,
    };
    const caps = windowsFor(published, kind)
      // A cap of this family alone over one second, no tighter than the account's own budget, can never refuse a call
      // the budget allowed: skip its key (one window less for Redis on every order of most kinds).
      .filter((w) => !(w.seconds === 1 && w.calls.length === 1 && w.limit >= perSecond))
      .map((w): Window => ({
        key: this.publishedKey(accountId, w),
        limit: w.limit,
        ms: windowMs(w.seconds),
        describe: () => `${published!.broker}'s ${describeWindow(w)}`,
      }));
    return [own, ...caps];
  }

  async take(
    accountId: string,
    kind: CallKind,
    limits: Partial<RateLimits> = {},
    published?: PublishedLimits,
  ): Promise<TakeResult> {
    const windows = this.windows(accountId, kind, limits, published);
    const args = [...windows.map((w) => w.key), ...windows.flatMap((w) => [w.limit, w.ms])];
    const result: TakeResult = { waits: 0, waitedMs: 0 };
    for (;;) {
      // A Redis failure propagates: callers cannot tell whether the call would have been allowed.
      const [refused, waitMs] = await this.client.mdBrokerWindows!(windows.length, ...args);
      if (refused === 0) return result;
      const wait = Math.max(1, waitMs);
      if (wait > this.maxWaitMs) {
        const s = Math.ceil(wait / 1000);
        throw new RateLimitedError(`Rate limit reached: ${windows[refused - 1].describe()} (next call in ${s} s)`, s);
      }
      result.waits += 1;
      result.waitedMs += wait;
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

function perSecondOf(kind: CallKind, perSecond: number): number {
  if (!Number.isInteger(perSecond) || perSecond < 1)
    throw new RangeError(`Invalid ${kind} rate limit: ${perSecond}/s (a whole number ≥ 1)`);
  return perSecond;
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
