/**
 * The sockets of the simulated Upstox streams, per simulator (docs/brokers/upstox.md "Market data stream", "Order
 * updates"): market-data sockets with their subscriptions, fed from the market's ticks; portfolio sockets, fed from the
 * engine's order updates. Each checks `ctx.sockets.silent` before every send.
 */
import { z } from "zod";
import { WebSocket } from "ws";
import type { NativeContext } from "@/lib/simulator/native/front-end";
import type { Exchange, InstanceState } from "@/lib/simulator/types";
import { encodeFeeds, encodeMarketInfo, FEED_MODES, type FeedMode, feedOf } from "./feed-encode";
import { upstoxIndex } from "./instruments";
import { orderRow } from "./wire";

type Row = Record<string, unknown>;

/** A subscription request as Upstox documents it (sent as a binary frame holding JSON). */
const requestSchema = z.object({
  guid: z.string().optional(),
  method: z.enum(["sub", "change_mode", "unsub"]),
  data: z.object({ mode: z.enum(FEED_MODES).optional(), instrumentKeys: z.array(z.string()) }),
});

interface FeedClient {
  ws: WebSocket;
  inst: InstanceState;
  /** Instrument key → mode. */
  subs: Map<string, FeedMode>;
}

export class MarketHub {
  private readonly clients = new Set<FeedClient>();

  constructor(private readonly ctx: NativeContext) {
    ctx.market.onTick((changed) => this.onTick(changed));
  }

  add(ws: WebSocket, inst: InstanceState): void {
    const c: FeedClient = { ws, inst, subs: new Map() };
    this.clients.add(c);
    ws.once("close", () => this.clients.delete(c));
    ws.on("message", (data) => this.request(c, data));
    this.send(c, encodeMarketInfo(this.ctx.market, this.ctx.market.clock.now()));
  }

  private send(c: FeedClient, bytes: Uint8Array): void {
    if (!this.ctx.sockets.silent(c.inst) && c.ws.readyState === WebSocket.OPEN) c.ws.send(bytes);
  }

  /** Feeds of `keys` in each one's subscribed mode, leaving out stalled and unquoted contracts. */
  private feeds(c: FeedClient, keys: Iterable<string>): Record<string, Row> {
    const index = upstoxIndex(this.ctx.market);
    const out: Record<string, Row> = {};
    for (const key of keys) {
      const mode = c.subs.get(key);
      const inst = index.byKey.get(key);
      if (!mode || !inst || this.ctx.market.isStalled(inst.symbol, inst.exchange)) continue;
      const feed = feedOf(this.ctx.market, inst, mode);
      if (feed) out[key] = feed;
    }
    return out;
  }

  /** A sub, change_mode or unsub; unreadable requests and unknown keys are ignored, as Upstox does. */
  private request(c: FeedClient, data: WebSocket.RawData): void {
    let parsed: z.infer<typeof requestSchema>;
    try {
      const r = requestSchema.safeParse(JSON.parse(String(data)));
      if (!r.success) return;
      parsed = r.data;
    } catch {
      return;
    }
    const { method, data: body } = parsed;
    if (method === "unsub") {
      for (const key of body.instrumentKeys) c.subs.delete(key);
      return;
    }
    const index = upstoxIndex(this.ctx.market);
    const keys = body.instrumentKeys.filter((k) => index.byKey.has(k) && (method === "sub" || c.subs.has(k)));
    const mode = body.mode ?? "ltpc";
    for (const key of keys) c.subs.set(key, mode);
    const feeds = this.feeds(c, keys);
    if (Object.keys(feeds).length > 0) this.send(c, encodeFeeds("initial_feed", feeds, this.ctx.market.clock.now()));
  }

  private onTick(changed: { symbol: string; exchange: Exchange }[]): void {
    if (this.clients.size === 0) return;
    const index = upstoxIndex(this.ctx.market);
    const keys = changed.flatMap((s) => index.keyOf.get(`${s.exchange}:${s.symbol}`) ?? []);
    for (const c of this.clients) {
      if (c.subs.size === 0) continue;
      const feeds = this.feeds(
        c,
        keys.filter((k) => c.subs.has(k)),
      );
      if (Object.keys(feeds).length > 0) this.send(c, encodeFeeds("live_feed", feeds, this.ctx.market.clock.now()));
    }
  }
}

const num = (v: unknown): number => {
  const n = Number(v ?? 0);
  return Number.isFinite(n) ? n : 0;
};

/** `2026-12-08 10:15:20`: Upstox's timestamps are IST wall-clock text. */
function istStamp(ms: number): string {
  return new Date(ms + 330 * 60_000).toISOString().slice(0, 19).replace("T", " ");
}

/** One engine order update as Upstox's portfolio-feed order message: the order-book row plus its envelope fields. */
export function orderMessage(u: Row, ctx: NativeContext, userId: string): Row {
  const filled = num(u.filled_quantity);
  const fills = new Map([[String(u.orderid), { qty: filled, value: filled * num(u.average_price) }]]);
  const row = orderRow({ ...u, timestamp: istStamp(ctx.market.clock.now()) }, fills, upstoxIndex(ctx.market));
  return { update_type: "order", user_id: userId, userId, ...row, instrument_key: row.instrument_token };
}

export class PortfolioHub {
  private readonly clients = new Set<{ ws: WebSocket; inst: InstanceState }>();

  constructor(private readonly ctx: NativeContext) {
    ctx.broker.onOrderUpdate((instanceId, update) => {
      for (const c of this.clients) {
        if (c.inst.id !== instanceId || ctx.sockets.silent(c.inst) || c.ws.readyState !== WebSocket.OPEN) continue;
        c.ws.send(JSON.stringify(orderMessage(update, ctx, c.inst.id)));
      }
    });
  }

  add(ws: WebSocket, inst: InstanceState): void {
    const c = { ws, inst };
    this.clients.add(c);
    ws.once("close", () => this.clients.delete(c));
  }
}
