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
import { accepted, type PlaceOrderResult, rejected, unknown } from "@/lib/brokers/types";
import { classifyDhanError, type DhanErrorInfo } from "./wire";

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
    const out = await http.request({ method: "GET", path: u.pathname });
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

/**
 * A placement's outcome (lib/brokers/types.ts): throws only when Dhan provably did not act — no connection, or a refusal
 * Dhan makes before recording an order (token, rate limit, request shape). A lost, garbled or 5xx answer is `unknown`;
 * DH-906 (Dhan's order error) is a rejection with Dhan's text.
 */
export function placeResult(out: HttpOutcome): PlaceOrderResult {
  if (out.kind === "failure") {
    if (!out.sent) throw transportError(out);
    return unknown(`${out.message}; the order may have reached Dhan`);
  }
  const b = out.body as { orderId?: unknown; orderStatus?: unknown } | undefined;
  if (out.status >= 200 && out.status < 300) {
    const id = typeof b?.orderId === "string" || typeof b?.orderId === "number" ? String(b.orderId) : "";
    if (!id) return unknown(`Unreadable placement answer from Dhan (HTTP ${out.status})`);
    return b?.orderStatus === "REJECTED" ? rejected("Rejected by Dhan", id) : accepted(id);
  }
  const info = classifyDhanError(out.status, out.body);
  switch (info.kind) {
    case "rejected":
      return rejected(info.message);
    case "auth":
    case "rate_limited":
    case "validation":
      throw brokerError(info);
    default:
      return unknown(info.message);
  }
}
