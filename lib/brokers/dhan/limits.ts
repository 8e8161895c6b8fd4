/** Dhan's call rates: the account's default budget and the caps Dhan publishes (docs/brokers/dhan.md). */
import type { PublishedLimits } from "@/lib/brokers/published-limits";
import type { RateLimits } from "@/lib/brokers/rate-governor";

/** Dhan's published per-second limits: order APIs 10/s, non-trading APIs 20/s (quotes have their own 1/s). */
export const DHAN_RATE_LIMITS: RateLimits = { ordersPerSecond: 10, otherPerSecond: 20 };

/** Every cap Dhan publishes for the families the adapter uses (docs/brokers/dhan.md "Rate limits"). */
export const DHAN_PUBLISHED: PublishedLimits = {
  broker: "Dhan",
  windows: [
    { calls: ["order"], limit: 10, seconds: 1 },
    { calls: ["order"], limit: 250, seconds: 60 },
    { calls: ["order"], limit: 1_000, seconds: 3_600 },
    { calls: ["order"], limit: 7_000, seconds: 86_400 },
    { calls: ["quote"], limit: 1, seconds: 1 },
    { calls: ["other"], limit: 20, seconds: 1 },
  ],
};
