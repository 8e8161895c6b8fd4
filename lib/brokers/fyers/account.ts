/**
 * What linking a Fyers account asks for (app id, app secret, optionally another API root) and how its connection
 * failures are explained to the user. The form's inputs are in ./form.ts.
 */
import { z } from "zod";
import type { BrokerWording, ProbeChannel, ProbeFailure } from "@/lib/brokers/connection";
import { FYERS_API_ROOT } from "./wire";

const hostUrl = z
  .string()
  .max(500)
  .transform((s) => s.trim() || FYERS_API_ROOT)
  .pipe(z.url({ protocol: /^https?$/, error: "Must be an http:// or https:// URL" }))
  .transform((u) => u.replace(/\/+$/, ""));
/** Fyers app ids look like `XXXXXXXXXX-100` (the suffix is the app type). */
const apiKey = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9]{2,30}-\d{3}$/, "A Fyers App ID looks like XXXXXXXXXX-100");
const apiSecret = z.string().trim().min(6, "The Secret ID is at least 6 characters").max(256);

export const fyersCredentials = z.object({ hostUrl, apiKey, apiSecret });

function describeFailure(reason: ProbeFailure, where: string, channel: ProbeChannel): string {
  switch (reason) {
    case "blocked_host":
      return `${where} resolves to a loopback, private or link-local address, which this server does not allow (BROKER_ALLOW_PRIVATE_HOSTS=false)`;
    case "unreachable":
      return `Cannot reach ${where} (name not found, connection refused or dropped)`;
    case "timeout":
      return `${where} did not answer in time`;
    case "tls":
      return `TLS handshake with ${where} failed (certificate untrusted, expired or for another name)`;
    case "auth_rejected":
      return channel === "API"
        ? "Fyers refused the session: log in to Fyers again from the account page (sessions end every night)."
        : "Fyers refused the session";
    case "rate_limited":
      return `${where} is rate limiting requests; wait a moment and test again`;
    case "server_error":
      return `${where} answered with a server error`;
    case "not_openalgo":
      return `${where} answered, but not as Fyers' API (leave the API URL blank for Fyers)`;
  }
}

export const fyersWording: BrokerWording = {
  describeFailure,
  authRejectedShort: "Refused by Fyers (log in again)",
  unreachableHint: "Check the API URL (blank means Fyers itself).",
};
