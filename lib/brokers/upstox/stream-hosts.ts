/**
 * Where an Upstox stream may connect (docs/brokers/upstox.md "Stream hosts"). Upstox hands out a one-time stream URL
 * from an authorize call; that URL carries a code worth a session, so it is used only on Upstox's own hosts (when the
 * account talks to Upstox itself) or on the account's own host (a simulator or proxy root). Anything else is refused
 * before a socket is opened.
 */
import { z } from "zod";
import { BrokerUnavailableError } from "@/lib/errors";
import { isUpstoxRoot } from "./sdk-client";

/** Upstox's stream hosts are subdomains of this domain (`wsfeeder-api.upstox.com`, `api.upstox.com`, ...). */
const UPSTOX_DOMAIN = "upstox.com";

const authorizeData = z.union([
  z.looseObject({ authorized_redirect_uri: z.string().min(1) }).transform((d) => d.authorized_redirect_uri),
  z.looseObject({ authorizedRedirectUri: z.string().min(1) }).transform((d) => d.authorizedRedirectUri),
]);

/**
 * The authorized stream URL if `hostUrl`'s account may connect to it: `wss://` on Upstox's domain for Upstox's own
 * API root, otherwise the same host and port as `hostUrl` with the matching scheme (`ws://` for `http://`,
 * `wss://` for `https://`). Throws without naming the URL's query (it holds the one-time code).
 */
export function allowedStreamUrl(hostUrl: string, authorized: string): URL {
  let url: URL;
  try {
    url = new URL(authorized);
  } catch {
    throw new BrokerUnavailableError("Upstox answered a stream URL that is not a URL", "bad_response");
  }
  const account = new URL(hostUrl);
  const ok = isUpstoxRoot(hostUrl)
    ? url.protocol === "wss:" && (url.hostname === UPSTOX_DOMAIN || url.hostname.endsWith(`.${UPSTOX_DOMAIN}`))
    : url.host === account.host && url.protocol === (account.protocol === "https:" ? "wss:" : "ws:");
  if (!ok || url.username !== "" || url.password !== "")
    throw new BrokerUnavailableError(
      `Upstox's stream authorization pointed at ${url.protocol}//${url.host}, which is neither Upstox nor the ` +
        "account's host: not connecting",
      "bad_response",
    );
  return url;
}

/** The stream URL in an authorize call's `data`, checked with `allowedStreamUrl`. */
export function streamUrlOf(hostUrl: string, data: unknown): URL {
  const parsed = authorizeData.safeParse(data);
  if (!parsed.success) throw new BrokerUnavailableError("Unreadable stream authorization from Upstox", "bad_response");
  return allowedStreamUrl(hostUrl, parsed.data);
}
