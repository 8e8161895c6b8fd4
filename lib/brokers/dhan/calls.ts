/**
 * Typed errors of Dhan answers and transport failures, and the scrip-master download (docs/brokers/dhan.md). Error
 * texts are Dhan's own words or ours about hosts: never a token, key or secret.
 */
import type { LookupFunction } from "node:net";
import type { MasterRow } from "@/lib/brokers/instruments";
import {
  type AppError,
  BrokerAuthError,
  BrokerRejectedError,
  BrokerUnavailableError,
  BrokerValidationError,
  RateLimitedError,
} from "@/lib/errors";
import { DhanHttp, type HttpOutcome } from "./http";
import { parseDhanMaster } from "./master";
import type { DhanErrorInfo } from "./wire";

export function brokerError(info: DhanErrorInfo): AppError {
  switch (info.kind) {
    case "auth":
      return new BrokerAuthError(
        `Dhan refused the access token (expired, revoked or not this client's): ${info.message}`,
      );
    case "rate_limited":
      return new RateLimitedError(info.message, 1);
    case "validation":
      return new BrokerValidationError(`Dhan refused the request: ${info.message}`);
    case "rejected":
    case "not_found":
      return new BrokerRejectedError(info.message);
    case "unavailable":
      return new BrokerUnavailableError(info.message, "server_error");
  }
}

export function transportError(f: Extract<HttpOutcome, { kind: "failure" }>): BrokerUnavailableError {
  return new BrokerUnavailableError(f.message, f.code === "timeout" ? "timeout" : "unreachable");
}

/** Downloads and parses the detailed scrip master (no token: it is a public file). */
export async function readMaster(
  url: string,
  transport: { connectTimeoutMs?: number; responseTimeoutMs?: number; lookup?: LookupFunction },
): Promise<MasterRow[]> {
  const u = new URL(url);
  const http = new DhanHttp(u.origin, {
    ...transport,
    responseTimeoutMs: Math.max(transport.responseTimeoutMs ?? 0, 60_000),
    maxBodyBytes: 256 * 1024 * 1024,
  });
  try {
    const out = await http.request({ method: "GET", path: u.pathname, raw: true });
    if (out.kind === "failure") throw transportError(out);
    if (out.status !== 200) throw new BrokerUnavailableError(`Dhan scrip master: HTTP ${out.status}`, "server_error");
    try {
      return parseDhanMaster(out.text);
    } catch {
      throw new BrokerUnavailableError("Dhan scrip master has an unexpected format", "bad_response");
    }
  } finally {
    http.close();
  }
}
