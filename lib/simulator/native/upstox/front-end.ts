/**
 * The simulator's Upstox front-end under `/upstox` (docs/brokers/upstox.md "Simulator front-end"): Upstox's v2/v3 REST
 * paths, methods and encodings, its login dialog and token exchange, its BOD instrument master, its error envelope,
 * its 429, and its two streams (./streams.ts: market data and order updates, upgraded under the prefix). Checks run in
 * this order: token → rate limit → the instance's pre-route faults (429/500) and engine session
 * (`NativeContext.gate`) → request validation → engine. Lost replies apply to placements only; held replies to
 * cancellations.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { NativeContext, NativeFrontEnd } from "@/lib/simulator/native/front-end";
import { losesResponse } from "@/lib/simulator/server/faults";
import { readBody, send } from "@/lib/simulator/server/rest";
import type { InstanceState } from "@/lib/simulator/types";
import { upstoxIndex } from "./instruments";
import { BROKER, DIALOG_PATH, handleDialog, handleToken } from "./login";
import { ROUTES, type Route } from "./routes";
import { STREAM_ROUTES, upgradeStream } from "./streams";
import { CODES, failure, invalidToken, serverError, success, tooMany } from "./wire";

const PREFIX = "/upstox";
export const MASTER_PATH = "/market-quote/instruments/exchange/complete.json.gz";

/**
 * Upstox's published per-user limits for regular (unregistered) algos, per second: 10 order calls and 50 others
 * (the per-minute and per-30-minute caps are not simulated).
 */
export const UPSTOX_SIM_LIMITS = { order: 10, other: 50 } as const;

/** Fixed one-second windows per (instance, class); requests with no valid token share one window. */
class Windows {
  private readonly counts = new Map<string, { second: number; n: number }>();
  hit(who: string, kind: "order" | "other", nowMs: number): boolean {
    const key = `${who}|${kind}`;
    const second = Math.floor(nowMs / 1000);
    const w = this.counts.get(key);
    if (!w || w.second !== second) {
      this.counts.set(key, { second, n: 1 });
      return false;
    }
    w.n += 1;
    return w.n > UPSTOX_SIM_LIMITS[kind];
  }
}
const windows = new WeakMap<NativeContext, Windows>();

function bearer(req: IncomingMessage): string {
  const h = req.headers.authorization ?? "";
  return h.startsWith("Bearer ") ? h.slice(7).trim() : "";
}

function serveMaster(req: IncomingMessage, res: ServerResponse, ctx: NativeContext) {
  req.resume();
  const gz = upstoxIndex(ctx.market).gz;
  res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": gz.length });
  res.end(gz);
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: text === "" ? {} : JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function dispatch(req: IncomingMessage, res: ServerResponse, route: Route, query: URLSearchParams, ctx: NativeContext) {
  const inst: InstanceState | undefined = ctx.sessions.resolve(BROKER, bearer(req));
  const limiter = windows.get(ctx) ?? new Windows();
  windows.set(ctx, limiter);
  const finish = (reply: Parameters<NativeContext["finish"]>[1], lose = false, hold = false) =>
    ctx.finish(res, reply, inst, lose, hold);
  readBody(req, (text) => {
    if (text === undefined) return;
    if (limiter.hit(inst?.id ?? "-", route.limit, ctx.now())) return finish(tooMany());
    if (!inst) return finish(invalidToken());
    const refused = ctx.gate(inst, { unauthorised: invalidToken, tooMany, serverError });
    if (refused) return finish(refused);
    let body: unknown = {};
    if (route.json) {
      const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
      const parsed = type === "application/json" ? parseJson(text) : { ok: false as const };
      if (!parsed.ok) return finish(failure(400, CODES.invalidInput, "Invalid input: JSON body expected", "body"));
      body = parsed.value;
    }
    route
      .run({ inst, query, body, ctx, wsBase: `ws://${req.headers.host ?? "127.0.0.1"}${PREFIX}` })
      .then((reply) => {
        // As in the OpenAlgo front-end: every placement that reached the engine draws for a lost reply.
        const lose = losesResponse(inst.faults, route.places === true, inst.random);
        finish(reply, lose, route.cancels === true && inst.faults.holdCancelReplies);
      })
      .catch((error) => {
        ctx.onError(error);
        finish(serverError());
      });
  });
}

export const upstoxFrontEnd: NativeFrontEnd = {
  prefix: PREFIX,
  handle(req, res, path, query, ctx) {
    const p = path.replace(/\/+$/, "") || "/";
    if (p === DIALOG_PATH && (req.method === "GET" || req.method === "POST"))
      return handleDialog(req, res, query, ctx, PREFIX);
    if (p === "/v2/login/authorization/token" && req.method === "POST") return handleToken(req, res, ctx);
    if (p === MASTER_PATH && req.method === "GET") return serveMaster(req, res, ctx);
    if (p === "/v2/logout" && req.method === "DELETE") {
      req.resume();
      const inst = ctx.sessions.resolve(BROKER, bearer(req));
      if (!inst) return send(res, invalidToken());
      ctx.sessions.revoke(inst.id, BROKER);
      return send(res, success(true));
    }
    const route = ROUTES[`${req.method} ${p}`] ?? STREAM_ROUTES[`${req.method} ${p}`];
    if (!route) {
      req.resume();
      return send(res, failure(404, CODES.notFound, "Resource not Found"));
    }
    dispatch(req, res, route, query, ctx);
  },
  upgrade: upgradeStream,
};
