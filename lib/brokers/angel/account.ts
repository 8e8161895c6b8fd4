/**
 * What linking an Angel One account asks for (client id, SmartAPI app key and secret, optional API host) and how its
 * connection failures are explained to the user. The form's inputs are in ./form.ts.
 */
import { z } from "zod";
import type { BrokerWording } from "@/lib/brokers/connection";
import { brokerApiRoot, directWording } from "@/lib/brokers/direct-account";
import { ANGEL_API_ROOT } from "./wire";

export const angelCredentials = z.object({
  hostUrl: brokerApiRoot(ANGEL_API_ROOT),
  apiKey: z.string().trim().min(4, "The SmartAPI app's API key").max(256),
  apiSecret: z.string().trim().min(4, "The SmartAPI app's secret key").max(256),
  clientId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{3,20}$/, "Your Angel One client ID (letters and digits)")
    .transform((s) => s.toUpperCase()),
});

export const angelWording: BrokerWording = directWording({
  name: "Angel One",
  sessionNote: "sessions end at midnight IST",
  authRejectedShort: "Refused by Angel One (wrong API key or expired session)",
  unreachableHint: "Check the API host URL, or leave it blank for Angel One's own.",
});
