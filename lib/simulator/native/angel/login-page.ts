/**
 * The simulated publisher login (docs/brokers/angel.md "Login"): `GET /publisher-login?api_key=&state=` shows the
 * trader's id and one "Log in" button; the form's POST redirects (302) to the app's registered redirect URL with the
 * session itself — `auth_token`, `feed_token`, `refresh_token` — and `state`, as Angel's publisher login does (there
 * is no code to exchange). An unknown API key gets the error page.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NativeContext } from "@/lib/simulator/native/front-end";
import { issueSession } from "./replies";

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function html(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { "Content-Type": "text/html; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

export function loginPage(
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
  text: string,
  ctx: NativeContext,
): void {
  const params = req.method === "POST" ? new URLSearchParams(text) : query;
  const apiKey = params.get("api_key") ?? "";
  const state = params.get("state") ?? "";
  const instance = apiKey ? ctx.broker.instanceByKey(apiKey) : undefined;
  if (!instance || !instance.redirectUrl)
    return html(res, 400, "<!doctype html><title>SmartAPI</title><h1>Invalid API Key</h1>");
  if (req.method === "GET")
    return html(
      res,
      200,
      `<!doctype html><title>Angel One - SmartAPI login</title><h1>Login to Angel One</h1>` +
        `<p>Client ID: <b>${escape(instance.id)}</b></p>` +
        `<form method="post" action="publisher-login">` +
        `<input type="hidden" name="api_key" value="${escape(apiKey)}">` +
        `<input type="hidden" name="state" value="${escape(state)}">` +
        `<button type="submit">Log in</button></form>`,
    );
  const s = issueSession(ctx, instance);
  const to = new URL(instance.redirectUrl);
  to.searchParams.set("auth_token", s.jwtToken);
  to.searchParams.set("feed_token", s.feedToken);
  to.searchParams.set("refresh_token", s.refreshToken);
  if (state) to.searchParams.set("state", state);
  res.writeHead(302, { Location: to.toString(), "Content-Length": 0 });
  res.end();
}
