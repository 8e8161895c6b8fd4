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
