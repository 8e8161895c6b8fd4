/**
 * The OpenAlgo REST transport (docs/openalgo.md "Transport", "Validation errors", "Rate limits"): `POST /api/v1/<name>`
 * (trailing slash optional), the same under `/i/<instanceId>/api/v1/...`, checks in OpenAlgo's observed order
 *   rate limit → body errors → instance faults → route validation (400) → key/session (403) → execute,
 * and byte-faithful bodies. Everything here runs for every order, so it stays allocation-light.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { InstanceState, MarketView, RouteHandler } from "@/lib/simulator/types";
import type { BrokerEngine } from "./broker-seam";
import { losesResponse, preRouteFault, replyDelayMs } from "./faults";
import { flaskJson, pythonJson, restxJson } from "./json";
import { describeRateLimit, type RateLimit, type RateLimiter } from "./rate-limit";

/** A finished HTTP answer. */
export interface Reply {
  status: number;
  body: string;
  contentType?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteHandler<any, any>;

export interface RestDeps {
  market: MarketView;
  broker: BrokerEngine;
  /** Every POST route by name (`placeorder`, `market/timings`, ...): the engine's plus the market-data ones. */
  routes: Record<string, AnyRoute>;
  limiter: RateLimiter;
  /** Wall-clock ms for rate limiting (limits are about real request rates, not the simulated clock). */
  now(): number;
  /** `GET /api/v1/instruments`, answered after the rate limit. `scoped` is set when the path named an instance. */
  instruments(query: URLSearchParams, scoped: InstanceState | undefined): Reply;
  onError(error: unknown): void;
}

/** optionchain and optionsymbol answer with `json.dumps` spacing and unsorted keys (docs/openalgo.md "Transport"). */
const PYTHON_FORMAT_ROUTES = new Set(["optionchain", "optionsymbol"]);
/** optiongreeks answers a bad key with 401 rather than 403 (docs/openalgo.md "Sessions"). */
const UNAUTHORIZED_ROUTES = new Set(["optiongreeks"]);
const MAX_BODY_BYTES = 1 << 20;

const SCOPED = /^\/i\/([A-Za-z0-9_-]+)(\/.*)$/;
const BAD_JSON = restxJson({ message: "The browser (or proxy) sent a request that this server could not understand." });
const INTERNAL = restxJson({ message: "Internal Server Error" });
const INVALID_KEY = flaskJson({ message: "Invalid openalgo apikey", status: "error" });

export function jsonReply(status: number, body: unknown): Reply {
  return { status, body: flaskJson(body) };
}

export function notFound(path: string): Reply {
  return jsonReply(404, { message: "Not found", path, status: "error" });
}

/** Writes `reply`; a non-zero `clockSkewMs` states the server's time that far off in the `Date` header. */
export function send(res: ServerResponse, reply: Reply, clockSkewMs = 0): void {
  if (res.destroyed) return;
  res.writeHead(reply.status, {
    "Content-Type": reply.contentType ?? "application/json",
    "Content-Length": Buffer.byteLength(reply.body),
    // Node writes the real Date itself unless one is set.
    ...(clockSkewMs !== 0 ? { Date: new Date(Date.now() + clockSkewMs).toUTCString() } : {}),
  });
  res.end(reply.body);
}

export function readBody(req: IncomingMessage, done: (body: string | undefined) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  req.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  req.on("end", () => done(chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks).toString("utf8")));
  req.on("error", () => done(undefined));
}

/** Handles a request whose path starts with `/api/` or `/i/<id>/api/`. Returns false for any other path. */
/**
 * Sends `reply` with the instance's faults applied: latency and jitter, a lost reply (`lose`: the connection reset,
 * or no answer at all in "hang" mode) and a reply held back by `holdCancelReplies` (`hold`). The native broker
 * front-ends (lib/simulator/native/) answer through it too.
 */
export function finishReply(
  res: ServerResponse,
  reply: Reply,
  instance: InstanceState | undefined,
  lose = false,
  hold = false,
): void {
  const delay = instance ? replyDelayMs(instance.faults, instance.random) : 0;
  // A lost reply either resets the connection, or never comes and the socket stays open until the client gives up.
  const lost = instance?.faults.lostResponseMode === "hang" ? () => undefined : () => res.socket?.destroy();
  const skew = instance?.faults.clockSkewMs ?? 0;
  const act = lose
    ? lost
    : hold && instance
      ? () => instance.holdReply(() => send(res, reply, skew))
      : () => send(res, reply, skew);
  if (delay > 0) setTimeout(act, delay);
  else act();
}

export function createApiHandler(deps: RestDeps) {
  const { broker, limiter } = deps;
  const finish = finishReply;

  return function handle(req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string): boolean {
    let apiPath = path;
    let scoped: InstanceState | undefined;
    const scopedMatch = path.startsWith("/i/") ? SCOPED.exec(path) : null;
    if (scopedMatch) {
      scoped = broker.instance(scopedMatch[1]);
      apiPath = scopedMatch[2];
      if (!scoped) {
        send(res, notFound(path));
        return true;
      }
    }
    if (!apiPath.startsWith("/api/")) return false;

    const name = apiPath.startsWith("/api/v1/") ? apiPath.slice(8).replace(/\/$/, "") : "";
    const ip = req.socket.remoteAddress ?? "unknown";
    if (req.method === "GET" && name === "instruments") {
      req.resume();
      const query = new URLSearchParams(rawQuery);
      const target = scoped ?? broker.instanceByKey(query.get("apikey") ?? "");
      const limited = limiter.hit(clientOf(ip, target), name, "api", deps.now());
      send(res, limited ? tooMany(limited) : deps.instruments(query, scoped));
      return true;
    }
    const route = req.method === "POST" ? deps.routes[name] : undefined;
    if (!route) {
      req.resume();
      send(res, notFound(path));
      return true;
    }
    readBody(req, (text) => {
      if (text === undefined) return;
      dispatch(req, res, name, route, text, scoped, ip).catch((error) => {
        deps.onError(error);
        send(res, jsonReply(500, { message: "An unexpected error occurred", status: "error" }));
      });
    });
    return true;
  };

  async function dispatch(
    req: IncomingMessage,
    res: ServerResponse,
    name: string,
    route: AnyRoute,
    text: string,
    scoped: InstanceState | undefined,
    ip: string,
  ): Promise<void> {
    // OpenAlgo reads `request.json` inside the resource's try: no JSON content type is a 500 from the resource.
    const isJson = isJsonMimetype(req.headers["content-type"]);
    let body: unknown;
    let malformed = false;
    if (isJson) {
      try {
        body = JSON.parse(text);
      } catch {
        malformed = true;
      }
    }
    const apikey = typeof body === "object" && body !== null ? (body as { apikey?: unknown }).apikey : undefined;
    const keyed = typeof apikey === "string" ? broker.instanceByKey(apikey) : undefined;
    // Under /i/<id>/ the key must belong to that instance; the faults are the path's instance's either way.
    const instance = scoped ? (keyed === scoped ? scoped : undefined) : keyed;
    const target = scoped ?? keyed;

    // The limit comes first, for bad bodies and bad keys too (docs/openalgo.md "Transport").
    const limited = limiter.hit(clientOf(ip, target), name, route.limit, deps.now());
    if (limited) return finish(res, tooMany(limited), target);
    if (!isJson) {
      const message = route.placesOrders
        ? "An unexpected error occurred in the API endpoint"
        : "An unexpected error occurred";
      return finish(res, jsonReply(500, { message, status: "error" }), target);
    }
    if (malformed) return finish(res, { status: 400, body: BAD_JSON }, target);
    if (body === null || typeof body !== "object" || Array.isArray(body))
      return finish(res, { status: 500, body: INTERNAL }, target);

    if (target) {
      const fault = preRouteFault(target.faults, target.random);
      if (fault === "429") return finish(res, tooMany(limiter.limitFor(route.limit)), target);
      if (fault === "500") return finish(res, { status: 500, body: INTERNAL }, target);
    }

    const checked = route.validate(body, target?.mode);
    if (!checked.ok) return finish(res, serialise(name, checked.result.status, checked.result.body), target);

    if (!instance) return finish(res, { status: UNAUTHORIZED_ROUTES.has(name) ? 401 : 403, body: INVALID_KEY }, target);
    if (route.auth === "session" && !instance.sessionActive)
      return finish(res, { status: 403, body: INVALID_KEY }, target);

    const result = await route.execute({ instance, market: deps.market, ip }, checked.value);
    finish(
      res,
      serialise(name, result.status, result.body),
      instance,
      losesResponse(instance.faults, route.placesOrders, instance.random),
      name === "cancelorder" && instance.faults.holdCancelReplies,
    );
  }
}

/** Flask's `request.is_json`: `application/json` or any `+json` type, parameters and letter case ignored. */
function isJsonMimetype(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const mime = contentType.split(";")[0].trim().toLowerCase();
  return mime === "application/json" || (mime.startsWith("application/") && mime.endsWith("+json"));
}

/**
 * Rate-limit client key. Each simulated instance stands for its own OpenAlgo server with its own in-memory
 * limiter, so windows are per (client IP, instance); requests naming no known instance share one window.
 */
function clientOf(ip: string, instance: InstanceState | undefined): string {
  return instance ? `${ip}|${instance.id}` : `${ip}|-`;
}

function tooMany(limit: RateLimit): Reply {
  return { status: 429, body: restxJson({ message: describeRateLimit(limit) }) };
}

function serialise(name: string, status: number, body: unknown): Reply {
  return { status, body: PYTHON_FORMAT_ROUTES.has(name) ? pythonJson(body) + "\n" : flaskJson(body) };
}
