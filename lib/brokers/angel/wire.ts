/**
 * Angel One SmartAPI's addresses and answer envelopes (docs/brokers/angel.md): where the API, the publisher login and
 * the scrip master live for a given host URL, and how an answer is classified into the contract's error kinds.
 */
import { z } from "zod";
import { BrokerAuthError, BrokerRejectedError, BrokerUnavailableError, RateLimitedError } from "@/lib/errors";
import type { AngelOutcome } from "./http";

export const ANGEL_API_ROOT = "https://apiconnect.angelone.in";
const REAL_HOSTS = new Set(["apiconnect.angelone.in", "apiconnect.angelbroking.com"]);
const REAL_LOGIN = "https://smartapi.angelone.in/publisher-login";
const REAL_MASTER = "https://margincalculator.angelone.in/OpenAPI_File/files/OpenAPIScripMaster.json";
const REAL_MARKET_STREAM = "wss://smartapisocket.angelone.in/smart-stream";
const REAL_ORDER_STREAM = "wss://tns.angelone.in/smart-order-update";

export const PATHS = {
  generateTokens: "/rest/auth/angelbroking/jwt/v1/generateTokens",
  loginByPassword: "/rest/auth/angelbroking/user/v1/loginByPassword",
  profile: "/rest/secure/angelbroking/user/v1/getProfile",
  rms: "/rest/secure/angelbroking/user/v1/getRMS",
  placeOrder: "/rest/secure/angelbroking/order/v1/placeOrder",
  modifyOrder: "/rest/secure/angelbroking/order/v1/modifyOrder",
  cancelOrder: "/rest/secure/angelbroking/order/v1/cancelOrder",
  orderBook: "/rest/secure/angelbroking/order/v1/getOrderBook",
  tradeBook: "/rest/secure/angelbroking/order/v1/getTradeBook",
  positions: "/rest/secure/angelbroking/order/v1/getPosition",
  holdings: "/rest/secure/angelbroking/portfolio/v1/getHolding",
  quote: "/rest/secure/angelbroking/market/v1/quote",
} as const;

const isReal = (hostUrl: string) => REAL_HOSTS.has(new URL(hostUrl).host);
const trimmed = (hostUrl: string) => hostUrl.replace(/\/+$/, "");

/** The publisher login page: Angel's own for its API host, else `<hostUrl>/publisher-login` (the simulator). */
export function loginUrl(hostUrl: string): string {
  return isReal(hostUrl) ? REAL_LOGIN : `${trimmed(hostUrl)}/publisher-login`;
}

/** The scrip master download: Angel's own host for its API host, else below `hostUrl` at the same path. */
export function masterUrl(hostUrl: string): { base: string; path: string } {
  const url = new URL(isReal(hostUrl) ? REAL_MASTER : `${trimmed(hostUrl)}/OpenAPI_File/files/OpenAPIScripMaster.json`);
  const cut = url.pathname.indexOf("/OpenAPI_File/");
  return { base: url.origin + url.pathname.slice(0, cut), path: url.pathname.slice(cut) };
}

/**
 * The two WebSocket streams (docs/brokers/angel.md "Hosts"): Angel's own stream hosts for its API host, else below
 * `hostUrl` itself (`http` → `ws`, `https` → `wss`), so the session's tokens only ever go to Angel or to the account's
 * own host.
 */
export function streamUrls(hostUrl: string): { marketData: string; orders: string } {
  if (isReal(hostUrl)) return { marketData: REAL_MARKET_STREAM, orders: REAL_ORDER_STREAM };
  const url = new URL(trimmed(hostUrl));
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`Not an HTTP host URL: ${url.protocol}`);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.search = "";
  url.hash = "";
  const root = url.toString().replace(/\/+$/, "");
  return { marketData: `${root}/smart-stream`, orders: `${root}/smart-order-update` };
}

/** Both envelopes: the services' `{status, message, errorcode, data}` and the gateway's `{success, errorCode}`. */
const envelope = z.object({
  status: z.boolean().optional(),
  success: z.boolean().optional(),
  message: z.string().nullish(),
  errorcode: z.string().nullish(),
  errorCode: z.string().nullish(),
  data: z.unknown(),
});
export type Envelope = z.infer<typeof envelope>;

export const RATE_LIMIT_TEXT = "exceeding access rate";

export type Classified =
  | { kind: "ok"; data: unknown }
  | { kind: "auth" | "rate_limited" | "rejected" | "unavailable"; code: string; message: string };

/** Refresh-token and session codes (AB8050/AB8051 refresh token, AB1010 session, AB1011 not logged in). */
const AUTH_CODES = new Set(["AB8050", "AB8051", "AB1010", "AB1011"]);

export function classify(out: Extract<AngelOutcome, { kind: "response" }>): Classified {
  if (out.status === 429 || out.text.includes(RATE_LIMIT_TEXT))
    return { kind: "rate_limited", code: "429", message: "Angel One rate limit exceeded" };
  const parsed = envelope.safeParse(out.body);
  if (!parsed.success)
    return { kind: "unavailable", code: String(out.status), message: `Unreadable answer (HTTP ${out.status})` };
  const e = parsed.data;
  const code = e.errorcode || e.errorCode || "";
  const message = e.message || "Error not specified";
  if (out.status === 200 && (e.status === true || e.success === true)) return { kind: "ok", data: e.data };
  if (code.startsWith("AG") || AUTH_CODES.has(code)) return { kind: "auth", code, message };
  if (out.status >= 500) return { kind: "unavailable", code: code || String(out.status), message };
  return { kind: "rejected", code, message };
}

/** The typed error of a classified failure; the broker's own words, never a token. */
export function errorOf(c: Exclude<Classified, { kind: "ok" }>) {
  switch (c.kind) {
    case "auth":
      return new BrokerAuthError(`Angel One refused the session or API key (${c.code}: ${c.message})`);
    case "rate_limited":
      return new RateLimitedError(c.message, 1);
    case "unavailable":
      return new BrokerUnavailableError(`Angel One: ${c.message}`, "server_error");
    case "rejected":
      return new BrokerRejectedError(c.code ? `${c.message} (${c.code})` : c.message);
  }
}
