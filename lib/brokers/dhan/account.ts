/**
 * What linking a Dhan account asks for (docs/brokers/dhan.md "Account"): the API root (blank: Dhan's real one), the
 * app's API key and secret, and the trader's Dhan client id; and how connection failures are explained.
 */
import { z } from "zod";
import type { BrokerWording, ProbeChannel, ProbeFailure } from "@/lib/brokers/connection";
import { DHAN_API_ROOT } from "./hosts";

const hostUrl = z
  .string()
  .trim()
  .max(500)
  .transform((u) => u.replace(/\/+$/, "") || DHAN_API_ROOT)
  .pipe(z.url({ protocol: /^https?$/, error: "Must be an http:// or https:// URL" }));

export const dhanCredentials = z.object({
  hostUrl: hostUrl.default(DHAN_API_ROOT),
  apiKey: z.string().trim().min(4, "Dhan API keys are longer").max(256),
  apiSecret: z.string().trim().min(4, "Dhan API secrets are longer").max(256),
  clientId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, "The Dhan client id is the number shown on your Dhan profile"),
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
      return "Dhan refused the session: log in to Dhan again from the account page (sessions last 24 hours)";
    case "rate_limited":
      return `${where} is rate limiting requests; wait a moment and test again`;
    case "server_error":
      return `${where} answered with a server error`;
    case "not_openalgo":
      return `${where} answered, but not as Dhan's ${channel === "API" ? "API (leave the URL blank for Dhan's own)" : "stream"}`;
  }
}

export const dhanWording: BrokerWording = {
  describeFailure,
  authRejectedShort: "Refused by Dhan (wrong key or secret, or the day's login has expired)",
  unreachableHint: "Leave the API URL blank to use Dhan's own (https://api.dhan.co/v2).",
};
