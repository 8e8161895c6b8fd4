/**
 * The official `kiteconnect` SDK, used unchanged, and the one place its answers and rejections become MirrorDesk's
 * typed errors (docs/brokers/zerodha.md "Errors"). The SDK's options have no HTTP agent and its rejections drop the
 * HTTP status, so two settings go through the axios instance it keeps (`requestInstance`): agents that resolve hosts
 * with the operator's host policy, and a last response transform that records the HTTP status on error bodies
 * (a 429 and a 5xx both arrive as `NetworkException` otherwise).
 */
import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import type { LookupFunction } from "node:net";
import { KiteConnect } from "kiteconnect";
import { type PlaceOrderResult, rejected, unknown } from "@/lib/brokers/types";
import {
  type AppError,
  BrokerAuthError,
  BrokerRejectedError,
  BrokerUnavailableError,
  BrokerValidationError,
  RateLimitedError,
} from "@/lib/errors";

export type Kite = InstanceType<typeof KiteConnect>;

export { KITE_API_ROOT } from "./account";

const HTTP_STATUS = Symbol("kite-http-status");

type Transform = (data: unknown, headers: unknown, status?: number) => unknown;
interface AxiosInside {
  defaults: { httpAgent?: unknown; httpsAgent?: unknown };
  interceptors: { request: { use(f: (config: { transformResponse?: Transform | Transform[] }) => unknown): unknown } };
}

function tagStatus(data: unknown, _headers: unknown, status?: number): unknown {
  if (typeof data === "object" && data !== null && status !== undefined && !Object.isFrozen(data))
    Object.defineProperty(data, HTTP_STATUS, { value: status, enumerable: false });
  return data;
}

export interface KiteClientOptions {
  root: string;
  apiKey: string;
  accessToken?: string;
  /** Whole-request timeout, ms (the SDK has one timeout, no separate connect timeout). */
  timeoutMs?: number;
  lookup?: LookupFunction;
}

/** A configured SDK client and a function that releases its pooled connections. */
export function createKite(o: KiteClientOptions): { kc: Kite; close(): void } {
  const kc = new KiteConnect({ api_key: o.apiKey, root: o.root, timeout: o.timeoutMs ?? 10_000 });
  if (o.accessToken) kc.setAccessToken(o.accessToken);
  const inside = (kc as unknown as { requestInstance?: AxiosInside }).requestInstance;
  // Without these two settings error statuses and the host policy would be lost silently: refuse instead.
  if (!inside?.defaults || !inside.interceptors) throw new Error("kiteconnect no longer exposes its HTTP client");
  const httpAgent = new HttpAgent({ keepAlive: true, lookup: o.lookup });
  const httpsAgent = new HttpsAgent({ keepAlive: true, lookup: o.lookup });
  inside.defaults.httpAgent = httpAgent;
  inside.defaults.httpsAgent = httpsAgent;
  inside.interceptors.request.use((config) => {
    const t = config.transformResponse;
    config.transformResponse = [...(Array.isArray(t) ? t : t ? [t] : []), tagStatus];
    return config;
  });
  return {
    kc,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** What a failed SDK call tells: an answer from Kite (status, Kite's error class and text), or no usable answer. */
export type KiteFailure =
  { kind: "answered"; status: number; errorType: string; message: string } | { kind: "no_answer"; message: string };

export function kiteFailureOf(e: unknown): KiteFailure {
  if (typeof e === "object" && e !== null) {
    const status = (e as { [HTTP_STATUS]?: unknown })[HTTP_STATUS];
    const errorType = (e as { error_type?: unknown }).error_type;
    const message = (e as { message?: unknown }).message;
    if (typeof status === "number" && typeof errorType === "string")
      return { kind: "answered", status, errorType, message: typeof message === "string" ? message : errorType };
  }
  // The SDK's own NetworkException (no response, or a non-JSON error page) and anything else: nothing readable came.
  return { kind: "no_answer", message: "no usable answer from Zerodha" };
}

/** A resolved value that is the SDK's "unknown content type" object rather than data. */
export function isSdkGarbage(value: unknown): boolean {
  return typeof value === "object" && value !== null && !Array.isArray(value) && "error_type" in value;
}

/** Keeps secrets out of texts that may reach logs or callers, whatever the broker echoed. */
export function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text.slice(0, 300);
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join("***");
  return out;
}

/** The typed error of a failed read or order change (placements are decided in the adapter). */
export function kiteError(f: KiteFailure, what: string, secrets: readonly (string | undefined)[]): AppError {
  if (f.kind === "no_answer") return new BrokerUnavailableError(`Zerodha ${what}: ${f.message}`, "unreachable");
  const text = `Zerodha ${what}: ${scrub(f.message, secrets)}`;
  if (f.status === 429) return new RateLimitedError(text, 1);
  if (f.errorType === "TokenException")
    return new BrokerAuthError(`Zerodha refused the session (expired, revoked or wrong API key): log in again`);
  if (f.status >= 500) return new BrokerUnavailableError(text, "server_error");
  if (f.errorType === "DataException") return new BrokerUnavailableError(text, "bad_response");
  if (f.errorType === "InputException") return new BrokerValidationError(text);
  return new BrokerRejectedError(text);
}

/**
 * A failed placement: thrown only when Kite provably did not take the order (lib/brokers/types.ts) — a 429, a refused
 * token, a refused request shape; Kite's order refusals are `rejected`; a lost answer or a 5xx is `unknown`.
 */
export function placementOutcome(e: unknown, secrets: readonly (string | undefined)[]): PlaceOrderResult {
  const f = kiteFailureOf(e);
  if (f.kind === "no_answer") return unknown("No answer from Zerodha; the order may have reached the broker");
  const error = kiteError(f, "order placement", secrets);
  if (f.status >= 500) return unknown(`${error.message}; the order may have reached the broker`);
  if (f.errorType === "OrderException" || f.errorType === "PermissionException")
    return rejected(scrub(f.message, secrets));
  throw error;
}
