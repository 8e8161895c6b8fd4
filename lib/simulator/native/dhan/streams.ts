/**
 * The simulated Dhan's two WebSockets (docs/brokers/dhan.md "Market data stream", "Order updates"), served on the
 * simulator's HTTP port under `/dhan`: `/dhan/feed` stands for wss://api-feed.dhan.co and `/dhan/order-update` for
 * wss://api-order-update.dhan.co. This module routes the upgrade and keeps what both share: Dhan's server-side
 * keepalive and the per-simulator registry of authenticated sockets that tests read.
 */
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import type { InstanceState } from "@/lib/simulator/types";
import type { BrokerEngine } from "@/lib/simulator/server/broker-seam";
import type { NativeContext, NativeUpgrade } from "@/lib/simulator/native/front-end";
import { NativeSockets } from "@/lib/simulator/native/sockets";
import type { Scrip } from "./scrips";

/** Dhan's servers ping every connection this often, ms. */
export const DHAN_PING_MS = 10_000;

/** One subscribed instrument: the scrip as it was subscribed, and its request codes (ticker, quote, full). */
export interface FeedSub {
  scrip: Scrip;
  codes: Set<number>;
}

/** One authenticated market-feed socket: its subscriptions by `segment:securityId` as the client sent them. */
export interface FeedClient {
  ws: WebSocket;
  instance: InstanceState;
  subs: Map<string, FeedSub>;
}

export interface OrderClient {
  ws: WebSocket;
  instance: InstanceState;
}

export interface DhanStreams {
  feeds: Set<FeedClient>;
  orders: Set<OrderClient>;
}

const registries = new WeakMap<BrokerEngine, DhanStreams>();

/** The authenticated Dhan sockets of the simulator whose engine is `broker` (tests wait on them). */
export function dhanStreams(broker: BrokerEngine): DhanStreams {
  let r = registries.get(broker);
  if (!r) registries.set(broker, (r = { feeds: new Set(), orders: new Set() }));
  return r;
}

/**
 * Dhan's keepalive once a socket belongs to `instance`: a ping every 10 s, not while the simulator silences the
 * instance's sockets (the client's pings are answered by `ctx.sockets.track`, under the same rule).
 */
export function keepAlive(ctx: NativeContext, instance: InstanceState, ws: WebSocket): void {
  const timer = setInterval(() => {
    if (!ctx.sockets.silent(instance)) ws.ping();
  }, DHAN_PING_MS).unref();
  ws.once("close", () => clearInterval(timer));
}

export type StreamUpgrade = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  query: URLSearchParams,
  ctx: NativeContext,
) => void;

/** Routes a WebSocket upgrade under `/dhan` to its stream; anything else is refused with a 404. */
export function streamUpgrade(streams: Record<string, StreamUpgrade>): NativeUpgrade {
  return (req, socket, head, path, query, ctx) => {
    const serve = streams[path.replace(/\/+$/, "") || "/"];
    if (!serve) return NativeSockets.refuse(socket, 404);
    serve(req, socket, head, query, ctx);
  };
}
