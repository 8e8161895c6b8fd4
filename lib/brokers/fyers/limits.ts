/** Fyers API v3's call rates: the account's default budget and the caps Fyers publishes (docs/brokers/fyers.md). */
import type { PublishedLimits } from "@/lib/brokers/published-limits";
import type { RateLimits } from "@/lib/brokers/rate-governor";

/** Fyers' 10 calls a second per app, split between orders and everything else (docs/brokers/fyers.md "Rate limits"). */
export const FYERS_DEFAULT_LIMITS: RateLimits = { ordersPerSecond: 5, otherPerSecond: 5 };

/** Fyers counts every call of an app together: one shared second and minute window over all families. */
export const FYERS_PUBLISHED: PublishedLimits = {
  broker: "Fyers",
  windows: [
    { calls: ["order", "quote", "other"], limit: 10, seconds: 1 },
    { calls: ["order", "quote", "other"], limit: 200, seconds: 60 },
  ],
};
