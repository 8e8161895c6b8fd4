/** Angel One SmartAPI's call rates, as the account's default budget (docs/brokers/angel.md). */
import type { RateLimits } from "@/lib/brokers/rate-governor";

/** Angel's published limits: orders 20/s (10/s kept for the exchange's per-client cap), books 1/s. */
export const ANGEL_LIMITS: RateLimits = { ordersPerSecond: 10, otherPerSecond: 1 };
