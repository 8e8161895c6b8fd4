/** Dhan's call rates, as the account's default budget (docs/brokers/dhan.md). */
import type { RateLimits } from "@/lib/brokers/rate-governor";

/** Dhan's published per-second limits: order APIs 10/s, non-trading APIs 20/s (quotes have their own 1/s). */
export const DHAN_RATE_LIMITS: RateLimits = { ordersPerSecond: 10, otherPerSecond: 20 };
export const QUOTE_LIMITS: Partial<RateLimits> = { otherPerSecond: 1 };
