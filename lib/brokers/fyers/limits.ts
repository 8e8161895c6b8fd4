/** Fyers API v3's call rates, as the account's default budget (docs/brokers/fyers.md). */
import type { RateLimits } from "@/lib/brokers/rate-governor";

/** Fyers' 10 calls a second per app, split between orders and everything else (docs/brokers/fyers.md "Rate limits"). */
export const FYERS_DEFAULT_LIMITS: RateLimits = { ordersPerSecond: 5, otherPerSecond: 5 };
