/** Angel One SmartAPI's call rates: the account's default budget and the caps Angel publishes (docs/brokers/angel.md). */
import type { PublishedLimits } from "@/lib/brokers/published-limits";
import type { RateLimits } from "@/lib/brokers/rate-governor";

/** Angel's published limits: orders 20/s (10/s kept for the exchange's per-client cap), books 1/s. */
export const ANGEL_LIMITS: RateLimits = { ordersPerSecond: 10, otherPerSecond: 1 };

/**
 * Angel counts per user and per endpoint; place, modify and cancel share these numbers, and the governor counts them
 * together, which is never more lenient (docs/brokers/angel.md "Rate limits"). Reads go through the account's 1/s.
 */
export const ANGEL_PUBLISHED: PublishedLimits = {
  broker: "Angel One",
  windows: [
    { calls: ["order"], limit: 20, seconds: 1 },
    { calls: ["order"], limit: 500, seconds: 60 },
    { calls: ["order"], limit: 1_000, seconds: 3_600 },
    { calls: ["quote"], limit: 10, seconds: 1 },
    { calls: ["quote"], limit: 500, seconds: 60 },
    { calls: ["quote"], limit: 5_000, seconds: 3_600 },
  ],
};
