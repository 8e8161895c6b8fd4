/**
 * Kite's login flow in the simulator (docs/brokers/zerodha.md "Login"): the login page (`GET /connect/login?v=3&
 * api_key=&redirect_params=`) shows the trader's id and one "Log in" button; its POST issues a one-time request token
 * and redirects to the app's registered redirect URL with `action=login&type=login&status=success&request_token=`
 * plus the `redirect_params` the app passed; `POST /session/token` checks `checksum` = sha256(api_key + request_token +
 * api_secret) and issues an access token that dies at 06:00 IST on the simulated clock.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { InstanceState } from "@/lib/simulator/types";
import type { NativeContext } from "@/lib/simulator/native/front-end";
import type { Reply } from "@/lib/simulator/server/rest";
import { kiteError, kiteOk, kiteSessionExpiry, kiteTimestamp } from "./kite-wire";

export const KITE = "zerodha";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(status: number, title: string, body: string): Reply {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
  return { status, body: html, contentType: "text/html; charset=utf-8" };
}

function errorPage(message: string): Reply {
  return page(400, "Kite Connect - Error", `<h1>Error</h1><p class="error">${escapeHtml(message)}</p>`);
}

/** `GET /connect/login`: the login form, or Kite's error page for an unknown API key. */
export function loginPage(query: URLSearchParams, ctx: NativeContext): Reply {
  const apiKey = query.get("api_key") ?? "";
  const instance = apiKey ? ctx.broker.instanceByKey(apiKey) : undefined;
  if (!instance) return errorPage("Invalid `api_key`.");
  const redirectParams = query.get("redirect_params") ?? "";
  return page(
    200,
    "Kite - Login",
    `<h1>Login to Kite</h1><p>User ID: <span class="user-id">${escapeHtml(instance.id)}</span></p>` +
      `<form method="post" action="login">` +
      `<input type="hidden" name="api_key" value="${escapeHtml(apiKey)}">` +
      `<input type="hidden" name="redirect_params" value="${escapeHtml(redirectParams)}">` +
      `<button type="submit">Log in</button></form>`,
  );
}

/** `POST /connect/login`: the trader logged in; back to the app with a request token. */
export function submitLogin(form: URLSearchParams, ctx: NativeContext): Reply | { location: string } {
  const instance = ctx.broker.instanceByKey(form.get("api_key") ?? "");
  if (!instance) return errorPage("Invalid `api_key`.");
  if (!instance.redirectUrl) return errorPage("No redirect URL is registered for this app.");
  const code = ctx.sessions.issueCode(KITE, instance);
  const target = new URL(instance.redirectUrl);
  for (const [k, v] of new URLSearchParams(form.get("redirect_params") ?? "")) target.searchParams.append(k, v);
  target.searchParams.set("action", "login");
  target.searchParams.set("type", "login");
  target.searchParams.set("status", "success");
  target.searchParams.set("request_token", code);
  return { location: target.toString() };
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `POST /session/token`: request token + checksum → the day's access token. */
export function exchangeToken(form: URLSearchParams, ctx: NativeContext): Reply {
  const apiKey = form.get("api_key") ?? "";
  const requestToken = form.get("request_token") ?? "";
  const checksum = form.get("checksum") ?? "";
  for (const [name, value] of [
    ["api_key", apiKey],
    ["request_token", requestToken],
    ["checksum", checksum],
  ])
    if (!value) return kiteError(400, "InputException", `Missing \`${name}\``);
  const instance: InstanceState | undefined = ctx.broker.instanceByKey(apiKey);
  if (!instance) return kiteError(403, "TokenException", "Invalid `api_key`.");
  const expected = createHash("sha256")
    .update(apiKey + requestToken + instance.appSecret)
    .digest("hex");
  if (!sameText(expected, checksum.toLowerCase())) return kiteError(403, "TokenException", "Invalid `checksum`.");
  const redeemed = ctx.sessions.redeemCode(KITE, requestToken);
  if (!redeemed || redeemed.instance !== instance)
    return kiteError(403, "TokenException", "Token is invalid or has expired.");
  const now = ctx.market.clock.now();
  const accessToken = ctx.sessions.issue(KITE, instance, kiteSessionExpiry(now));
  // The trader logged in at the broker: the engine's session (shared with the OpenAlgo front-end) is live again.
  ctx.broker.login(instance.id);
  return kiteOk({
    ...profileOf(instance),
    api_key: apiKey,
    access_token: accessToken,
    public_token: accessToken.slice(0, 16),
    refresh_token: "",
    enctoken: "",
    login_time: kiteTimestamp(now),
  });
}

/** `GET /user/profile` data. */
export function profileOf(instance: InstanceState): Record<string, unknown> {
  return {
    user_id: instance.id,
    user_type: "individual",
    email: `${instance.id.toLowerCase()}@example.invalid`,
    user_name: `Simulated trader ${instance.id}`,
    user_shortname: instance.id,
    broker: "ZERODHA",
    exchanges: ["NSE", "NFO", "BSE", "BFO", "CDS", "MCX"],
    products: ["CNC", "NRML", "MIS"],
    order_types: ["MARKET", "LIMIT", "SL", "SL-M"],
    avatar_url: null,
    meta: { demat_consent: "physical" },
  };
}
