/** Upstox's call rates: the account's default budget and the caps Upstox publishes (docs/brokers/upstox.md). */
import type { PublishedLimits } from "@/lib/brokers/published-limits";
import type { RateLimits } from "@/lib/brokers/rate-governor";

/**
 * The other budget stays at 10/s although Upstox allows 50/s: a poller at 50/s would spend the minute cap in 10 s.
 */
export const upstoxDefaultLimits: RateLimits = { ordersPerSecond: 10, otherPerSecond: 10 };

/**
 * Upstox counts per user and per API; the governor counts per family, which is never more lenient (docs/brokers/
 * upstox.md "Rate limits"). Order calls: the limits for algos not registered with the exchange.
 */
export const UPSTOX_PUBLISHED: PublishedLimits = {
  broker: "Upstox",
  windows: [
    { calls: ["order"], limit: 10, seconds: 1 },
    { calls: ["order"], limit: 500, seconds: 60 },
    { calls: ["order"], limit: 2_000, seconds: 1_800 },
    { calls: ["other"], limit: 50, seconds: 1 },
    { calls: ["other"], limit: 500, seconds: 60 },
    { calls: ["other"], limit: 2_000, seconds: 1_800 },
  ],
};
