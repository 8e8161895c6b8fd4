/**
 * Angel One SmartAPI's HTTP API over the simulator's engine (docs/brokers/angel.md "Simulator front-end"), under
 * `/angel`: the publisher login page, the password login (./password-login.ts), token renewal, profile, RMS limits, orders, books, quotes and the scrip master,
 * and the two WebSocket streams (`upgrade`: SmartStream market data, order status).
 * Checks run in this order: the per-instance rate limit → the Bearer token and `X-PrivateKey` → the instance's
 * pre-route faults (429/500) and engine session (AG8001 once revoked; `NativeContext.gate`) → the engine route. Replies go out through `ctx.finish`, so latency, lost placement
 * replies and held cancel replies apply as on the OpenAlgo front-end.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { NativeContext, NativeFrontEnd } from "@/lib/simulator/native/front-end";
import { NativeSockets } from "@/lib/simulator/native/sockets";
import { losesResponse } from "@/lib/simulator/server/faults";
import { readBody, type Reply } from "@/lib/simulator/server/rest";
import { loginPage } from "./login-page";
import { angelMaster } from "./master";
import { RATE_LIMITED_TEXT, SlidingLimiter } from "./rate-limit";
import { orderStatusUpgrade } from "./order-status-stream";
import { instanceOfClient, PASSWORD_LOGIN_PATH, passwordLogin } from "./password-login";
import { handleSecure } from "./secure-routes";
import { smartStreamUpgrade } from "./smart-stream";
import { ANGEL, ANGEL_REFRESH } from "./session-names";
import { angelJson, fail, gateway, issueSession, ok } from "./replies";

const SECURE = "/rest/secure/angelbroking/";
const MASTER_PATH = "/OpenAPI_File/files/OpenAPIScripMaster.json";

export function createAngelFrontEnd(): NativeFrontEnd & { requests: number } {
  // One limiter per simulator (each mounts the front-ends with its own context).
  const limiters = new WeakMap<NativeContext, SlidingLimiter>();
  const fe = {
    prefix: "/angel" as const,
    /** Every request this front-end received (tests assert that nothing was sent). */
    requests: 0,
    handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, ctx: NativeContext) {
      fe.requests++;
      readBody(req, (text) => {
        if (text === undefined) return;
        dispatch(req, res, path, query, text, ctx).catch((error) => {
          ctx.onError(error);
          ctx.finish(res, fail("AB1004", "Something Went Wrong, Please Try After Sometime", 500), undefined);
        });
      });
    },
    /** The two streams (docs/brokers/angel.md "Market data stream", "Order updates"). */
    upgrade(
      req: IncomingMessage,
      socket: Duplex,
      head: Buffer,
      path: string,
      query: URLSearchParams,
      ctx: NativeContext,
    ) {
      if (path === "/smart-stream") return smartStreamUpgrade(req, socket, head, query, ctx);
      if (path === "/smart-order-update") return orderStatusUpgrade(req, socket, head, ctx);
      NativeSockets.refuse(socket, 404);
    },
  };

  async function dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams,
    text: string,
    ctx: NativeContext,
  ): Promise<void> {
    let limiter = limiters.get(ctx);
    if (!limiter) limiters.set(ctx, (limiter = new SlidingLimiter()));
    if (path === "/publisher-login") return loginPage(req, res, query, text, ctx);
    if (req.method === "GET" && path === MASTER_PATH) {
      const body = JSON.stringify(angelMaster(ctx.market).rows);
      return ctx.finish(res, { status: 200, body }, undefined);
    }
    const json = parseJson(text);
    if (req.method === "POST" && path === "/rest/auth/angelbroking/jwt/v1/generateTokens") {
      const refresh = typeof json?.refreshToken === "string" ? json.refreshToken : "";
      const instance = ctx.sessions.resolve(ANGEL_REFRESH, refresh);
      if (limiter.hit(`${instance?.id ?? "-"}|generateTokens`, 1, ctx.now()))
        return ctx.finish(res, rateLimited(), instance);
      if (!instance) return ctx.finish(res, fail("AB8050", "Invalid Refresh Token"), undefined);
      return ctx.finish(res, ok(issueSession(ctx, instance)), instance);
    }
    if (req.method === "POST" && path === PASSWORD_LOGIN_PATH) {
      const instance = instanceOfClient(ctx, typeof json?.clientcode === "string" ? json.clientcode : "");
      if (limiter.hit(`${instance?.id ?? "-"}|loginByPassword`, 1, ctx.now()))
        return ctx.finish(res, rateLimited(), instance);
      return ctx.finish(res, passwordLogin(req, json, instance, ctx), instance);
    }
    if (!path.startsWith(SECURE)) return ctx.finish(res, angelJson(404, { message: "Not Found" }), undefined);

    const auth = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ""));
    const instance = auth ? ctx.sessions.resolve(ANGEL, auth[1]) : undefined;
    const endpoint = path.slice(SECURE.length);
    if (limiter.hit(`${instance?.id ?? "-"}|${endpoint}`, perSecond(endpoint), ctx.now()))
      return ctx.finish(res, rateLimited(), instance);
    if (!auth) return ctx.finish(res, gateway("AG8003", "Token Missing"), undefined);
    if (!instance) return ctx.finish(res, gateway("AG8001", "Invalid Token"), undefined);
    if (req.headers["x-privatekey"] !== instance.apiKey)
      return ctx.finish(res, gateway("AG8004", "Invalid API Key"), instance);
    if (req.headers["x-usertype"] !== "USER" || req.headers["x-sourceid"] !== "WEB")
      return ctx.finish(res, fail("AB1005", "User Type Must Be USER"), instance);

    const refused = ctx.gate(instance, {
      unauthorised: () => gateway("AG8001", "Invalid Token"),
      tooMany: rateLimited,
      serverError: () => fail("AB1004", "Something Went Wrong, Please Try After Sometime", 500),
    });
    if (refused) return ctx.finish(res, refused, instance);

    const reply = await handleSecure(req.method ?? "GET", endpoint, json ?? {}, instance, ctx);
    const lose = losesResponse(instance.faults, reply.placed === true, instance.random);
    ctx.finish(
      res,
      reply.reply,
      instance,
      lose,
      endpoint === "order/v1/cancelOrder" && instance.faults.holdCancelReplies,
    );
  }

  return fe;
}

function rateLimited(): Reply {
  return { status: 403, body: RATE_LIMITED_TEXT, contentType: "text/plain" };
}

/** Angel's published per-second limits per endpoint (docs/brokers/angel.md "Rate limits"). */
function perSecond(endpoint: string): number {
  if (/^order\/v1\/(placeOrder|modifyOrder|cancelOrder)$/.test(endpoint)) return 20;
  if (endpoint === "user/v1/getProfile") return 3;
  if (endpoint === "user/v1/getRMS") return 2;
  if (endpoint === "market/v1/quote" || endpoint === "order/v1/getLtpData") return 10;
  return 1;
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
