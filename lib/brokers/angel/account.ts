/**
 * What linking an Angel One account asks for (client id, SmartAPI app key and secret, optional API host) and how its
 * connection failures are explained to the user. The form's inputs are in ./form.ts.
 */
import { z } from "zod";
import type { BrokerWording, ProbeChannel, ProbeFailure } from "@/lib/brokers/connection";
import { ANGEL_API_ROOT } from "./wire";

const httpUrl = z
  .string()
  .trim()
  .max(500)
  .transform((u) => u || ANGEL_API_ROOT)
  .pipe(z.url({ protocol: /^https?$/, error: "Must be an http:// or https:// URL" }))
  .transform((u) => u.replace(/\/+$/, ""));

export const angelCredentials = z.object({
  hostUrl: httpUrl,
  apiKey: z.string().trim().min(4, "The SmartAPI app's API key").max(256),
  apiSecret: z.string().trim().min(4, "The SmartAPI app's secret key").max(256),
  clientId: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{3,20}$/, "Your Angel One client ID (letters and digits)")
    .transform((s) => s.toUpperCase()),
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
      return "Angel One refused the session or API key: log in to Angel One again from the account page (sessions end at midnight IST).";
    case "rate_limited":
      return `${where} is rate limiting requests; wait a moment and test again`;
    case "server_error":
      return `${where} answered with a server error`;
    case "not_openalgo":
      return `${where} answered, but not as Angel One's SmartAPI ${channel === "API" ? "(check the host URL, or leave it blank)" : ""}`.trim();
  }
}

export const angelWording: BrokerWording = {
  describeFailure,
  authRejectedShort: "Refused by Angel One (wrong API key or expired session)",
  unreachableHint: "Check the API host URL, or leave it blank for Angel One's own.",
};
