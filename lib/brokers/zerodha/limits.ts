/** Kite Connect's call rates: the account's default budget and the caps Kite publishes (docs/brokers/zerodha.md). */
import type { PublishedLimits } from "@/lib/brokers/published-limits";
import type { RateLimits } from "@/lib/brokers/rate-governor";

/** Kite's published limits: 10 order requests/s and 10 other requests/s per API key; quotes 1/s (see below). */
export const ZERODHA_LIMITS: RateLimits = { ordersPerSecond: 10, otherPerSecond: 10 };

/** Every cap Kite publishes, enforced per account on top of its own budget (docs/brokers/zerodha.md "Rate limits"). */
export const ZERODHA_PUBLISHED: PublishedLimits = {
  broker: "Kite",
  windows: [
    { calls: ["order"], limit: 10, seconds: 1 },
    { calls: ["order"], limit: 400, seconds: 60 },
    { calls: ["order"], limit: 5_000, seconds: 86_400 },
    { calls: ["quote"], limit: 1, seconds: 1 },
    { calls: ["other"], limit: 10, seconds: 1 },
  ],
};
