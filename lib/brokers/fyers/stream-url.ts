/**
 * Where a Fyers account's streams live (docs/brokers/fyers.md "Order updates"). For Fyers' own API root the stream
 * is on Fyers' documented socket host; for any other root (the simulator, a proxy) it is served under that root. So
 * the access token only ever goes to Fyers' own hosts or to the account's own host.
 */
import { FYERS_API_ROOT } from "./wire";

/** Fyers' socket host (order and data sockets). */
export const FYERS_SOCKET_ROOT = "wss://socket.fyers.in";

/** The order socket's path, on Fyers' socket host or under the account's API root. */
export const FYERS_ORDER_SOCKET_PATH = "/trade/v3";

/** True when `hostUrl` is Fyers' own API host (the default root), not a simulator or proxy. */
export function isFyersApiHost(hostUrl: string): boolean {
  const u = new URL(hostUrl);
  return u.protocol === "https:" && u.host === new URL(FYERS_API_ROOT).host;
}

/** The WebSocket URL of a stream (`path`, e.g. the order socket's) for an account whose API root is `hostUrl`. */
export function fyersStreamUrl(hostUrl: string, path: string): string {
  if (isFyersApiHost(hostUrl)) return FYERS_SOCKET_ROOT + path;
  const u = new URL(hostUrl);
  u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
  u.pathname = u.pathname.replace(/\/+$/, "") + path;
  u.search = "";
  u.hash = "";
  return u.toString();
}
