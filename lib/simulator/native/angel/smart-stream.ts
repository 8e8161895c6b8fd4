/**
 * SmartStream 2.0, Angel One's market-data WebSocket (docs/brokers/angel.md "Market data stream"), at
 * `/angel/smart-stream`. Auth is in the upgrade's headers (`Authorization` JWT, `x-api-key`, `x-client-code`,
 * `x-feed-token`) or, as for browsers, in the query (`clientCode`, `feedToken`, `apiKey`); a refusal is an HTTP 401.
 * Requests are JSON `{correlationID, action, params: {mode, tokenList}}`; ticks are binary packets (./stream-packets);
 * a text `ping` is answered `pong`. Subscribing sends the current tick of each new (token, mode) at once, then one per
 * market tick. Nothing is sent while the stream is silenced (`ctx.sockets.silent`).
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import type { NativeContext } from "@/lib/simulator/native/front-end";
import { NativeSockets } from "@/lib/simulator/native/sockets";
import type { Exchange, InstanceState, Instrument } from "@/lib/simulator/types";
import { ANGEL, ANGEL_FEED } from "./session-names";
import { angelMaster } from "./master";
import { encodePacket, EXCHANGE_TYPES, type StreamMode } from "./stream-packets";

/** Tokens one socket may hold across modes (Angel's documented limit per session). */
const MAX_TOKENS = 1000;

interface Sub {
  instrument: Instrument;
  exchangeType: number;
  token: string;
  modes: Set<StreamMode>;
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return typeof v === "string" ? v : "";
};

/** The instance whose feed token, client code and API key (and JWT, when sent) all agree; undefined otherwise. */
export function streamInstance(
  req: IncomingMessage,
  query: URLSearchParams,
  ctx: NativeContext,
): InstanceState | undefined {
  const feed = header(req, "x-feed-token") || (query.get("feedToken") ?? "");
  const apiKey = header(req, "x-api-key") || (query.get("apiKey") ?? "");
  const client = header(req, "x-client-code") || (query.get("clientCode") ?? "");
  const jwt = header(req, "authorization").replace(/^Bearer /, "");
  const instance = feed ? ctx.sessions.resolve(ANGEL_FEED, feed) : undefined;
  if (!instance || apiKey !== instance.apiKey || client.toUpperCase() !== instance.id.toUpperCase()) return undefined;
  if (jwt && ctx.sessions.resolve(ANGEL, jwt) !== instance) return undefined;
  if (!jwt && !query.get("feedToken")) return undefined;
  return instance.sessionActive ? instance : undefined;
}

const errorFrame = (correlationID: unknown, errorCode: string, errorMessage: string) =>
  JSON.stringify({ correlationID: typeof correlationID === "string" ? correlationID : "", errorCode, errorMessage });

export function smartStreamUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  query: URLSearchParams,
  ctx: NativeContext,
): void {
  const instance = streamInstance(req, query, ctx);
  if (!instance) return NativeSockets.refuse(socket, 401, JSON.stringify({ message: "Invalid Auth token" }));
  ctx.sockets.accept(req, socket, head, (ws) => serve(ws, instance, ctx));
}

function serve(ws: WebSocket, instance: InstanceState, ctx: NativeContext): void {
  ctx.sockets.track(instance, ws);
  const subs = new Map<string, Sub>();
  let sequence = 0;
  const send = (data: Buffer | string) => {
    if (!ctx.sockets.silent(instance) && ws.readyState === ws.OPEN) ws.send(data);
  };

  function publish(sub: Sub, modes: Iterable<StreamMode>): void {
    const { symbol, exchange } = sub.instrument;
    if (ctx.market.isStalled(symbol, exchange as Exchange)) return;
    const quote = ctx.market.quote(symbol, exchange as Exchange);
    if (!quote) return;
    for (const mode of modes) {
      const depth = mode === 1 ? undefined : ctx.market.depth(symbol, exchange as Exchange);
      send(
        encodePacket({ mode, exchangeType: sub.exchangeType, token: sub.token, sequence: ++sequence, quote, depth }),
      );
    }
  }

  const offTick = ctx.market.onTick((changed) => {
    const master = angelMaster(ctx.market);
    for (const c of changed) {
      const scrip = master.bySymbol(c.symbol, c.exchange);
      const sub = scrip && subs.get(`${EXCHANGE_TYPES[scrip.exch_seg]}:${scrip.token}`);
      if (sub) publish(sub, sub.modes);
    }
  });
  ws.once("close", offTick);

  ws.on("message", (data, isBinary) => {
    const text = isBinary ? "" : data.toString();
    if (text === "ping") return send("pong");
    let msg: { correlationID?: unknown; action?: unknown; params?: { mode?: unknown; tokenList?: unknown } };
    try {
      msg = JSON.parse(text);
    } catch {
      return send(errorFrame("", "E1001", "Invalid Request Payload."));
    }
    const mode = msg?.params?.mode;
    const list = msg?.params?.tokenList;
    if ((msg.action !== 0 && msg.action !== 1) || !Array.isArray(list) || typeof mode !== "number")
      return send(errorFrame(msg?.correlationID, "E1001", "Invalid Request Payload."));
    if (mode < 1 || mode > 3)
      return send(errorFrame(msg.correlationID, "E1001", `Invalid Request Payload. Mode ${mode} is not served.`));
    const wanted = parseTokenList(list);
    if (!wanted) return send(errorFrame(msg.correlationID, "E1001", "Invalid Request Payload."));
    if (msg.action === 0) {
      for (const w of wanted) {
        const key = `${w.exchangeType}:${w.token}`;
        subs.get(key)?.modes.delete(mode as StreamMode);
        if (subs.get(key)?.modes.size === 0) subs.delete(key);
      }
      return;
    }
    const fresh = wanted.filter((w) => !subs.has(`${w.exchangeType}:${w.token}`)).length;
    if (subs.size + fresh > MAX_TOKENS)
      return send(errorFrame(msg.correlationID, "E1002", "Invalid Request. Subscription Limit Exceeded."));
    const master = angelMaster(ctx.market);
    const segments = Object.fromEntries(Object.entries(EXCHANGE_TYPES).map(([seg, n]) => [n, seg]));
    for (const w of wanted) {
      const hit = master.byToken(segments[w.exchangeType] ?? "", w.token);
      // Angel ignores tokens it does not know: they simply never tick.
      if (!hit) continue;
      const key = `${w.exchangeType}:${w.token}`;
      const sub = subs.get(key) ?? {
        instrument: hit.instrument,
        exchangeType: w.exchangeType,
        token: w.token,
        modes: new Set(),
      };
      subs.set(key, sub);
      if (sub.modes.has(mode as StreamMode)) continue;
      sub.modes.add(mode as StreamMode);
      publish(sub, [mode as StreamMode]);
    }
  });
}

function parseTokenList(list: unknown[]): { exchangeType: number; token: string }[] | undefined {
  const out: { exchangeType: number; token: string }[] = [];
  for (const entry of list) {
    const e = entry as { exchangeType?: unknown; tokens?: unknown };
    if (typeof e?.exchangeType !== "number" || !Array.isArray(e.tokens)) return undefined;
    for (const t of e.tokens) if (typeof t === "string") out.push({ exchangeType: e.exchangeType, token: t });
  }
  return out;
}
