/**
 * The simulated Dhan Live Market Feed (docs/brokers/dhan.md "Market data stream") at `/dhan/feed`: the connection URL
 * carries `version=2`, `token`, `clientId` and `authType=2`; a token that does not resolve gets a disconnect packet
 * with Dhan's reason code and the socket closes. Subscriptions are JSON (`RequestCode` 15/17/21 subscribe ticker,
 * quote, full; 16/18/22 unsubscribe them; 12 disconnects), at most 100 instruments a message. Unknown instruments are
 * ignored, as Dhan does (no acknowledgement exists). Each subscription first gets the previous close packet and a
 * snapshot, then a packet on every market tick of the instrument.
 */
import type { WebSocket } from "ws";
import type { Exchange, InstanceState, MarketView } from "@/lib/simulator/types";
import type { NativeContext } from "@/lib/simulator/native/front-end";
import { NativeSockets } from "@/lib/simulator/native/sockets";
import {
  DISCONNECT,
  disconnectPacket,
  FEED_SEGMENT_CODES,
  fullPacket,
  oiPacket,
  prevClosePacket,
  quotePacket,
  tickerPacket,
} from "./feed-packets";
import { DHAN } from "./login";
import { type Scrip, scripIndex } from "./scrips";
import { dhanStreams, type FeedClient, keepAlive, type StreamUpgrade } from "./streams";

const SUBSCRIBE = new Set([15, 17, 21]);
const UNSUBSCRIBE = new Set([16, 18, 22]);
const DISCONNECT_REQUEST = 12;
const MAX_PER_MESSAGE = 100;

const listening = new WeakSet<MarketView>();

function packetsFor(ctx: NativeContext, scrip: Scrip, code: number): Buffer[] {
  const { symbol, exchange } = scrip.inst;
  const quote = ctx.market.quote(symbol, exchange);
  if (!quote) return [];
  const seg = FEED_SEGMENT_CODES[scrip.segment];
  const id = Number(scrip.securityId);
  // The day's close is only known once the session is over.
  const dayClose = ctx.market.isOpen(exchange) ? 0 : quote.ltp;
  if (code === 15) return [tickerPacket(seg, id, quote)];
  if (code === 17) {
    const derivative = scrip.expiry !== null;
    return [...(derivative ? [oiPacket(seg, id, quote)] : []), quotePacket(seg, id, quote, dayClose)];
  }
  const depth = ctx.market.depth(symbol, exchange);
  return depth ? [fullPacket(seg, id, depth, dayClose)] : [];
}

function send(ctx: NativeContext, c: FeedClient, packets: Buffer[]): void {
  if (ctx.sockets.silent(c.instance) || c.ws.readyState !== c.ws.OPEN) return;
  for (const p of packets) c.ws.send(p);
}

/**
 * Streams every tick of a subscribed instrument to its subscribers, once per simulator. Subscriptions keep the scrip
 * they were made with and are matched by symbol, so a rebuilt scrip index cannot orphan them.
 */
function listen(ctx: NativeContext): void {
  if (listening.has(ctx.market)) return;
  listening.add(ctx.market);
  const clients = dhanStreams(ctx.broker).feeds;
  ctx.market.onTick((changed) => {
    if (clients.size === 0) return;
    const moved = new Set<string>();
    for (const { symbol, exchange } of changed)
      if (!ctx.market.isStalled(symbol, exchange)) moved.add(`${exchange}:${symbol}`);
    for (const c of clients)
      for (const sub of c.subs.values())
        if (moved.has(`${sub.scrip.inst.exchange}:${sub.scrip.inst.symbol}`))
          for (const code of sub.codes) send(ctx, c, packetsFor(ctx, sub.scrip, code));
  });
}

interface Instrument {
  ExchangeSegment?: unknown;
  SecurityId?: unknown;
}

function onRequest(ctx: NativeContext, c: FeedClient, text: string): void {
  let msg: { RequestCode?: unknown; InstrumentCount?: unknown; InstrumentList?: unknown };
  try {
    msg = JSON.parse(text);
  } catch {
    return c.ws.close(1003, "Request is not JSON");
  }
  const code = Number(msg.RequestCode);
  if (code === DISCONNECT_REQUEST) return c.ws.close(1000);
  if (!SUBSCRIBE.has(code) && !UNSUBSCRIBE.has(code)) return c.ws.close(1008, "Unknown RequestCode");
  const list = Array.isArray(msg.InstrumentList) ? (msg.InstrumentList as Instrument[]) : [];
  if (list.length > MAX_PER_MESSAGE) return c.ws.close(1008, `At most ${MAX_PER_MESSAGE} instruments per message`);
  const index = scripIndex(ctx.market);
  for (const item of list) {
    const scrip =
      c.subs.get(`${String(item.ExchangeSegment)}:${String(item.SecurityId)}`)?.scrip ??
      index.byId(String(item.ExchangeSegment), String(item.SecurityId));
    if (!scrip) continue;
    const key = `${scrip.segment}:${scrip.securityId}`;
    if (UNSUBSCRIBE.has(code)) {
      const sub = c.subs.get(key);
      sub?.codes.delete(code - 1);
      if (sub?.codes.size === 0) c.subs.delete(key);
      continue;
    }
    const sub = c.subs.get(key) ?? { scrip, codes: new Set<number>() };
    sub.codes.add(code);
    c.subs.set(key, sub);
    const { symbol, exchange } = scrip.inst;
    if (ctx.market.isStalled(symbol, exchange as Exchange)) continue;
    const quote = ctx.market.quote(symbol, exchange);
    const seg = FEED_SEGMENT_CODES[scrip.segment];
    if (quote) send(ctx, c, [prevClosePacket(seg, Number(scrip.securityId), quote)]);
    send(ctx, c, packetsFor(ctx, scrip, code));
  }
}

/** Refuses a connection the way Dhan does: a disconnect packet naming the reason, then a close. */
function refuse(ws: WebSocket, reason: number): void {
  ws.send(disconnectPacket(reason));
  ws.close(1000);
}

function authorise(ctx: NativeContext, query: URLSearchParams): InstanceState | number {
  const instance = ctx.sessions.resolve(DHAN, query.get("token") ?? "");
  if (!instance) return DISCONNECT.authFailed;
  if (query.get("clientId") !== instance.id) return DISCONNECT.badClientId;
  // A revoked engine session (or the nightly roll) ends the token's use, as on the REST API.
  if (!instance.sessionActive) return DISCONNECT.tokenExpired;
  return instance;
}

export const feedUpgrade: StreamUpgrade = (req, socket, head, query, ctx) => {
  if (query.get("version") !== "2" || query.get("authType") !== "2")
    return NativeSockets.refuse(socket, 400, '{"message":"version=2 and authType=2 are required"}');
  ctx.sockets.accept(req, socket, head, (ws) => {
    const who = authorise(ctx, query);
    if (typeof who === "number") return refuse(ws, who);
    ctx.sockets.track(who, ws);
    keepAlive(ctx, who, ws);
    listen(ctx);
    const client: FeedClient = { ws, instance: who, subs: new Map() };
    const clients = dhanStreams(ctx.broker).feeds;
    clients.add(client);
    ws.once("close", () => clients.delete(client));
    ws.on("message", (data, binary) => {
      if (binary) return ws.close(1003, "Requests are JSON text");
      onRequest(ctx, client, data.toString());
    });
  });
};
