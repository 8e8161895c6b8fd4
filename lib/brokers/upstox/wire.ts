/**
 * Upstox's answers (docs/brokers/upstox.md "Answers and errors"): the success envelope `{status:"success", data}`,
 * the error envelope `{status:"error", errors:[{error_code, message, property_path, ...}]}` and how each failure maps
 * onto the typed errors of lib/errors.ts.
 */
import { z } from "zod";
import {
  type AppError,
  BrokerAuthError,
  BrokerRejectedError,
  BrokerUnavailableError,
  BrokerValidationError,
  RateLimitedError,
} from "@/lib/errors";
import type { SdkOutcome } from "./sdk-client";

const errorEntry = z.looseObject({
  error_code: z.string().nullish(),
  errorCode: z.string().nullish(),
  message: z.string().nullish(),
  property_path: z.string().nullish(),
  propertyPath: z.string().nullish(),
});
const errorEnvelope = z.looseObject({ status: z.literal("error"), errors: z.array(errorEntry).min(1) });
const successEnvelope = z.looseObject({ status: z.literal("success"), data: z.unknown() });

export const ORDER_NOT_FOUND = "UDAPI100010";

export interface UpstoxErrorInfo {
  kind: "auth" | "rate_limited" | "validation" | "rejected" | "not_found" | "unavailable";
  code: string | null;
  message: string;
  fields?: Record<string, string[]>;
}

/** Classifies a non-success answer by HTTP status first, then Upstox's code and property path. */
export function classifyError(status: number, body: unknown): UpstoxErrorInfo {
  const parsed = errorEnvelope.safeParse(body);
  const first = parsed.success ? parsed.data.errors[0] : undefined;
  const code = first?.error_code ?? first?.errorCode ?? null;
  const text = first?.message ?? `HTTP ${status}`;
  const message = code ? `${text} (${code})` : text;
  const property = first?.property_path ?? first?.propertyPath ?? null;
  if (status === 401 || status === 403) return { kind: "auth", code, message };
  if (status === 429) return { kind: "rate_limited", code, message };
  if (status >= 500 || !parsed.success || status === 404) return { kind: "unavailable", code, message };
  if (code === ORDER_NOT_FOUND) return { kind: "not_found", code, message };
  if (property) return { kind: "validation", code, message, fields: { [property]: [text] } };
  return { kind: "rejected", code, message };
}

export function brokerError(info: UpstoxErrorInfo): AppError {
  switch (info.kind) {
    case "auth":
      return new BrokerAuthError(`Upstox refused the access token (expired or revoked session): ${info.message}`);
    case "rate_limited":
      return new RateLimitedError(`Upstox rate limit: ${info.message}`, 1);
    case "validation":
      return new BrokerValidationError(`Upstox refused the request: ${info.message}`, info.fields);
    case "rejected":
    case "not_found":
      return new BrokerRejectedError(info.message);
    case "unavailable":
      return new BrokerUnavailableError(`Upstox answered with an error: ${info.message}`, "server_error");
  }
}

export function transportError(f: Extract<SdkOutcome, { kind: "failure" }>): BrokerUnavailableError {
  const reason = f.code === "timeout" ? "timeout" : f.code === "bad_response" ? "bad_response" : "unreachable";
  return new BrokerUnavailableError(f.message, reason);
}

/** The `data` of a success answer, or undefined when the answer is not one. */
export function successData(out: SdkOutcome): unknown {
  if (out.kind !== "response" || out.status !== 200) return undefined;
  const parsed = successEnvelope.safeParse(out.body);
  return parsed.success ? (parsed.data.data ?? null) : undefined;
}
