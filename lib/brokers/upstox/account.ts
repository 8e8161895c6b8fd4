/**
 * What linking an Upstox account asks for (API key, API secret, optionally another API URL), how its connection
 * failures are worded, and its default rate budget. The form's inputs are in ./form.ts.
 */
import { z } from "zod";
import type { BrokerWording, ProbeChannel, ProbeFailure } from "@/lib/brokers/connection";
import type { RateLimits } from "@/lib/brokers/rate-governor";
import { UPSTOX_API_ROOT } from "./sdk-client";

const hostUrl = z
  .string()
  .trim()
  .max(500)
  .transform((u) => u || UPSTOX_API_ROOT)
  .pipe(z.url({ protocol: /^https?$/, error: "Must be an http:// or https:// URL" }))
  .transform((u) => u.replace(/\/+$/, ""));

export const upstoxCredentials = z.object({
  hostUrl: hostUrl.default(UPSTOX_API_ROOT),
  apiKey: z.string().trim().min(8, "Upstox API keys are longer").max(256),
  apiSecret: z.string().trim().min(4, "Upstox API secrets are longer").max(256),
});

/**
 * Upstox publishes, per user and per API, 10 order calls a second (500 a minute, 2 000 per 30 minutes) and 50 other
 * calls a second (500 a minute). The other budget stays at 10/s: a poller at 50/s would hit the minute cap in 10 s.
 */
export const upstoxDefaultLimits: RateLimits = { ordersPerSecond: 10, otherPerSecond: 10 };

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
      return "Upstox refused the session. Upstox sessions end daily at 03:30 IST: log in to Upstox again from the account page.";
    case "rate_limited":
      return `${where} is rate limiting requests; wait a moment and test again`;
    case "server_error":
      return `${where} answered with a server error`;
    case "not_openalgo":
      return `${where} answered, but not as Upstox's ${channel === "API" ? "API (check the URL, or leave it blank)" : "stream"}`;
  }
}

export const upstoxWording: BrokerWording = {
  describeFailure,
  authRejectedShort: "Refused by Upstox (expired session: log in again)",
  unreachableHint: "Check the API URL (blank means Upstox itself).",
};
