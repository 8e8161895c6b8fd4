/**
 * What linking a Fyers account asks for (app id, app secret, optionally the PIN and another API root) and how its connection
 * failures are explained to the user. The form's inputs are in ./form.ts.
 */
import { z } from "zod";
import type { BrokerWording } from "@/lib/brokers/connection";
import { brokerApiRoot, directWording } from "@/lib/brokers/direct-account";
import { FYERS_API_ROOT } from "./wire";

/** Fyers app ids look like `XXXXXXXXXX-100` (the suffix is the app type). */
const apiKey = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9]{2,30}-\d{3}$/, "A Fyers App ID looks like XXXXXXXXXX-100");
const apiSecret = z.string().trim().min(6, "The Secret ID is at least 6 characters").max(256);
/**
 * The trader's 4-digit Fyers PIN, optional: with it, the session renews itself from the refresh token for about 15
 * days (docs/brokers/fyers.md "Login"). Blank ("") means none, or, editing, keep the stored one.
 */
const pin = z
  .string()
  .optional()
  .transform((v) => (v ?? "").trim())
  .pipe(z.string().regex(/^(\d{4})?$/, "The Fyers PIN is 4 digits"));

export const fyersCredentials = z.object({ hostUrl: brokerApiRoot(FYERS_API_ROOT), apiKey, apiSecret, pin });

export const fyersWording: BrokerWording = directWording({
  name: "Fyers",
  sessionNote: "sessions end every night",
  authRejectedShort: "Refused by Fyers (log in again)",
  unreachableHint: "Check the API URL (blank means Fyers itself).",
});
