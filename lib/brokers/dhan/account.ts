/**
 * What linking a Dhan account asks for (docs/brokers/dhan.md "Account"): the API root (blank: Dhan's real one), the
 * app's API key and secret, and the trader's Dhan client id; and how connection failures are explained.
 */
import { z } from "zod";
import type { BrokerWording } from "@/lib/brokers/connection";
import { brokerApiRoot, directWording } from "@/lib/brokers/direct-account";
import { DHAN_API_ROOT } from "./hosts";

export const dhanCredentials = z.object({
  hostUrl: brokerApiRoot(DHAN_API_ROOT),
  apiKey: z.string().trim().min(4, "Dhan API keys are longer").max(256),
  apiSecret: z.string().trim().min(4, "Dhan API secrets are longer").max(256),
  clientId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, "The Dhan client id is the number shown on your Dhan profile"),
});

export const dhanWording: BrokerWording = directWording({
  name: "Dhan",
  sessionNote: "sessions last 24 hours",
  authRejectedShort: "Refused by Dhan (wrong key or secret, or the day's login has expired)",
  unreachableHint: "Leave the API URL blank to use Dhan's own (https://api.dhan.co/v2).",
});
