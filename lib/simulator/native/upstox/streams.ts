/**
 * The simulated Upstox streams (docs/brokers/upstox.md "Market data stream", "Order updates"): the two authorize
 * calls hand out a one-time URL on the host the client called, and the upgrade of that URL redeems its code for the
 * instance whose token authorized it. Market data is protobuf (./feed-encode.ts); order updates are JSON.
 *
 * Every accepted socket is tracked (drop and stall controls) and nothing is sent, pongs included, while the stream is
 * silenced, so a stalled server looks to the client exactly like a dead one.
 */
import { randomUUID } from "node:crypto";
import type { NativeContext, NativeUpgrade } from "@/lib/simulator/native/front-end";
import { NativeSockets } from "@/lib/simulator/native/sockets";
import { MarketHub, PortfolioHub } from "./stream-hubs";
import type { Route } from "./routes";
import { CODES, failure, invalidToken, success } from "./wire";

export const MARKET_FEED_PATH = "/market-data-feeder/v3/upstox-developer-api/feeds";
export const PORTFOLIO_FEED_PATH = "/upstox-developer-api/order-updates/feed";
/** The code books of the two streams (NativeSessions codes, kept apart from login codes). */
const MARKET_CODES = "upstox:market-feed";
const PORTFOLIO_CODES = "upstox:portfolio-feed";
const UPDATE_TYPES = new Set(["order", "gtt_order", "position", "holding"]);

function authorize(codes: string, path: string): Route {
  return {
    limit: "other",
    async run({ inst, ctx, query, wsBase }) {
      const types = (query.get("update_types") ?? "order").split(",").map((t) => t.trim().toLowerCase());
      if (codes === PORTFOLIO_CODES && types.some((t) => !UPDATE_TYPES.has(t)))
        return failure(400, CODES.invalidInput, "Invalid update_types", "update_types");
      const code = ctx.sessions.issueCode(codes, inst, { types: types.join(",") });
      const url = `${wsBase}${path}?requestId=${randomUUID()}&code=${code}`;
      return success({ authorized_redirect_uri: url, authorizedRedirectUri: url });
    },
  };
}

export const STREAM_ROUTES: Readonly<Record<string, Route>> = {
  "GET /v3/feed/market-data-feed/authorize": authorize(MARKET_CODES, MARKET_FEED_PATH),
  "GET /v2/feed/portfolio-stream-feed/authorize": authorize(PORTFOLIO_CODES, PORTFOLIO_FEED_PATH),
};

const markets = new WeakMap<NativeContext, MarketHub>();
const portfolios = new WeakMap<NativeContext, PortfolioHub>();

/** An upgrade under `/upstox`: one of the two stream paths with a live one-time code, or refused. */
export const upgradeStream: NativeUpgrade = (req, socket, head, path, query, ctx) => {
  const codes = path === MARKET_FEED_PATH ? MARKET_CODES : path === PORTFOLIO_FEED_PATH ? PORTFOLIO_CODES : null;
  if (!codes) return NativeSockets.refuse(socket, 404, failure(404, CODES.notFound, "Resource not Found").body);
  const hit = ctx.sessions.redeemCode(codes, query.get("code") ?? "");
  if (!hit || !hit.instance.sessionActive) return NativeSockets.refuse(socket, 401, invalidToken().body);
  const inst = hit.instance;
  ctx.sockets.accept(req, socket, head, (ws) => {
    ctx.sockets.track(inst, ws);
    if (codes === MARKET_CODES) {
      let hub = markets.get(ctx);
      if (!hub) markets.set(ctx, (hub = new MarketHub(ctx)));
      hub.add(ws, inst);
    } else {
      let hub = portfolios.get(ctx);
      if (!hub) portfolios.set(ctx, (hub = new PortfolioHub(ctx)));
      if (hit.data.types?.split(",").includes("order")) hub.add(ws, inst);
    }
  });
};
