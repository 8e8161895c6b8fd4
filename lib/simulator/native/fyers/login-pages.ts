/**
 * The simulated Fyers login (docs/brokers/fyers.md "Login"): `GET /api/v3/generate-authcode` shows a login page for
 * the app's trader, its form's POST redirects to the app's redirect URL with `s=ok&code=200&auth_code=…&state=…`,
 * `POST /api/v3/validate-authcode` trades the auth code and `sha256(app_id:app_secret)` for the day's access token and
 * a refresh token, and `POST /api/v3/validate-refresh-token` renews the access token with the refresh token and PIN.
 * Expiries are on the simulated clock: the access token dies at the next midnight IST, the refresh token after 15 days.
 */
import { createHash } from "node:crypto";
import type { InstanceState } from "@/lib/simulator/types";
import type { Reply } from "@/lib/simulator/server/rest";
import { addDays, istDateOf, istInstant } from "@/lib/trading/calendar";
import type { NativeContext } from "../front-end";

export const FYERS = "fyers";
export const FYERS_REFRESH = "fyers-refresh";
export const REFRESH_LIFE_MS = 15 * 86_400_000;

const json = (status: number, body: unknown): Reply => ({ status, body: JSON.stringify(body) });
const error = (status: number, code: number, message: string): Reply => json(status, { s: "error", code, message });

/** The next IST midnight after `nowMs`: when a Fyers access token issued at `nowMs` stops working. */
export function accessTokenExpiry(nowMs: number): number {
  return istInstant(addDays(istDateOf(nowMs), 1), "00:00");
}

export function appIdHash(appId: string, secret: string): string {
  return createHash("sha256").update(`${appId}:${secret}`).digest("hex");
}

const esc = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function errorPage(message: string): Reply {
  const body = `<!doctype html><html><head><title>FYERS - Error</title></head><body><h1>Something went wrong</h1><p>${esc(message)}</p></body></html>`;
  return { status: 400, body, contentType: "text/html; charset=utf-8" };
}

interface AuthRequest {
  instance: InstanceState;
  redirectUri: string;
  state: string;
}

function authRequest(ctx: NativeContext, params: URLSearchParams): AuthRequest | Reply {
  const clientId = params.get("client_id") ?? "";
  const redirectUri = params.get("redirect_uri") ?? "";
  const instance = ctx.broker.instanceByKey(clientId);
  if (!instance) return errorPage("Invalid app id. Please check the app id and try again.");
  if (params.get("response_type") !== "code") return errorPage("Invalid response type.");
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    return errorPage("Invalid redirect uri.");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return errorPage("Invalid redirect uri.");
  // A Fyers app registers its redirect URL; a login asking for another one is refused.
  if (instance.redirectUrl && instance.redirectUrl !== redirectUri)
    return errorPage("The redirect uri does not match the app's redirect uri.");
  return { instance, redirectUri, state: params.get("state") ?? "" };
}

/** `GET /api/v3/generate-authcode`: the login page. */
export function loginPage(ctx: NativeContext, query: URLSearchParams): Reply {
  const r = authRequest(ctx, query);
  if ("status" in r) return r;
  const hidden = ["client_id", "redirect_uri", "response_type", "state"]
    .map((k) => `<input type="hidden" name="${k}" value="${esc(query.get(k) ?? "")}">`)
    .join("");
  const body = `<!doctype html><html><head><title>FYERS - Login</title></head><body>
<h1>Login to FYERS</h1><p>Client ID: <strong id="fy-id">${esc(r.instance.id)}</strong></p>
<form method="post" action="generate-authcode">${hidden}<button type="submit">Log in</button></form>
</body></html>`;
  return { status: 200, body, contentType: "text/html; charset=utf-8" };
}

/** The login form's POST: a one-time auth code, back to the app's redirect URL. */
export function submitLogin(ctx: NativeContext, form: URLSearchParams): Reply | { redirect: string } {
  const r = authRequest(ctx, form);
  if ("status" in r) return r;
  const code = ctx.sessions.issueCode(FYERS, r.instance);
  const url = new URL(r.redirectUri);
  url.searchParams.set("s", "ok");
  url.searchParams.set("code", "200");
  url.searchParams.set("auth_code", code);
  url.searchParams.set("state", r.state);
  return { redirect: url.toString() };
}

function instanceByHash(ctx: NativeContext, hash: unknown): InstanceState | undefined {
  if (typeof hash !== "string") return undefined;
  return ctx.broker.instances().find((i) => appIdHash(i.apiKey, i.appSecret) === hash);
}

function tokens(ctx: NativeContext, instance: InstanceState) {
  const now = ctx.market.clock.now();
  return {
    access_token: ctx.sessions.issue(FYERS, instance, accessTokenExpiry(now), "eyJ"),
    refresh_token: ctx.sessions.issue(FYERS_REFRESH, instance, now + REFRESH_LIFE_MS, "eyJ"),
  };
}

/** `POST /api/v3/validate-authcode`. */
export function validateAuthCode(ctx: NativeContext, body: Record<string, unknown>): Reply {
  if (body.grant_type !== "authorization_code") return error(400, -50, "Invalid grant type");
  if (typeof body.appIdHash !== "string" || body.appIdHash === "")
    return error(400, -371, "Please provide sha256 hash of appId and app secret");
  const app = instanceByHash(ctx, body.appIdHash);
  if (!app) return error(400, -371, "Invalid appIdHash");
  const redeemed = typeof body.code === "string" ? ctx.sessions.redeemCode(FYERS, body.code) : undefined;
  if (!redeemed || redeemed.instance !== app) return error(400, -413, "Invalid auth code");
  return json(200, { s: "ok", code: 200, message: "", ...tokens(ctx, app) });
}

/** `POST /api/v3/validate-refresh-token`: a new access token; the refresh token stays valid until its own expiry. */
export function validateRefreshToken(ctx: NativeContext, body: Record<string, unknown>): Reply {
  if (body.grant_type !== "refresh_token") return error(400, -50, "Invalid grant type");
  const app = instanceByHash(ctx, body.appIdHash);
  if (!app) return error(400, -371, "Invalid appIdHash");
  // The simulator has no trader PINs: any 4-digit PIN is the trader's.
  if (typeof body.pin !== "string" || !/^\d{4}$/.test(body.pin)) return error(400, -1056, "Invalid PIN");
  const owner =
    typeof body.refresh_token === "string" ? ctx.sessions.resolve(FYERS_REFRESH, body.refresh_token) : undefined;
  if (!owner || owner !== app) return error(401, -501, "Refresh token is invalid or expired");
  const now = ctx.market.clock.now();
  return json(200, {
    s: "ok",
    code: 200,
    message: "",
    access_token: ctx.sessions.issue(FYERS, app, accessTokenExpiry(now), "eyJ"),
  });
}
