/**
 * What linking an OpenAlgo account asks for (host URL, WebSocket URL, API key) and how its connection failures are
 * explained to the user. Registered in lib/brokers/registry.ts; the form's inputs are in ./form.ts.
 */
import { z } from "zod";
import { commonFailure, type BrokerWording, type ProbeChannel, type ProbeFailure } from "@/lib/brokers/connection";

const httpUrl = z
  .string()
  .max(500)
  .pipe(z.url({ protocol: /^https?$/, error: "Must be an http:// or https:// URL" }))
  .transform((u) => u.replace(/\/+$/, ""));
const wsUrl = z
  .string()
  .max(500)
  .pipe(z.url({ protocol: /^wss?$/, error: "Must be a ws:// or wss:// URL" }))
  .transform((u) => u.replace(/\/+$/, ""));
const apiKey = z.string().trim().min(8, "API keys are at least 8 characters").max(256);

export const openAlgoCredentials = z.object({ hostUrl: httpUrl, wsUrl, apiKey });

function describeFailure(reason: ProbeFailure, where: string, channel: ProbeChannel): string {
  switch (reason) {
    case "auth_rejected":
      return channel === "API"
        ? "OpenAlgo refused the API key. Either the key is wrong, or the broker session behind it has expired (OpenAlgo logs out daily at 03:00 IST): log in to your broker in OpenAlgo, check the key, and test again."
        : "The WebSocket refused the API key (wrong key or expired broker session)";
    case "not_openalgo":
      return `${where} answered, but not as an OpenAlgo ${channel === "API" ? "server (check the URL, including any path)" : "WebSocket proxy"}`;
    default:
      return commonFailure(reason, where);
  }
}

export const openAlgoWording: BrokerWording = {
  describeFailure,
  authRejectedShort: "Refused by OpenAlgo (wrong key or expired broker session)",
  unreachableHint: "Check the host URL and that OpenAlgo is running.",
};
