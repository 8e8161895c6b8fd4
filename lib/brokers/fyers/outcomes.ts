/**
 * Fyers answers and transport failures → the contract's typed errors and placement results (docs/brokers/fyers.md
 * "Errors", "Orders").
 */
import type { HttpOutcome } from "@/lib/brokers/openalgo/client";
import { type PlaceOrderResult, accepted, rejected, unknown } from "@/lib/brokers/types";
import {
  AppError,
  BrokerAuthError,
  BrokerRejectedError,
  BrokerUnavailableError,
  BrokerValidationError,
  RateLimitedError,
} from "@/lib/errors";
import { classify, type FyersErrorInfo, isOk, placedSchema } from "./wire";

type Failure = Extract<HttpOutcome, { kind: "failure" }>;

export function brokerError(info: FyersErrorInfo): AppError {
  switch (info.kind) {
    case "auth":
      return new BrokerAuthError(`Fyers refused the session (expired or invalid token): ${info.message}`);
    case "rate_limited":
      return new RateLimitedError(`Fyers rate limit: ${info.message}`, 1);
    case "validation":
      return new BrokerValidationError(`Fyers refused the request: ${info.message}`);
    case "rejected":
      return new BrokerRejectedError(info.message);
    case "unavailable":
      return new BrokerUnavailableError(`Fyers answered with an error: ${info.message}`, "server_error");
  }
}

export function transportError(f: Failure): BrokerUnavailableError {
  return new BrokerUnavailableError(f.message, f.code === "timeout" ? "timeout" : "unreachable");
}

/** Turns a placement outcome into a result; throws only when Fyers provably did not act (see types.ts). */
export function placeResult(out: HttpOutcome): PlaceOrderResult {
  if (out.kind === "failure") {
    if (!out.sent) throw transportError(out);
    return unknown(`${out.message}; the order may have reached Fyers`);
  }
  if (isOk(out.status, out.body)) {
    const placed = placedSchema.safeParse(out.body);
    return placed.success ? accepted(placed.data.id) : unknown("Fyers accepted the order without an order id");
  }
  const info = classify(out.status, out.body);
  switch (info.kind) {
    case "rejected": {
      const id = placedSchema.safeParse(out.body);
      return rejected(info.message, id.success ? id.data.id : undefined);
    }
    case "auth":
    case "rate_limited":
    case "validation":
      throw brokerError(info);
    case "unavailable":
      // A 5xx or garbled body may come after Fyers took the order.
      return unknown(info.message);
  }
}
