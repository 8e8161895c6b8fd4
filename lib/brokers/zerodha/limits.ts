/** Kite Connect's call rates, as the account's default budget (docs/brokers/zerodha.md). */
import type { RateLimits } from "@/lib/brokers/rate-governor";

/** Kite's published limits: 10 order requests/s and 10 other requests/s per API key; quotes 1/s (see `quotes`). */
export const ZERODHA_LIMITS: RateLimits = { ordersPerSecond: 10, otherPerSecond: 10 };
