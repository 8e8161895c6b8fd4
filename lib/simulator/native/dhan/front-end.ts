/**
 * A simulated Dhan (DhanHQ API v2) under `/dhan` (docs/brokers/dhan.md "Simulator"):
 * - `/dhan/v2/...`  the trading API (real root https://api.dhan.co/v2), headers `access-token` and `client-id`;
 * - `/dhan/auth/...` the API-key login (real host auth.dhan.co), see ./login.ts;
 * - `/dhan/api-data/api-scrip-master-detailed.csv` the instrument master (real host images.dhan.co);
 * - WebSockets `/dhan/feed` (api-feed.dhan.co) and `/dhan/order-update` (api-order-update.dhan.co), see ./streams.ts.
 *
 * Checks run in this order: rate limit (Dhan's per-client limits, 429 DH-904) → the instance's pre-route faults (429 or
 * 500 without acting, as the OpenAlgo front-end) and its engine session (401 DH-901 once revoked; `NativeContext.gate`)
 * → token (401 DH-901) → route. Replies go out through `ctx.finish` with the instance's latency; lost replies apply to
 * order placement only, held replies to cancellations.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { InstanceState } from "@/lib/simulator/types";
import type { NativeContext, NativeFrontEnd } from "@/lib/simulator/native/front-end";
import { losesResponse } from "@/lib/simulator/server/faults";
import { readBody, send, type Reply } from "@/lib/simulator/server/rest";
import { authRoute, DHAN, tokenExpiry } from "./login";
import { cancelOrder, modifyOrder, orderById, orderList, placeOrder, tradeList } from "./orders";
import { fundLimit, holdings, marketFeed, positions, profile } from "./portfolio";
import { feedUpgrade } from "./feed-socket";
import { orderUpgrade } from "./order-socket";
import { masterCsv, scripIndex } from "./scrips";
import { streamUpgrade } from "./streams";
import { dhanError, header, type LimitBucket, overLimit, parseBody } from "./wire";

const ORDER_PATH = /^\/orders\/([^/]+)$/;
const TRADE_PATH = /^\/trades\/([^/]+)$/;
const FEED_PATH = /^\/marketfeed\/(ltp|ohlc|quote)$/;

const GATE_REPLIES = {
  unauthorised: () => dhanError("auth", "Client ID or user generated access token is invalid or expired."),
  tooMany: () => dhanError("rate", "Too many requests. Please retry after some time."),
  serverError: () => dhanError("internal", "Internal Server Error"),
};

let served = 0;

/** API requests (`/dhan/v2/...`, any token or none) this process has received: tests check that nothing was sent. */
export function dhanApiRequestsReceived(): number {
  return served;
}

function bucketOf(method: string, path: string): LimitBucket {
  if (FEED_PATH.test(path)) return "quote";
  if (method !== "GET" && (path === "/orders" || ORDER_PATH.test(path))) return "order";
  return "other";
}

type Api = (
  ctx: NativeContext,
  instance: InstanceState,
  body: Record<string, unknown>,
  token: string,
) => Promise<Reply> | Reply;

function route(method: string, path: string): { api: Api; places?: boolean; cancels?: boolean } | undefined {
  const order = ORDER_PATH.exec(path);
  const trade = TRADE_PATH.exec(path);
  const feed = FEED_PATH.exec(path);
  if (path === "/orders" && method === "POST") return { api: (c, i, b) => placeOrder(c, i, b), places: true };
  if (path === "/orders" && method === "GET") return { api: (c, i) => orderList(c, i) };
  if (order && method === "GET") return { api: (c, i) => orderById(c, i, decodeURIComponent(order[1])) };
  if (order && method === "PUT") return { api: (c, i, b) => modifyOrder(c, i, decodeURIComponent(order[1]), b) };
  if (order && method === "DELETE")
    return { api: (c, i) => cancelOrder(c, i, decodeURIComponent(order[1])), cancels: true };
  if (path === "/trades" && method === "GET") return { api: (c, i) => tradeList(c, i) };
  if (trade && method === "GET") return { api: (c, i) => tradeList(c, i, decodeURIComponent(trade[1])) };
  if (path === "/positions" && method === "GET") return { api: (c, i) => positions(c, i) };
  if (path === "/holdings" && method === "GET") return { api: (c, i) => holdings(c, i) };
  if (path === "/fundlimit" && method === "GET") return { api: (c, i) => fundLimit(c, i) };
  if (path === "/profile" && method === "GET")
    return { api: (c, i, _b, t) => profile(i, tokenExpiry(c, t) ?? c.market.clock.now()) };
  if (feed && method === "POST") return { api: (c, _i, b) => marketFeed(c, feed[1], b) };
  return undefined;
}

function api(req: IncomingMessage, res: ServerResponse, path: string, ctx: NativeContext, text: string): void {
  const method = req.method ?? "GET";
  const token = header(req, "access-token");
  const instance = token ? ctx.sessions.resolve(DHAN, token) : undefined;
  served++;
  if (instance) {
    if (overLimit(ctx, instance, bucketOf(method, path)))
      return ctx.finish(res, dhanError("rate", "Too many requests. Please retry after some time."), instance);
    // Reading the engine session here also applies a due 03:00 IST roll (day orders lapse, deliveries settle), which
    // ends the session like a revoke until the next login (docs/brokers/dhan.md "Simulator").
    const refused = ctx.gate(instance, GATE_REPLIES);
    if (refused) return ctx.finish(res, refused, instance);
  }
  const r = route(method, path);
  if (!r) return send(res, dhanError("input", `No such endpoint ${method} /v2${path}`));
  if (!instance) return send(res, dhanError("auth", "Client ID or user generated access token is invalid or expired."));
  const clientId = header(req, "client-id");
  if (clientId && clientId !== instance.id)
    return ctx.finish(res, dhanError("auth", "Client ID does not match the access token."), instance);
  const body = parseBody(req, text);
  if (body === undefined) return ctx.finish(res, dhanError("input", "Request body is not valid JSON"), instance);
  Promise.resolve(r.api(ctx, instance, body, token))
    .then((reply) =>
      ctx.finish(
        res,
        reply,
        instance,
        losesResponse(instance.faults, r.places === true, instance.random),
        r.cancels === true && instance.faults.holdCancelReplies,
      ),
    )
    .catch((error) => {
      ctx.onError(error);
      send(res, dhanError("internal", "Internal Server Error"));
    });
}

export const dhanFrontEnd: NativeFrontEnd = {
  prefix: "/dhan",
  handle(req, res, path, query, ctx) {
    if (path === "/api-data/api-scrip-master-detailed.csv" && req.method === "GET") {
      req.resume();
      return send(res, { status: 200, contentType: "text/csv", body: masterCsv(scripIndex(ctx.market)) });
    }
    readBody(req, (text) => {
      if (text === undefined) return;
      if (path.startsWith("/auth/")) {
        const form = new URLSearchParams(req.method === "POST" ? text : "");
        return authRoute(req, res, path.slice(5), query, ctx, form);
      }
      if (path.startsWith("/v2/")) return api(req, res, path.slice(3), ctx, text);
      send(res, dhanError("input", `No such endpoint ${req.method} ${path}`));
    });
  },
  upgrade: streamUpgrade({ "/feed": feedUpgrade, "/order-update": orderUpgrade }),
};
