/**
 * Where an account's Kite ticker is (docs/brokers/zerodha.md "Market data stream"). Kite serves it on its own host,
 * `wss://ws.kite.trade`, not under the API root; an account whose host URL is anything else (the simulator, a proxy)
 * gets it under that host URL, so the API key and token only ever go to Kite's own hosts or the account's own host.
 */
import { KITE_API_ROOT } from "./account";

export const KITE_TICKER_ROOT = "wss://ws.kite.trade";

/** The ticker URL of an account with host URL `hostUrl`, with its credentials in the query as Kite wants them. */
export function kiteTickerUrl(hostUrl: string, apiKey: string, accessToken: string): string {
  const root = hostUrl.trim().replace(/\/+$/, "");
  const base = root === KITE_API_ROOT ? KITE_TICKER_ROOT : root.replace(/^http(s?):\/\//i, "ws$1://");
  if (!/^wss?:\/\//i.test(base)) throw new Error("the account's host URL is not an http(s) URL");
  const query = new URLSearchParams({ api_key: apiKey, access_token: accessToken });
  return `${base}/?${query}`;
}
