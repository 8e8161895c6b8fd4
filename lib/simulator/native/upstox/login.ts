/**
 * The simulated Upstox login (docs/brokers/upstox.md "Login"): the authorization dialog (an HTML page with the
 * trader's id and one "Log in" button), its submission (a one-time code, 302 to the app's redirect URL with `code` and
 * `state`), and the form-encoded token exchange that checks the app's key, secret and redirect URL and issues a token
 * dying at 03:30 IST on the simulated clock.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NativeContext } from "@/lib/simulator/native/front-end";
import type { InstanceState } from "@/lib/simulator/types";
import { readBody, send } from "@/lib/simulator/server/rest";
import { istDateOf } from "@/lib/trading/calendar";
import { CODES, failure } from "./wire";

export const BROKER = "upstox";
export const DIALOG_PATH = "/v2/login/authorization/dialog";

/** Upstox tokens die at the next 03:30 IST, whenever they were issued. */
export function nextTokenExpiry(now: number): number {
  const today = Date.parse(`${istDateOf(now)}T03:30:00+05:30`);
  return today > now ? today : today + 86_400_000;
}

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const invalidCredentials = () => failure(401, CODES.invalidCredentials, "Invalid Credentials");

/** The instance of a dialog request, when its client id, redirect URL and response type are the app's. */
function dialogApp(params: URLSearchParams, ctx: NativeContext): InstanceState | undefined {
  const inst = ctx.broker.instanceByKey(params.get("client_id") ?? "");
  const redirect = params.get("redirect_uri") ?? "";
  if (!inst || params.get("response_type") !== "code" || !/^https?:\/\//.test(redirect)) return undefined;
  // An app with a registered redirect URL accepts only that one, as Upstox's developer console does.
  if (inst.redirectUrl !== null && inst.redirectUrl !== redirect) return undefined;
  return inst;
}

function loginPage(inst: InstanceState, params: URLSearchParams, prefix: string): string {
  const hidden = ["client_id", "redirect_uri", "state", "response_type"]
    .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(params.get(k) ?? "")}">`)
    .join("");
  return `<!doctype html><html><head><meta charset="utf-8"><title>Upstox Login</title></head><body>
<h1>Upstox</h1><p>Log in as <strong id="user-id">${escapeHtml(inst.id)}</strong> to continue to the app.</p>
<form method="post" action="${prefix}${DIALOG_PATH}">${hidden}<button type="submit">Log in</button></form>
</body></html>`;
}

export function handleDialog(
  req: IncomingMessage,
  res: ServerResponse,
  query: URLSearchParams,
  ctx: NativeContext,
  prefix: string,
) {
  if (req.method === "GET") {
    req.resume();
    const inst = dialogApp(query, ctx);
    if (!inst) return send(res, invalidCredentials());
    return send(res, { status: 200, body: loginPage(inst, query, prefix), contentType: "text/html; charset=utf-8" });
  }
  readBody(req, (text) => {
    if (text === undefined) return;
    const form = new URLSearchParams(text);
    const inst = dialogApp(form, ctx);
    if (!inst) return send(res, invalidCredentials());
    const redirect = form.get("redirect_uri")!;
    const code = ctx.sessions.issueCode(BROKER, inst, { redirect_uri: redirect });
    const target = new URL(redirect);
    target.searchParams.set("code", code);
    const state = form.get("state");
    if (state) target.searchParams.set("state", state);
    res.writeHead(302, { Location: target.toString(), "Content-Length": 0 });
    res.end();
  });
}

export function handleToken(req: IncomingMessage, res: ServerResponse, ctx: NativeContext) {
  readBody(req, (text) => {
    if (text === undefined) return;
    const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
    if (type !== "application/x-www-form-urlencoded")
      return send(res, failure(400, CODES.invalidInput, "Invalid input: form-encoded body expected", "body"));
    const form = new URLSearchParams(text);
    if (form.get("grant_type") !== "authorization_code")
      return send(res, failure(400, CODES.invalidInput, "Invalid grant_type", "grant_type"));
    // A code is spent by any attempt, successful or not.
    const redeemed = ctx.sessions.redeemCode(BROKER, form.get("code") ?? "");
    if (!redeemed) return send(res, failure(400, CODES.invalidInput, "Invalid Auth code", "code"));
    const { instance, data } = redeemed;
    if (
      form.get("client_id") !== instance.apiKey ||
      form.get("client_secret") !== instance.appSecret ||
      form.get("redirect_uri") !== data.redirect_uri
    )
      return send(res, invalidCredentials());
    const token = ctx.sessions.issue(BROKER, instance, nextTokenExpiry(ctx.market.clock.now()));
    send(res, {
      status: 200,
      body: JSON.stringify({
        email: `${instance.id}@example.invalid`,
        exchanges: ["NSE", "NFO", "BSE", "BFO", "CDS", "BCD", "MCX"],
        products: ["D", "I", "CO", "MTF"],
        broker: "UPSTOX",
        user_id: instance.id,
        user_name: `Simulated trader ${instance.id}`,
        order_types: ["MARKET", "LIMIT", "SL", "SL-M"],
        user_type: "individual",
        poa: false,
        ddpi: false,
        is_active: true,
        access_token: token,
        extended_token: null,
      }),
    });
  });
}
