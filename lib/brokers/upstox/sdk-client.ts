/**
 * The official `upstox-js-sdk`, unchanged, as the connector's transport (docs/brokers/upstox.md "SDK"): one ApiClient
 * per account whose `basePath` is the account's host URL (and whose order host is Upstox's HFT host only when that
 * URL is Upstox's own API root), with a keep-alive agent that resolves through the operator's host policy. Each call
 * settles as an answer (status and raw JSON body) or a failure that says whether the request may have left.
 */
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import {
  ApiClient,
  LoginApi,
  MarketQuoteApi,
  OrderApi,
  PortfolioApi,
  UserApi,
  WebsocketApi,
  type SdkCallback,
  type SdkError,
} from "upstox-js-sdk";

import { UPSTOX_API_ROOT } from "./account";

export { UPSTOX_API_ROOT };
/** Upstox serves place/modify/cancel on a separate low-latency host. */
const UPSTOX_ORDER_ROOT = "https://api-hft.upstox.com";
/** The `Api-Version` header value of every v2 call. */
export const API_VERSION = "2.0";

export type SdkOutcome =
  | { kind: "response"; status: number; body: unknown; date: string | null }
  | { kind: "failure"; code: "timeout" | "unreachable" | "reset" | "bad_response"; sent: boolean; message: string };

export interface UpstoxApis {
  readonly host: string;
  client: ApiClient;
  login: LoginApi;
  user: UserApi;
  order: OrderApi;
  portfolio: PortfolioApi;
  quote: MarketQuoteApi;
  websocket: WebsocketApi;
  close(): void;
}

export interface TransportOptions {
  lookup?: LookupFunction;
  /** Whole-answer timeout, ms (default 10 000). */
  responseMs?: number;
}

export function isUpstoxRoot(root: string): boolean {
  return root.replace(/\/+$/, "") === UPSTOX_API_ROOT;
}

export function createApis(hostUrl: string, options: TransportOptions = {}): UpstoxApis {
  const root = hostUrl.replace(/\/+$/, "");
  const client = new ApiClient(false);
  client.basePath = root;
  client.orderBasePath = isUpstoxRoot(root) ? UPSTOX_ORDER_ROOT : root;
  client.timeout = options.responseMs ?? 10_000;
  const agent = root.startsWith("https:")
    ? new https.Agent({ keepAlive: true, lookup: options.lookup })
    : new http.Agent({ keepAlive: true, lookup: options.lookup });
  client.requestAgent = agent;
  return {
    host: new URL(root).host,
    client,
    login: new LoginApi(client),
    user: new UserApi(client),
    order: new OrderApi(client),
    portfolio: new PortfolioApi(client),
    quote: new MarketQuoteApi(client),
    websocket: new WebsocketApi(client),
    close: () => agent.destroy(),
  };
}

const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "EPRIVATEHOST"]);

/**
 * A failure without an HTTP answer. The texts are ours: superagent's errors carry the request, headers included, so
 * nothing of them but the error code is kept.
 */
function failureOf(error: SdkError | null): SdkOutcome {
  if (!error) return { kind: "failure", code: "bad_response", sent: true, message: "No answer" };
  if (error.rawResponse !== undefined)
    return { kind: "failure", code: "bad_response", sent: true, message: "Unreadable answer from Upstox" };
  const code = error.code ?? "";
  if (error.timeout !== undefined || code === "ETIMEDOUT" || code === "ECONNABORTED")
    return { kind: "failure", code: "timeout", sent: true, message: "Upstox did not answer in time" };
  if (NOT_SENT.has(code))
    return { kind: "failure", code: "unreachable", sent: false, message: `Cannot reach Upstox (${code})` };
  return {
    kind: "failure",
    code: "reset",
    sent: true,
    message: `The connection to Upstox dropped before an answer${code ? ` (${code})` : ""}`,
  };
}

/** How an adapter call starts its SDK call on the account's APIs. */
export type Start = (apis: UpstoxApis) => Parameters<typeof sdkCall>[0];

/** Runs one SDK call. Never rejects: a throw from the SDK itself (a missing argument) is a failure before sending. */
export function sdkCall(start: (callback: SdkCallback) => unknown): Promise<SdkOutcome> {
  return new Promise((resolve) => {
    try {
      start((error, _data, response) => {
        const answer = response ?? error?.response;
        if (answer && typeof answer.status === "number") {
          let body = answer.body;
          // superagent leaves bodies of non-JSON content types unparsed.
          if (
            (body === undefined || (typeof body === "object" && body !== null && !Object.keys(body).length)) &&
            answer.text
          )
            try {
              body = JSON.parse(answer.text);
            } catch {
              body = undefined;
            }
          resolve({ kind: "response", status: answer.status, body, date: answer.headers?.date ?? null });
        } else resolve(failureOf(error));
      });
    } catch {
      resolve({ kind: "failure", code: "unreachable", sent: false, message: "The Upstox SDK refused the call" });
    }
  });
}
