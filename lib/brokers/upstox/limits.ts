/** Upstox's call rates, as the account's default budget (docs/brokers/upstox.md). */
import type { RateLimits } from "@/lib/brokers/rate-governor";

/**
 * Upstox publishes, per user and per API, 10 order calls a second (500 a minute, 2 000 per 30 minutes) and 50 other
 * calls a second (500 a minute). The other budget stays at 10/s: a poller at 50/s would hit the minute cap in 10 s.
 */
export const upstoxDefaultLimits: RateLimits = { ordersPerSecond: 10, otherPerSecond: 10 };
