/**
 * The simulator's Kite Connect front-end (docs/brokers/zerodha.md "Simulator"): Kite's HTTP API under `/kite` —
 * the paths, form-encoded bodies, `Authorization: token api_key:access_token` header, envelopes and error classes the
 * official SDK expects — over the shared broker engine. Checks run in the OpenAlgo front-end's order: rate limit →
 * the instance's pre-route faults (429/500) → token → request → engine; replies go through `ctx.finish` so latency,
 * lost placement replies and held cancel replies apply as they do on OpenAlgo's API. WebSocket upgrades under the
 * prefix are Kite's ticker (./kite-ticker.ts).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { InstanceState } from "@/lib/simulator/types";
import type { NativeContext, NativeFrontEnd } from "@/lib/simulator/native/front-end";
import { losesResponse } from "@/lib/simulator/server/faults";
import { createRateLimiter, type RateLimiter } from "@/lib/simulator/server/rate-limit";
import { readBody, send, type Reply } from "@/lib/simulator/server/rest";
import { instrumentsCsv, kiteCatalog } from "./kite-instruments";
import { exchangeToken, KITE, loginPage, profileOf, submitLogin } from "./kite-login";
import { watchRejections } from "./kite-books";
import { kiteQuotes } from "./kite-quotes";
import { kiteTickerUpgrade } from "./kite-ticker";
import { accountRoute, orderWrite } from "./kite-routes";
import { BAD_TOKEN, INTERNAL, kiteError, TOO_MANY } from "./kite-wire";

/** Kite's published limits: quotes 1 request/s, orders 10/s, everything else 10/s (per API key). */
interface Limiters {
  main: RateLimiter;
  quote: RateLimiter;
}
const limiters = new WeakMap<object, Limiters>();

function limitersOf(ctx: NativeContext): Limiters {
  let l = limiters.get(ctx.broker);
  if (!l) {
    l = {
      main: createRateLimiter({ api: { count: 10, windowMs: 1000 }, order: { count: 10, windowMs: 1000 } }),
      quote: createRateLimiter({ api: { count: 1, windowMs: 1000 } }),
    };
    limiters.set(ctx.broker, l);
  }
  return l;
}

/** `token api_key:access_token` → the instance, when both belong together and the token is live. */
function authenticate(req: IncomingMessage, ctx: NativeContext): InstanceState | undefined {
  const header = req.headers.authorization ?? "";
  const m = /^token ([^:\s]+):(\S+)$/.exec(header);
  if (!m) return undefined;
  const instance = ctx.sessions.resolve(KITE, m[2]);
  if (!instance || instance.apiKey !== m[1]) return undefined;
  return instance;
}

/** The instance a request names through its header, live or not, so its faults apply even to refused tokens. */
function claimed(req: IncomingMessage, ctx: NativeContext): InstanceState | undefined {
  const m = /^token ([^:\s]+):/.exec(req.headers.authorization ?? "");
  return m ? ctx.broker.instanceByKey(m[1]) : undefined;
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(302, { Location: location, "Content-Length": 0 });
  res.end();
}

type Bucket = "order" | "api" | "quote";

function bucketOf(method: string, path: string): Bucket {
  if (path.startsWith("/quote")) return "quote";
  if (path.startsWith("/orders/") && method !== "GET") return "order";
  if (path.startsWith("/orders") && method === "POST") return "order";
  return "api";
}

export const kiteFrontEnd: NativeFrontEnd = {
  prefix: "/kite",
  handle(req, res, path, query, ctx) {
    const method = req.method ?? "GET";
    readBody(req, (text) => {
      if (text === undefined) return;
      const form = new URLSearchParams(text);
      dispatch(req, res, method, path, query, form, ctx).catch((error) => {
        ctx.onError(error);
        if (!res.headersSent) send(res, INTERNAL);
      });
    });
  },
  upgrade: kiteTickerUpgrade,
};

async function dispatch(
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  path: string,
  query: URLSearchParams,
  form: URLSearchParams,
  ctx: NativeContext,
): Promise<void> {
  // The login pages and the token exchange are Kite's login service, outside the API's limits and faults.
  if (path === "/connect/login") {
    if (method === "GET") return send(res, loginPage(query, ctx));
    if (method === "POST") {
      const out = submitLogin(form, ctx);
      return "location" in out ? redirect(res, out.location) : send(res, out);
    }
  }
  if (path === "/session/token" && method === "POST") return send(res, exchangeToken(form, ctx));

  const target = claimed(req, ctx);
  const bucket = bucketOf(method, path);
  const l = limitersOf(ctx);
  const limiter = bucket === "quote" ? l.quote : l.main;
  const route = bucket === "quote" ? path : bucket;
  if (limiter.hit(target?.id ?? "-", route, bucket === "quote" ? "api" : bucket, ctx.now()))
    return ctx.finish(res, TOO_MANY, target);
  // Faults first, for refused tokens too; then the engine's session (a revoke, or its nightly roll at 03:00 IST,
  // before Kite's own 06:00: docs/brokers/zerodha.md "Simulator front-end").
  const refused =
    target && ctx.gate(target, { tooMany: () => TOO_MANY, serverError: () => INTERNAL, unauthorised: () => BAD_TOKEN });
  if (refused) return ctx.finish(res, refused, target);
  const instance = authenticate(req, ctx);
  if (!instance) return ctx.finish(res, BAD_TOKEN, target);
  // From the first authenticated request on, so a late rejection is known when the order is next read.
  watchRejections(ctx.broker);

  if (method === "GET") {
    const reply = await read(path, query, instance, ctx);
    return ctx.finish(res, reply, instance);
  }
  const write = await orderWrite(method, path, form, instance, ctx);
  if (!write) return ctx.finish(res, kiteError(404, "GeneralException", "Route not found"), instance);
  const lose = write.places && losesResponse(instance.faults, ctx.placesOrders("placeorder"), instance.random);
  ctx.finish(res, write.reply, instance, lose, write.cancels && instance.faults.holdCancelReplies);
}

async function read(path: string, query: URLSearchParams, instance: InstanceState, ctx: NativeContext): Promise<Reply> {
  if (path === "/user/profile")
    return { status: 200, body: JSON.stringify({ status: "success", data: profileOf(instance) }) };
  if (path === "/instruments" || path.startsWith("/instruments/")) {
    const exchange = path.slice("/instruments/".length) || undefined;
    return { status: 200, body: instrumentsCsv(kiteCatalog(ctx.market), exchange), contentType: "text/csv" };
  }
  if (path === "/quote" || path === "/quote/ohlc" || path === "/quote/ltp") {
    const kind = path === "/quote" ? "full" : path === "/quote/ohlc" ? "ohlc" : "ltp";
    const names = query.getAll("i");
    if (names.length === 0) return kiteError(400, "InputException", "No instruments specified.");
    const data = kiteQuotes(names, kind, kiteCatalog(ctx.market), ctx.market);
    return { status: 200, body: JSON.stringify({ status: "success", data }) };
  }
  return accountRoute(path, instance, ctx);
}
