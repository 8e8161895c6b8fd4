/**
 * "Test connection" in broker-neutral terms: each kind's probe answers with verdicts from this fixed vocabulary —
 * never the remote server's own words, so the test cannot be used to read pages from, or map, other hosts — and
 * each kind words those verdicts for the user (its `BrokerWording` in the registry).
 */
import type { LookupFunction } from "node:net";
import type { TradingMode } from "@/lib/brokers/types";

/**
 * Why a probe failed. `not_openalgo` means "answered, but not as this kind's server"; the value is kept as it is
 * because audit rows and API answers already carry it.
 */
export type ProbeFailure =
  | "blocked_host"
  | "unreachable"
  | "timeout"
  | "tls"
  | "auth_rejected"
  | "rate_limited"
  | "server_error"
  | "not_openalgo";

export type ProbeChannel = "API" | "WebSocket";

export type ProbeVerdict<Ok extends object = object> =
  ({ ok: true } & Ok) | { ok: false; reason: ProbeFailure; message: string };
export type ApiVerdict = ProbeVerdict<{ broker: string; mode: TradingMode }>;
export type WsVerdict = ProbeVerdict;

export interface ConnectionReport {
  api: ApiVerdict;
  ws: WsVerdict;
}

/** How one kind explains connection and authentication failures to the user. */
export interface BrokerWording {
  /** What a failure means, by reason; `where` is the host the user typed (never anything the remote said). */
  describeFailure(reason: ProbeFailure, where: string, channel: ProbeChannel): string;
  /** Short text on the credential field when the broker refused the credentials. */
  authRejectedShort: string;
  /** Appended to an API failure other than a refusal: what to check. */
  unreachableHint: string;
}

/** A kind's two probes, each given the resolver the operator's host policy allows. */
export interface BrokerProbe {
  api(hostUrl: string, apiKey: string, lookup: LookupFunction): Promise<ApiVerdict>;
  ws(wsUrl: string, apiKey: string, lookup: LookupFunction): Promise<WsVerdict>;
}

export const probeFailure = (wording: BrokerWording, reason: ProbeFailure, where: string, channel: ProbeChannel) => ({
  ok: false as const,
  reason,
  message: wording.describeFailure(reason, where, channel),
});

/** How the failures every kind words alike read: the host's address and transport, never what the host said. */
export function commonFailure(reason: Exclude<ProbeFailure, "auth_rejected" | "not_openalgo">, where: string): string {
  switch (reason) {
    case "blocked_host":
      return `${where} resolves to a loopback, private or link-local address, which this server does not allow (BROKER_ALLOW_PRIVATE_HOSTS=false)`;
    case "unreachable":
      return `Cannot reach ${where} (name not found, connection refused or dropped)`;
    case "timeout":
      return `${where} did not answer in time`;
    case "tls":
      return `TLS handshake with ${where} failed (certificate untrusted, expired or for another name)`;
    case "rate_limited":
      return `${where} is rate limiting requests; wait a moment and test again`;
    case "server_error":
      return `${where} answered with a server error`;
  }
}
