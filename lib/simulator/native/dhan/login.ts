/**
 * The simulated Dhan's API-key login (docs/brokers/dhan.md "Login"), under `/dhan/auth` (the real host is
 * auth.dhan.co):
 * 1. `POST /app/generate-consent?client_id=…` with headers `app_id` (the API key) and `app_secret` → `consentAppId`;
 * 2. `GET /login/consentApp-login?consentAppId=…` → the login page; its form POSTs back and is redirected (302) to the
 *    app's registered redirect URL with `tokenId` added;
 * 3. `GET /app/consumeApp-consent?tokenId=…` with the same two headers → the access token, valid 24 hours.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { InstanceState } from "@/lib/simulator/types";
import type { NativeContext } from "@/lib/simulator/native/front-end";
import { send, type Reply } from "@/lib/simulator/server/rest";
import { dhanError, header, json } from "./wire";

export const DHAN = "dhan";
/** Dhan's tokens live 24 hours from issue. */
export const TOKEN_LIFETIME_MS = 24 * 3_600_000;
const CONSENT_LIFETIME_MS = 10 * 60_000;

const expiries = new WeakMap<NativeContext, Map<string, number>>();

/** When a token this front-end issued dies (simulated ms), for the profile's `tokenValidity`. */
export function tokenExpiry(ctx: NativeContext, token: string): number | undefined {
  return expiries.get(ctx)?.get(token);
}

const consents = new WeakMap<NativeContext, Map<string, { instanceId: string; expiresAt: number }>>();

function consentsOf(ctx: NativeContext) {
  let m = consents.get(ctx);
  if (!m) consents.set(ctx, (m = new Map()));
  return m;
}

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

function page(status: number, title: string, body: string): Reply {
  return {
    status,
    contentType: "text/html; charset=utf-8",
    body: `<!doctype html><html><head><title>${escape(title)}</title></head><body>${body}</body></html>`,
  };
}

const errorPage = (message: string) =>
  page(400, "Dhan login", `<h1>Login failed</h1><p class="error">${escape(message)}</p>`);

/** The instance whose app credentials the request's `app_id`/`app_secret` headers are, or undefined. */
function app(req: IncomingMessage, ctx: NativeContext): InstanceState | undefined {
  const inst = ctx.broker.instanceByKey(header(req, "app_id"));
  return inst && header(req, "app_secret") === inst.appSecret ? inst : undefined;
}

function istText(ms: number): string {
  return new Date(ms + 19_800_000).toISOString().slice(0, 19);
}

/** Answers a path under `/auth`; `form` is the parsed body of a POST. */
export function authRoute(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
  ctx: NativeContext,
  form: URLSearchParams,
): void {
  const now = ctx.market.clock.now();
  if (path === "/app/generate-consent" && req.method === "POST") {
    const inst = app(req, ctx);
    if (!inst) return send(res, dhanError("auth", "Invalid app_id or app_secret"));
    if (query.get("client_id") !== inst.id) return send(res, dhanError("input", "client_id does not own this app"));
    const consentAppId = randomUUID();
    consentsOf(ctx).set(consentAppId, { instanceId: inst.id, expiresAt: now + CONSENT_LIFETIME_MS });
    return send(res, json({ consentAppId, consentAppStatus: "GENERATED", status: "success" }));
  }
  if (path === "/login/consentApp-login") {
    const id = query.get("consentAppId") ?? form.get("consentAppId") ?? "";
    const consent = consentsOf(ctx).get(id);
    const inst = consent && consent.expiresAt > now ? ctx.broker.instance(consent.instanceId) : undefined;
    if (!inst) return send(res, errorPage("This login link is invalid or has expired. Start the login again."));
    if (req.method === "GET") {
      return send(
        res,
        page(
          200,
          "Dhan login",
          `<h1>Log in to Dhan</h1><p>Client ID: <span class="client-id">${escape(inst.id)}</span></p>` +
            `<form method="post" action="consentApp-login"><input type="hidden" name="consentAppId" value="${escape(id)}">` +
            `<button type="submit">Log in</button></form>`,
        ),
      );
    }
    if (req.method !== "POST") return send(res, errorPage("Unsupported method"));
    consentsOf(ctx).delete(id);
    if (!inst.redirectUrl) return send(res, errorPage("No redirect URL is registered for this API key."));
    const tokenId = ctx.sessions.issueCode(DHAN, inst);
    const target = new URL(inst.redirectUrl);
    target.searchParams.set("tokenId", tokenId);
    res.writeHead(302, { Location: target.toString(), "Content-Length": 0 });
    res.end();
    return;
  }
  if (path === "/app/consumeApp-consent" && req.method === "GET") {
    const inst = app(req, ctx);
    if (!inst) return send(res, dhanError("auth", "Invalid app_id or app_secret"));
    const code = ctx.sessions.redeemCode(DHAN, query.get("tokenId") ?? "");
    if (!code || code.instance.id !== inst.id) return send(res, dhanError("auth", "Invalid or expired tokenId"));
    const expiresAt = now + TOKEN_LIFETIME_MS;
    const accessToken = ctx.sessions.issue(DHAN, inst, expiresAt, "eyJ");
    let issued = expiries.get(ctx);
    if (!issued) expiries.set(ctx, (issued = new Map()));
    issued.set(accessToken, expiresAt);
    return send(
      res,
      json({
        dhanClientId: inst.id,
        dhanClientName: inst.brokerName,
        dhanClientUcc: `UCC${inst.id.toUpperCase()}`,
        givenPowerOfAttorney: true,
        accessToken,
        // IST wall-clock time without an offset, as Dhan writes it.
        expiryTime: istText(expiresAt),
      }),
    );
  }
  send(res, dhanError("input", `No such auth endpoint ${req.method} ${path}`));
}
