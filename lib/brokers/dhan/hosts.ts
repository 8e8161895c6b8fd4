/**
 * Where each Dhan service lives for an account's `hostUrl` (docs/brokers/dhan.md "Hosts"). The real API root is
 * https://api.dhan.co/v2; the login runs on auth.dhan.co and the scrip master downloads from images.dhan.co. Any other
 * host URL (the simulator, a proxy) serves all three under one root: `<root>/v2` (the API, as typed), `<root>/auth`
 * and `<root>/api-data/...`, where `<root>` is the host URL without its trailing `/v2`.
 */
export const DHAN_API_ROOT = "https://api.dhan.co/v2";
const REAL_API_HOST = "api.dhan.co";
const MASTER_FILE = "/api-data/api-scrip-master-detailed.csv";

export interface DhanHosts {
  api: string;
  auth: string;
  /** Full URL of the detailed scrip master. */
  master: string;
}

export function dhanHosts(hostUrl: string): DhanHosts {
  const api = hostUrl.trim().replace(/\/+$/, "") || DHAN_API_ROOT;
  const url = new URL(api);
  if (url.hostname === REAL_API_HOST)
    return { api, auth: "https://auth.dhan.co", master: `https://images.dhan.co${MASTER_FILE}` };
  const root = api.replace(/\/v2$/, "");
  return { api, auth: `${root}/auth`, master: `${root}${MASTER_FILE}` };
}

export interface DhanStreamHosts {
  /** Live Market Feed, without its query. */
  feed: string;
  /** Live Order Update. */
  orders: string;
}

/**
 * Where the account's WebSockets live (docs/brokers/dhan.md "Hosts"): Dhan's own stream hosts when the host URL is
 * Dhan's API, otherwise `<root>/feed` and `<root>/order-update` on the account's own host (ws/wss after http/https),
 * so the token only ever goes to Dhan or to the host the account names.
 */
export function dhanStreamHosts(hostUrl: string): DhanStreamHosts {
  const { api } = dhanHosts(hostUrl);
  if (new URL(api).hostname === REAL_API_HOST)
    return { feed: "wss://api-feed.dhan.co", orders: "wss://api-order-update.dhan.co" };
  const root = new URL(api.replace(/\/v2$/, ""));
  root.protocol = root.protocol === "https:" ? "wss:" : "ws:";
  const base = root.toString().replace(/\/+$/, "");
  return { feed: `${base}/feed`, orders: `${base}/order-update` };
}
