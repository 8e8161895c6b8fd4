/**
 * The simulator's Fyers API v3 front-end under `/fyers` (docs/brokers/fyers.md "The simulator's Fyers front-end"): `/fyers` stands for
 * both `https://api-t1.fyers.in` (`/api/v3/...`, `/data/...`) and `https://public.fyers.in` (`/sym_details/...`).
 *
 * Checks run in this order: the per-instance rate limit (10/s, 200/min, Fyers' 429 body) → the instance's pre-route
 * faults (429 / 500) and the engine session, ended by a revoke (401, code -16; `NativeContext.gate`) → the
 * `Authorization: <app_id>:<access_token>` header (401, code -16) → the route. Answers go
 * through `ctx.finish` so latency, lost placement replies and held cancel replies apply exactly as on OpenAlgo's API.
 * The order socket (`/fyers/trade/v3`) is upgraded by ./order-socket.ts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { InstanceState } from "@/lib/simulator/types";
import { losesResponse } from "@/lib/simulator/server/faults";
import { readBody, type Reply, send } from "@/lib/simulator/server/rest";
import { type NativeContext, type NativeFrontEnd, withRejectionReasons } from "../front-end";
import { NativeSockets } from "../sockets";
import { fillsByOrder, orderRow, positionsBody, tradeRow } from "./accounts";
import { fundsBody, holdingsBody, profileBody } from "./ledger";
import { FYERS, loginPage, submitLogin, validateAuthCode, validateRefreshToken } from "./login-pages";
import { depthEntry, masterDownload, quoteItem, unknownQuoteItem } from "./market-data";
import { createOrderSocket, ORDER_SOCKET_PATH } from "./order-socket";
import { cancelOrder, fyError, fyJson, modifyOrder, placeOrder } from "./orders";
import { symbology } from "./symbols";

type Body = Record<string, unknown>;

/** Fyers' published API limits per app: 10 a second and 200 a minute. */
export const FYERS_LIMITS = [
  { windowMs: 1_000, max: 10 },
  { windowMs: 60_000, max: 200 },
] as const;

const TOO_MANY: Reply = {
  status: 429,
  body: JSON.stringify({ s: "error", code: 429, message: "request limit reached" }),
};
const UNAUTHORISED: Reply = {
  status: 401,
  body: JSON.stringify({ s: "error", code: -16, message: "Could not authenticate the user" }),
};
const NOT_FOUND: Reply = { status: 404, body: JSON.stringify({ s: "error", code: 404, message: "Not found" }) };
const INTERNAL: Reply = {
  status: 500,
  body: JSON.stringify({ s: "error", code: 500, message: "Internal server error" }),
};

const GATE_REPLIES = { unauthorised: () => UNAUTHORISED, tooMany: () => TOO_MANY, serverError: () => INTERNAL };

/** A moving-window limiter per client key (wall clock: limits are about real request rates). */
class Limiter {
  private readonly hits = new Map<string, number[]>();
  hit(key: string, now: number): boolean {
    const longest = FYERS_LIMITS[FYERS_LIMITS.length - 1].windowMs;
    const list = (this.hits.get(key) ?? []).filter((t) => t > now - longest);
    const over = FYERS_LIMITS.some((l) => list.filter((t) => t > now - l.windowMs).length >= l.max);
    if (!over) list.push(now);
    this.hits.set(key, list);
    return over;
  }
}

function parseJson(text: string | undefined): Body | undefined {
  if (!text) return {};
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Body) : undefined;
  } catch {
    return undefined;
  }
}

/** The instance of `Authorization: <app_id>:<access_token>`, when the token is live and belongs to that app. */
function authorise(ctx: NativeContext, header: string | undefined): InstanceState | undefined {
  if (!header) return undefined;
  const i = header.indexOf(":");
  if (i <= 0) return undefined;
  const inst = ctx.sessions.resolve(FYERS, header.slice(i + 1));
  return inst && inst.apiKey === header.slice(0, i) ? inst : undefined;
}

export function createFyersFrontEnd(): NativeFrontEnd {
  const limiter = new Limiter();
  const orderSocket = createOrderSocket();
  return {
    prefix: "/fyers",
    upgrade(req, socket, head, path, _query, ctx) {
      if (path === ORDER_SOCKET_PATH) return orderSocket.upgrade(req, socket, head, ctx);
      NativeSockets.refuse(socket, 404, NOT_FOUND.body);
    },
    handle(req, res, path, query, ctx) {
      readBody(req, (text) => {
        if (text === undefined) return;
        route(req, res, path, query, text, ctx, limiter).catch((error) => {
          ctx.onError(error);
          if (!res.headersSent) send(res, INTERNAL);
        });
      });
    },
  };
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  query: URLSearchParams,
  text: string,
  ctx: NativeContext,
  limiter: Limiter,
): Promise<void> {
  const method = req.method ?? "GET";
  if (method === "GET") {
    const master = masterDownload(path, symbology(ctx.market));
    if (master) return send(res, { status: 200, body: String(master.body), contentType: master.contentType });
  }
  if (path === "/api/v3/generate-authcode") {
    if (method === "GET") return send(res, loginPage(ctx, query));
    const done = submitLogin(ctx, new URLSearchParams(text));
    if ("redirect" in done) {
      res.writeHead(302, { Location: done.redirect, "Content-Length": 0 });
      res.end();
      return;
    }
    return send(res, done);
  }
  const body = parseJson(text);
  if (method === "POST" && path === "/api/v3/validate-authcode")
    return send(res, body ? validateAuthCode(ctx, body) : fyError(400, -50, "Invalid JSON"));
  if (method === "POST" && path === "/api/v3/validate-refresh-token")
    return send(res, body ? validateRefreshToken(ctx, body) : fyError(400, -50, "Invalid JSON"));

  const inst = authorise(ctx, req.headers.authorization);
  const ip = req.socket.remoteAddress ?? "unknown";
  if (limiter.hit(inst ? `${ip}|${inst.id}` : `${ip}|-`, ctx.now())) return ctx.finish(res, TOO_MANY, inst);
  const refused = inst && ctx.gate(inst, GATE_REPLIES);
  if (refused) return ctx.finish(res, refused, inst);
  if (!inst) return send(res, UNAUTHORISED);
  if (!body) return ctx.finish(res, fyError(400, -50, "Invalid JSON"), inst);

  const key = `${method} ${path}`;
  switch (key) {
    case "POST /api/v3/orders/sync": {
      const reply = await placeOrder(ctx, inst, body);
      return ctx.finish(res, reply, inst, losesResponse(inst.faults, ctx.placesOrders("placeorder"), inst.random));
    }
    case "PATCH /api/v3/orders/sync":
      return ctx.finish(res, await modifyOrder(ctx, inst, body), inst);
    case "DELETE /api/v3/orders/sync":
      return ctx.finish(res, await cancelOrder(ctx, inst, body), inst, false, inst.faults.holdCancelReplies);
  }
  if (method !== "GET") return ctx.finish(res, NOT_FOUND, inst);
  return ctx.finish(res, await read(ctx, inst, path, query), inst);
}

async function engine(ctx: NativeContext, inst: InstanceState, name: string, body: Body = {}): Promise<unknown> {
  const r = await ctx.run(inst, name, body);
  if (r.status !== 200) throw new Error(`engine ${name} answered ${r.status}`);
  return (r.body as { data?: unknown }).data;
}

const rows = (v: unknown): Body[] => (Array.isArray(v) ? (v as Body[]) : []);

async function read(ctx: NativeContext, inst: InstanceState, path: string, query: URLSearchParams): Promise<Reply> {
  const sym = symbology(ctx.market);
  switch (path) {
    case "/api/v3/profile":
      return fyJson(200, profileBody(inst));
    case "/api/v3/funds":
      return fyJson(200, fundsBody((await engine(ctx, inst, "funds")) as Body));
    case "/api/v3/orders": {
      const book = rows(((await engine(ctx, inst, "orderbook")) as { orders?: unknown }).orders);
      const orders = withRejectionReasons(ctx, inst, book);
      const fills = fillsByOrder(rows(await engine(ctx, inst, "tradebook")));
      const id = query.get("id");
      const picked = id ? orders.filter((o) => String(o.orderid) === id) : orders;
      const orderBook = picked.map((o) => orderRow(inst, sym, o, fills));
      return fyJson(200, { s: "ok", code: 200, message: "", orderBook });
    }
    case "/api/v3/tradebook": {
      const orders = rows(((await engine(ctx, inst, "orderbook")) as { orders?: unknown }).orders);
      const byId = new Map(orders.map((o) => [String(o.orderid), o]));
      const tradeBook = rows(await engine(ctx, inst, "tradebook")).map((t, i) => tradeRow(inst, sym, t, byId, i));
      return fyJson(200, { s: "ok", code: 200, message: "", tradeBook });
    }
    case "/api/v3/positions":
      return fyJson(
        200,
        positionsBody(sym, rows(await engine(ctx, inst, "positionbook")), rows(await engine(ctx, inst, "tradebook"))),
      );
    case "/api/v3/holdings":
      return fyJson(200, holdingsBody(sym, rows(((await engine(ctx, inst, "holdings")) as Body).holdings)));
    case "/data/quotes": {
      const tickers = (query.get("symbols") ?? "").split(",").filter(Boolean);
      if (tickers.length === 0 || tickers.length > 50) return fyError(400, -300, "Please provide valid symbols");
      const d: Body[] = [];
      for (const t of tickers) {
        const s = sym.byTicker.get(t);
        const q =
          s && (await ctx.run(inst, "quotes", { symbol: s.instrument.symbol, exchange: s.instrument.exchange }));
        d.push(
          s && q?.status === 200
            ? quoteItem(s, (q.body as { data: Body }).data, ctx.market.clock.now())
            : unknownQuoteItem(t),
        );
      }
      return fyJson(200, { s: "ok", code: 200, message: "", d });
    }
    case "/data/depth": {
      const t = query.get("symbol") ?? "";
      const s = sym.byTicker.get(t);
      if (!s) return fyError(400, -300, "Please provide a valid symbol");
      const data = await engine(ctx, inst, "depth", { symbol: s.instrument.symbol, exchange: s.instrument.exchange });
      return fyJson(200, { s: "ok", message: "", d: { [t]: depthEntry(s, data as Body) } });
    }
    default:
      return NOT_FOUND;
  }
}
