/**
 * The simulator's Kite ticker (docs/brokers/zerodha.md "Market data stream", "Order updates"): the WebSocket Kite
 * serves at `wss://ws.kite.trade/?api_key=…&access_token=…`, here at `<simulator>/kite/?api_key=…&access_token=…`.
 * A wrong or dead token is refused at the handshake with HTTP 403. Text frames in: `{"a":"subscribe"|"unsubscribe",
 * "v":[tokens]}` and `{"a":"mode","v":["ltp"|"quote"|"full",[tokens]]}`; binary frames out (./kite-ticker-packets),
 * a one-byte heartbeat after a second with nothing else sent, and text frames `{"type":"order","data":…}` for the
 * instance's order updates and `{"type":"error","data":…}` for refused messages. Nothing is sent while
 * `ctx.sockets.silent` (the stall controls), not even the heartbeat.
 */
import Decimal from "decimal.js";
import { type WebSocket, WebSocket as WS } from "ws";
import type { InstanceState } from "@/lib/simulator/types";
import type { NativeContext, NativeUpgrade } from "@/lib/simulator/native/front-end";
import { NativeSockets } from "@/lib/simulator/native/sockets";
import type { OrderUpdateData } from "@/lib/simulator/server/broker-seam";
import { kiteOrder, orderTags, watchRejections } from "./kite-books";
import { type KiteCatalog, kiteCatalog, type KiteInstrument } from "./kite-instruments";
import { KITE } from "./kite-login";
import { HEARTBEAT, type KiteTickerMode, tickerMessage, tickPacket } from "./kite-ticker-packets";
import { kiteTimestamp } from "./kite-wire";

/** Kite's limit of instruments on one connection. */
const MAX_TOKENS = 3000;
const HEARTBEAT_MS = 1000;
const MODES = new Set<KiteTickerMode>(["ltp", "quote", "full"]);

/** Accepts or refuses an upgrade under `/kite`: only the root path, with a live token of the API key's instance. */
export const kiteTickerUpgrade: NativeUpgrade = (req, socket, head, path, query, ctx) => {
  if (path !== "/") return NativeSockets.refuse(socket, 404);
  const token = query.get("access_token") ?? "";
  const instance = token ? ctx.sessions.resolve(KITE, token) : undefined;
  if (!instance || instance.apiKey !== query.get("api_key") || !instance.sessionActive)
    return NativeSockets.refuse(
      socket,
      403,
      JSON.stringify({
        status: "error",
        message: "Invalid `api_key` or `access_token`.",
        error_type: "TokenException",
      }),
    );
  ctx.sockets.accept(req, socket, head, (ws) => serveTicker(ws, instance, ctx));
};

function serveTicker(ws: WebSocket, instance: InstanceState, ctx: NativeContext): void {
  ctx.sockets.track(instance, ws);
  watchRejections(ctx.broker);
  const subs = new Map<number, { k: KiteInstrument; mode: KiteTickerMode }>();
  /** The subscribed tokens by the simulator's `EXCHANGE:SYMBOL` (ticks name contracts that way). */
  const tokenOf = new Map<string, number>();
  let sentSinceBeat = false;

  const send = (data: Buffer | string): void => {
    if (ws.readyState !== WS.OPEN || ctx.sockets.silent(instance)) return;
    ws.send(data);
    sentSinceBeat = true;
  };
  const refuse = (text: string) => send(JSON.stringify({ type: "error", data: text }));

  function publish(tokens: Iterable<number>): void {
    const packets: Buffer[] = [];
    for (const t of tokens) {
      const sub = subs.get(t);
      if (!sub) continue;
      const { symbol, exchange } = sub.k.sim;
      // A contract stalled through the control API streams nothing (its REST quote keeps answering).
      if (ctx.market.isStalled(symbol, exchange)) continue;
      const quote = ctx.market.quote(symbol, exchange);
      if (!quote) continue;
      const depth = sub.mode === "full" ? ctx.market.depth(symbol, exchange) : undefined;
      packets.push(tickPacket(t, sub.mode, quote, depth));
    }
    if (packets.length > 0) send(tickerMessage(packets));
  }

  const offTick = ctx.market.onTick((changed) => {
    if (subs.size === 0) return;
    const tokens: number[] = [];
    for (const c of changed) {
      const t = tokenOf.get(`${c.exchange}:${c.symbol}`);
      if (t !== undefined) tokens.push(t);
    }
    publish(tokens);
  });
  const offOrders = ctx.broker.onOrderUpdate((instanceId, update) => {
    if (instanceId !== instance.id) return;
    // Kite posts updates after the fact; the engine reports a fill while the placement is still being answered,
    // before the front-end has recorded the order's tag. Updates keep their order (setImmediate runs in turn).
    setImmediate(() => send(JSON.stringify({ type: "order", id: "", data: postback(update, instance, ctx) })));
  });
  const beat = setInterval(() => {
    if (!sentSinceBeat) send(HEARTBEAT);
    sentSinceBeat = false;
  }, HEARTBEAT_MS);
  ws.once("close", () => {
    clearInterval(beat);
    offTick();
    offOrders();
  });

  ws.on("message", (data, isBinary) => {
    const msg = isBinary ? undefined : parse(data.toString());
    if (!msg) return refuse("Invalid message");
    const catalog = kiteCatalog(ctx.market);
    if (msg.a === "subscribe" || msg.a === "unsubscribe") {
      const tokens = tokensOf(msg.v);
      if (!tokens) return refuse("Invalid message");
      if (msg.a === "unsubscribe") {
        for (const t of tokens) {
          const k = subs.get(t)?.k;
          if (k) tokenOf.delete(`${k.sim.exchange}:${k.sim.symbol}`);
          subs.delete(t);
        }
        return;
      }
      const added = known(tokens, catalog).filter((k) => !subs.has(k.instrumentToken));
      if (subs.size + added.length > MAX_TOKENS) return refuse(`Maximum of ${MAX_TOKENS} instruments per connection`);
      // Kite's default mode for a new subscription is quote; the current state goes out at once.
      for (const k of added) {
        subs.set(k.instrumentToken, { k, mode: "quote" });
        tokenOf.set(`${k.sim.exchange}:${k.sim.symbol}`, k.instrumentToken);
      }
      return publish(added.map((k) => k.instrumentToken));
    }
    if (msg.a === "mode" && Array.isArray(msg.v) && msg.v.length === 2) {
      const mode = msg.v[0] as KiteTickerMode;
      const tokens = tokensOf(msg.v[1]);
      if (!MODES.has(mode) || !tokens) return refuse("Invalid mode");
      const changed = tokens.filter((t) => subs.has(t));
      for (const t of changed) subs.get(t)!.mode = mode;
      return publish(changed);
    }
    refuse("Invalid message");
  });
}

function parse(text: string): { a?: unknown; v?: unknown } | undefined {
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function tokensOf(v: unknown): number[] | undefined {
  if (!Array.isArray(v) || !v.every((t) => Number.isSafeInteger(t))) return undefined;
  return v as number[];
}

/** Tokens the instrument list knows; Kite ignores the others. */
function known(tokens: number[], catalog: KiteCatalog): KiteInstrument[] {
  return tokens.flatMap((t) => catalog.byToken.get(t) ?? []);
}

/** An engine order update in the shape of Kite's postback (an order-book row plus a few postback fields). */
function postback(u: OrderUpdateData, instance: InstanceState, ctx: NativeContext): Record<string, unknown> {
  const id = String(u.orderid);
  const filled = Number(u.filled_quantity ?? 0);
  const fills = new Map([[id, { quantity: filled, value: new Decimal(String(u.average_price ?? 0)).mul(filled) }]]);
  const rejections = new Map<string, string>();
  if (typeof u.rejection_reason === "string" && u.rejection_reason)
    rejections.set(`${instance.id}|${id}`, u.rejection_reason);
  const row = kiteOrder(
    { ...u, timestamp: kiteTimestamp(ctx.market.clock.now()) },
    kiteCatalog(ctx.market),
    fills,
    instance.id,
    rejections,
    orderTags(ctx.broker),
  );
  return {
    ...row,
    user_id: instance.id,
    unfilled_quantity: row.pending_quantity,
    app_id: 0,
    checksum: "",
  };
}
