/**
 * Flask-Limiter's moving-window limiter as OpenAlgo runs it (docs/openalgo.md "Rate limits"): in memory, keyed by
 * client and route, checked before validation and auth. Only accepted hits are recorded (the `limits` library does
 * not record a refused hit), so a client that keeps hammering is refused only while its window is full.
 * Pure: the caller passes the time in.
 */

export interface RateLimit {
  /** Requests allowed per window. */
  count: number;
  windowMs: number;
}

/** Bucket names routes use in `RouteHandler.limit`. */
export type RateLimitBucket = "api" | "order" | "smart_order" | "greeks";

export type RateLimitConfig = Record<RateLimitBucket, RateLimit>;

/** OpenAlgo's shipped defaults (`.sample.env`): API 50/s, orders 10/s, smart orders 10/s, greeks 30/min. */
export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  api: { count: 50, windowMs: 1000 },
  order: { count: 10, windowMs: 1000 },
  smart_order: { count: 10, windowMs: 1000 },
  greeks: { count: 30, windowMs: 60_000 },
};

const UNITS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/**
 * Parses Flask-Limiter's notation: `"50 per second"`, `"50/second"`, `"30 per 1 minute"`, `"100 per 5 seconds"`.
 * Returns undefined for anything else.
 */
export function parseRateLimit(text: string): RateLimit | undefined {
  const m = /^\s*(\d+)\s*(?:per|\/)\s*(\d+)?\s*(second|minute|hour|day)s?\s*$/i.exec(text);
  if (!m) return undefined;
  const count = Number(m[1]);
  const multiple = m[2] ? Number(m[2]) : 1;
  if (count < 1 || multiple < 1) return undefined;
  return { count, windowMs: multiple * UNITS[m[3].toLowerCase()] };
}

/** The flask-restx 429 message, e.g. `"50 per 1 second"`, `"30 per 1 minute"`. */
export function describeRateLimit(limit: RateLimit): string {
  for (const unit of ["day", "hour", "minute", "second"] as const) {
    const ms = UNITS[unit];
    if (limit.windowMs % ms === 0) return `${limit.count} per ${limit.windowMs / ms} ${unit}`;
  }
  return `${limit.count} per ${limit.windowMs / 1000} second`;
}

export interface RateLimiter {
  /**
   * Records a hit for (client, route) when allowed. Returns undefined when allowed, else the limit that refused it.
   * `client` is OpenAlgo's key function's value (the remote IP; the server adds the instance).
   */
  hit(client: string, route: string, bucket: string, nowMs: number): RateLimit | undefined;
  /** The limit a bucket name stands for (unknown names fall back to `api`, as OpenAlgo's default limit). */
  limitFor(bucket: string): RateLimit;
  /** Forgets every recorded hit (control-API reset). */
  clear(): void;
  config(): RateLimitConfig;
}

/**
 * The accepted hits of one key still inside the window, oldest first (`times[head..]`). Memory follows the hits
 * actually made, not the limit, so a limit raised to 100 000/s for a benchmark costs nothing up front.
 */
interface Window {
  times: number[];
  head: number;
}

export function createRateLimiter(overrides: Partial<RateLimitConfig> = {}): RateLimiter {
  const config: RateLimitConfig = { ...DEFAULT_RATE_LIMITS, ...overrides };
  for (const [bucket, l] of Object.entries(config)) {
    // A malformed override would otherwise switch the limit off without a word.
    if (!Number.isSafeInteger(l.count) || l.count < 1 || !(l.windowMs > 0)) {
      throw new RangeError(
        `Rate limit "${bucket}" needs a positive integer count and a positive windowMs, got ${JSON.stringify(l)}`,
      );
    }
  }
  const windows = new Map<string, Window>();
  const limitFor = (bucket: string): RateLimit => config[bucket as RateLimitBucket] ?? config.api;
  return {
    limitFor,
    hit(client, route, bucket, nowMs) {
      const limit = limitFor(bucket);
      const key = `${client}|${route}`;
      let w = windows.get(key);
      if (!w) windows.set(key, (w = { times: [], head: 0 }));
      const cutoff = nowMs - limit.windowMs;
      while (w.head < w.times.length && w.times[w.head] <= cutoff) w.head++;
      if (w.times.length - w.head >= limit.count) return limit;
      w.times.push(nowMs);
      // Compact now and then so the array does not grow without bound.
      if (w.head > 1024 && w.head * 2 > w.times.length) {
        w.times = w.times.slice(w.head);
        w.head = 0;
      }
      return undefined;
    },
    clear() {
      windows.clear();
    },
    config() {
      return config;
    },
  };
}
