/**
 * What linking an Upstox account asks for (API key, API secret, optionally another API URL), how its connection
 * failures are worded, and its default rate budget. The form's inputs are in ./form.ts.
 */
import { z } from "zod";
import type { BrokerWording } from "@/lib/brokers/connection";
import { brokerApiRoot, directWording } from "@/lib/brokers/direct-account";
import type { RateLimits } from "@/lib/brokers/rate-governor";
import { UPSTOX_API_ROOT } from "./sdk-client";

export const upstoxCredentials = z.object({
  hostUrl: brokerApiRoot(UPSTOX_API_ROOT),
  apiKey: z.string().trim().min(8, "Upstox API keys are longer").max(256),
  apiSecret: z.string().trim().min(4, "Upstox API secrets are longer").max(256),
});

/**
 * Upstox publishes, per user and per API, 10 order calls a second (500 a minute, 2 000 per 30 minutes) and 50 other
 * calls a second (500 a minute). The other budget stays at 10/s: a poller at 50/s would hit the minute cap in 10 s.
 */
export const upstoxDefaultLimits: RateLimits = { ordersPerSecond: 10, otherPerSecond: 10 };

export const upstoxWording: BrokerWording = directWording({
  name: "Upstox",
  sessionNote: "sessions end daily at 03:30 IST",
  authRejectedShort: "Refused by Upstox (expired session: log in again)",
  unreachableHint: "Check the API URL (blank means Upstox itself).",
});
