/**
 * What linking an Upstox account asks for (API key, API secret, optionally another API URL), how its connection
 * failures are worded, and its default rate budget. The form's inputs are in ./form.ts.
 */
import { z } from "zod";
import type { BrokerWording } from "@/lib/brokers/connection";
import { brokerApiRoot, directWording } from "@/lib/brokers/direct-account";

/** Upstox's API root: the default host URL of an account. */
export const UPSTOX_API_ROOT = "https://api.upstox.com";

export const upstoxCredentials = z.object({
  hostUrl: brokerApiRoot(UPSTOX_API_ROOT),
  apiKey: z.string().trim().min(8, "Upstox API keys are longer").max(256),
  apiSecret: z.string().trim().min(4, "Upstox API secrets are longer").max(256),
});

export const upstoxWording: BrokerWording = directWording({
  name: "Upstox",
  sessionNote: "sessions end daily at 03:30 IST",
  authRejectedShort: "Refused by Upstox (expired session: log in again)",
  unreachableHint: "Check the API URL (blank means Upstox itself).",
});
