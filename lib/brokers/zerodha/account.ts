/**
 * What linking a Zerodha Kite Connect account asks for (the Kite app's API key and secret; the API root only for a
 * simulator or proxy) and how its connection failures are explained. The form's inputs are in ./form.ts.
 */
import { z } from "zod";
import type { BrokerWording, ProbeChannel, ProbeFailure } from "@/lib/brokers/connection";
import { KITE_API_ROOT } from "./kite-client";

/** Blank or absent means Kite's real API root; a simulator's or proxy's root is typed in for tests and demos. */
const hostUrl = z
  .string()
  .trim()
  .max(500)
  .optional()
  .transform((u) => (u ? u : KITE_API_ROOT))
  .pipe(z.url({ protocol: /^https?$/, error: "Must be an http:// or https:// URL" }))
  .transform((u) => u.replace(/\/+$/, ""));

export const zerodhaCredentials = z.object({
  hostUrl,
  apiKey: z.string().trim().min(6, "Kite API keys are at least 6 characters").max(64),
  apiSecret: z.string().trim().min(6, "Kite API secrets are at least 6 characters").max(128),
});

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
      return "Zerodha refused the session: log in to Zerodha again from the account page (sessions end daily at 06:00 IST)";
    case "rate_limited":
      return `${where} is rate limiting requests; wait a moment and test again`;
    case "server_error":
      return `${where} answered with a server error`;
    case "not_openalgo":
      return `${where} answered, but not as Kite Connect's ${channel === "API" ? "API (leave the API root blank for Zerodha itself)" : "stream"}`;
  }
}

export const zerodhaWording: BrokerWording = {
  describeFailure,
  authRejectedShort: "Refused by Zerodha (log in again, or check the API key and secret)",
  unreachableHint: "Leave the API root blank unless you use a simulator or proxy.",
};
