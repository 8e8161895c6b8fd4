/**
 * What linking a Zerodha Kite Connect account asks for (the Kite app's API key and secret; the API root only for a
 * simulator or proxy) and how its connection failures are explained. The form's inputs are in ./form.ts.
 */
import { z } from "zod";
import type { BrokerWording } from "@/lib/brokers/connection";
import { brokerApiRoot, directWording } from "@/lib/brokers/direct-account";

/** Kite's real API root; the default of the account's host URL. */
export const KITE_API_ROOT = "https://api.kite.trade";

export const zerodhaCredentials = z.object({
  hostUrl: brokerApiRoot(KITE_API_ROOT),
  apiKey: z.string().trim().min(6, "Kite API keys are at least 6 characters").max(64),
  apiSecret: z.string().trim().min(6, "Kite API secrets are at least 6 characters").max(128),
});

export const zerodhaWording: BrokerWording = directWording({
  name: "Zerodha",
  sessionNote: "sessions end daily at 06:00 IST",
  authRejectedShort: "Refused by Zerodha (log in again, or check the API key and secret)",
  unreachableHint: "Leave the API root blank unless you use a simulator or proxy.",
});
