/** Methods that change state; only these are checked for cross-site origin. */
export const MUTATING_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export interface OriginPolicy {
  /** The public URL of the app (APP_URL); its origin is always accepted. */
  appUrl: string;
  /** Also accept the origin the request was addressed to (Host / X-Forwarded-Host), as next-auth does with AUTH_TRUST_HOST. */
  trustHost: boolean;
}

function firstValue(h: string | null): string | undefined {
  return h?.split(",")[0]?.trim() || undefined;
}

/**
 * True when a state-changing request comes from MirrorDesk's own pages. Browsers mark every request with
 * `Sec-Fetch-Site`, which pages cannot forge: when present it must be `same-origin`. Browsers without it send `Origin`
 * on every POST/PUT/PATCH/DELETE, which must then be APP_URL's origin or, with `trustHost`, the host the request was
 * addressed to. A request with neither header is refused: API clients outside a browser send `Origin` explicitly.
 */
export function isSameOriginRequest(headers: Headers, policy: OriginPolicy): boolean {
  const site = headers.get("sec-fetch-site");
  if (site !== null) return site === "same-origin";
  const origin = headers.get("origin");
  if (!origin || origin === "null") return false;
  let originUrl: URL;
  try {
    originUrl = new URL(origin);
  } catch {
    return false;
  }
  if (originUrl.origin === new URL(policy.appUrl).origin) return true;
  if (!policy.trustHost) return false;
  const host = firstValue(headers.get("x-forwarded-host")) ?? headers.get("host");
  if (!host || originUrl.host !== host.toLowerCase()) return false;
  const proto = firstValue(headers.get("x-forwarded-proto"));
  return !proto || originUrl.protocol === `${proto.toLowerCase()}:`;
}

/** True when the Content-Type is JSON (`application/json`, with or without parameters). */
export function isJsonContentType(headers: Headers): boolean {
  const type = headers.get("content-type")?.split(";")[0]?.trim().toLowerCase();
  return type === "application/json";
}
