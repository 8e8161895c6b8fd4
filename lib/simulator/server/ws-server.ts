/**
 * OpenAlgo's WebSocket proxy on its own port (docs/openalgo.md "WebSocket"): authenticate within a grace period
 * (close 4401 "auth timeout"), subscribe/unsubscribe market data in modes 1–3, order updates, broker info,
 * JSON pings before auth and protocol-level keepalive pings. Ticks come from `market.onTick`, order updates from
 * `broker.onOrderUpdate`. Server-level faults: `wsStall` (ticks stop, socket stays open), `wsDropAfterMs` (each socket
 * of the instance is dropped that long after it authenticated) and `dropInstance`. Whole-server controls: `dropAll`
 * (every socket, or every socket of one instance) and `setStalled` (every socket stays open but the server sends
 * nothing at all, not even pongs or protocol pings, like a proxy that hangs), and `subscriptions` to inspect.
 */
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import type { Exchange, InstanceState, MarketView } from "@/lib/simulator/types";
import type { BrokerEngine } from "./broker-seam";
import { pythonJson } from "./json";
import {
  error,
  invalidModeMessage,
  MODE_NAMES,
  parseMode,
  symbolItems,
  tickData,
  withRequestId,
  type WsMode,
} from "./ws-protocol";

export interface WsServerOptions {
  host: string;
  port: number;
  market: MarketView;
  broker: BrokerEngine;
  /** Close unauthenticated sockets after this long (OpenAlgo: 15 s). */
  authGraceMs?: number;
  /** Protocol ping period; a socket that missed the previous pong is terminated (OpenAlgo: 20 s). */
  pingIntervalMs?: number;
  onError?(error: unknown): void;
}

export interface WsServer {
  url: string;
  port: number;
  /** Terminates (no close frame, like a network drop) every socket of an instance; returns how many. */
  dropInstance(instanceId: string): number;
  /** Open sockets (tests and the control API's view). */
  connections(): number;
  /** Terminates every socket (only those of `instanceId` when given); returns how many. */
  dropAll(instanceId?: string): number;
  /** While stalled the server sends nothing on any socket (messages received meanwhile are dropped unanswered). */
  setStalled(stalled: boolean): void;
  /** Every open socket: its instance (null before authentication) and market-data subscriptions. */
  subscriptions(): WsConnectionView[];
  close(): Promise<void>;
}

export interface WsConnectionView {
  instanceId: string | null;
  subscriptions: { exchange: string; symbol: string; modes: WsMode[] }[];
}

interface Client {
  ws: WebSocket;
  instance?: InstanceState;
  /** key `EXCHANGE:SYMBOL` → the modes subscribed on this socket; the stream runs at the highest. */
  subs: Map<string, { symbol: string; exchange: string; modes: Set<WsMode> }>;
  orders: boolean;
  alive: boolean;
  grace?: NodeJS.Timeout;
  /** Scheduled drop (`wsDropAfterMs`). */
  drop?: NodeJS.Timeout;
}

const key = (exchange: string, symbol: string) => `${exchange}:${symbol}`;
const topMode = (modes: Set<WsMode>): WsMode => (modes.has(3) ? 3 : modes.has(2) ? 2 : 1);

export async function startWsServer(opts: WsServerOptions): Promise<WsServer> {
  const { market, broker } = opts;
  const graceMs = opts.authGraceMs ?? 15_000;
  const wss = new WebSocketServer({ host: opts.host, port: opts.port, maxPayload: 1 << 20 });
  await new Promise<void>((resolve, reject) => {
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  // After start an unhandled 'error' event would kill the process; report it instead.
  wss.on("error", (e) => opts.onError?.(e));
  const port = (wss.address() as AddressInfo).port;
  const clients = new Set<Client>();
  const bySymbol = new Map<string, Set<Client>>();
  let stalled = false;

  const send = (c: Client, value: unknown) => {
    if (!stalled && c.ws.readyState === WebSocket.OPEN) c.ws.send(pythonJson(value));
  };

  function addSub(c: Client, symbol: string, exchange: string, mode: WsMode): void {
    const k = key(exchange, symbol);
    const sub = c.subs.get(k) ?? { symbol, exchange, modes: new Set<WsMode>() };
    sub.modes.add(mode);
    c.subs.set(k, sub);
    let set = bySymbol.get(k);
    if (!set) bySymbol.set(k, (set = new Set()));
    set.add(c);
  }

  function removeSub(c: Client, k: string, mode: WsMode | "all"): void {
    const sub = c.subs.get(k);
    if (!sub) return;
    if (mode === "all") sub.modes.clear();
    else sub.modes.delete(mode);
    if (sub.modes.size > 0) return;
    c.subs.delete(k);
    bySymbol.get(k)?.delete(c);
  }

  /** The stream mode of a subscribed socket for symbol key `k`. */
  const modeOf = (c: Client, k: string): WsMode => {
    const modes = c.subs.get(k)?.modes;
    return modes ? topMode(modes) : 1;
  };

  /** Sends the latest tick of `(symbol, exchange)` to `targets` (all subscribers when omitted). */
  function publish(symbol: string, exchange: Exchange, targets?: Client[]): void {
    const k = key(exchange, symbol);
    const subscribers = bySymbol.get(k);
    if (stalled || !subscribers || subscribers.size === 0) return;
    // The upstream adapter is per user: every socket of an instance gets the payload of that instance's highest
    // mode, under its own envelope mode (docs/openalgo.md "WebSocket").
    const best = new Map<string, WsMode>();
    for (const c of subscribers) {
      const id = c.instance?.id;
      if (id !== undefined && (best.get(id) ?? 0) < modeOf(c, k)) best.set(id, modeOf(c, k));
    }
    // A stalled contract (control API stall-symbol) streams nothing at all, not even the snapshot on subscribe.
    if (market.isStalled(symbol, exchange)) return;
    const live = (targets ?? [...subscribers]).filter((c) => c.instance && !c.instance.faults.wsStall);
    if (live.length === 0) return;
    const quote = market.quote(symbol, exchange);
    if (!quote) return;
    const payloads = new Map<WsMode, string>();
    const payload = (m: WsMode) => {
      let p = payloads.get(m);
      if (p === undefined)
        payloads.set(
          m,
          (p = pythonJson(tickData(symbol, exchange, m, quote, m === 3 ? market.depth(symbol, exchange) : undefined))),
        );
      return p;
    };
    const head = `{"type": "market_data", "symbol": ${pythonJson(symbol)}, "exchange": ${pythonJson(exchange)}, "mode": `;
    for (const c of live) {
      const inst = c.instance!;
      const own = modeOf(c, k);
      const frame = `${head}${own}, "data": ${payload(best.get(inst.id) ?? own)}, "broker": ${pythonJson(inst.brokerName)}}`;
      if (c.ws.readyState === WebSocket.OPEN) c.ws.send(frame);
    }
  }

  const offTick = market.onTick((changed) => {
    for (const s of changed) publish(s.symbol, s.exchange);
  });
  const offOrders = broker.onOrderUpdate((instanceId, update) => {
    for (const c of clients)
      if (c.orders && c.instance?.id === instanceId) send(c, { type: "order_update", ...update });
  });

  function authenticate(c: Client, msg: Record<string, unknown>): void {
    const apiKey = msg.api_key ?? msg.apikey;
    if (typeof apiKey !== "string" || apiKey === "")
      return send(c, error("AUTHENTICATION_ERROR", "API key is required"));
    const inst = broker.instanceByKey(apiKey);
    if (!inst) return send(c, error("AUTHENTICATION_ERROR", "Invalid API key"));
    // The proxy's broker adapter needs the broker session (docs/openalgo.md "Sessions").
    if (!inst.sessionActive)
      return send(c, error("BROKER_INIT_ERROR", "Failed to initialize broker adapter: broker session expired"));
    c.instance = inst;
    clearTimeout(c.grace);
    clearTimeout(c.drop);
    if (inst.faults.wsDropAfterMs > 0) {
      c.drop = setTimeout(() => {
        c.ws.terminate();
        forget(c);
      }, inst.faults.wsDropAfterMs);
      c.drop.unref();
    }
    send(c, {
      type: "auth",
      status: "success",
      message: "Authentication successful",
      broker: inst.brokerName,
      user_id: inst.id,
      supported_features: { ltp: true, quote: true, depth: true },
    });
  }

  function subscribe(c: Client, inst: InstanceState, msg: Record<string, unknown>): void {
    const mode = parseMode(msg.mode);
    if (mode === undefined) return send(c, error("INVALID_MODE", invalidModeMessage(msg.mode)));
    const items = symbolItems(msg);
    if (!items || items.length === 0)
      return send(c, error("INVALID_PARAMETERS", "At least one symbol must be specified"));
    const depth = typeof msg.depth === "number" ? msg.depth : 5;
    const results: Record<string, unknown>[] = [];
    const fresh: { symbol: string; exchange: Exchange }[] = [];
    for (const item of items) {
      if (!market.instrument(item.symbol, item.exchange as Exchange)) {
        const message = `Symbol ${item.symbol} not found for exchange ${item.exchange}`;
        results.push({
          symbol: item.symbol,
          exchange: item.exchange,
          status: "error",
          message,
          broker: inst.brokerName,
        });
        continue;
      }
      addSub(c, item.symbol, item.exchange, mode);
      fresh.push({ symbol: item.symbol, exchange: item.exchange as Exchange });
      results.push({
        symbol: item.symbol,
        exchange: item.exchange,
        status: "success",
        mode: MODE_NAMES[mode],
        depth,
        broker: inst.brokerName,
      });
    }
    const status = results.some((r) => r.status === "error") ? "partial" : "success";
    send(
      c,
      withRequestId(
        {
          type: "subscribe",
          status,
          subscriptions: results,
          message: "Subscription processing complete",
          broker: inst.brokerName,
        },
        msg,
      ),
    );
    // A snapshot right after the ack, as brokers send on subscribe, so a client need not wait for the next tick.
    for (const s of fresh) publish(s.symbol, s.exchange, [c]);
  }

  function unsubscribe(c: Client, inst: InstanceState, msg: Record<string, unknown>, all: boolean): void {
    const items = all
      ? [...c.subs.values()].map((s) => ({ symbol: s.symbol, exchange: s.exchange, mode: "all" as const }))
      : symbolItems(msg);
    if (!items) return send(c, error("INVALID_PARAMETERS", "Either symbols or unsubscribe_all is required"));
    const successful: Record<string, unknown>[] = [];
    for (const item of items) {
      // The per-item mode defaults to 2; a mismatch still answers success and leaves the stream (docs/openalgo.md
      // "WebSocket").
      const mode = item.mode === "all" ? "all" : (parseMode(item.mode) ?? 2);
      removeSub(c, key(item.exchange, item.symbol), mode);
      successful.push({ symbol: item.symbol, exchange: item.exchange, status: "success", broker: inst.brokerName });
    }
    const message = "Unsubscription processing complete";
    send(
      c,
      withRequestId(
        { type: "unsubscribe", status: "success", message, successful, failed: [], broker: inst.brokerName },
        msg,
      ),
    );
  }

  function onMessage(c: Client, text: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(text);
    } catch {
      return send(c, error("INVALID_JSON", "Invalid JSON message"));
    }
    if (typeof msg !== "object" || msg === null || Array.isArray(msg))
      return send(c, error("INVALID_JSON", "Invalid JSON message"));
    const m = msg as Record<string, unknown>;
    const verb = String(m.action ?? m.type ?? "");
    if (verb === "ping") {
      const pong: Record<string, unknown> = { type: "pong", status: "success", server_timestamp: Date.now() };
      if (m.timestamp !== undefined) pong.client_timestamp = m.timestamp;
      if (m._pingId !== undefined) pong._pingId = m._pingId;
      return send(c, pong);
    }
    if (verb === "authenticate" || verb === "auth") return authenticate(c, m);
    const inst = c.instance;
    if (!inst) return send(c, error("NOT_AUTHENTICATED", "You must authenticate first"));
    switch (verb) {
      case "subscribe":
        return subscribe(c, inst, m);
      case "unsubscribe":
        return unsubscribe(c, inst, m, false);
      case "unsubscribe_all":
        return unsubscribe(c, inst, m, true);
      case "subscribe_orders":
        c.orders = true;
        return send(
          c,
          withRequestId({ type: "subscribe_orders", status: "success", message: "Subscribed to order updates" }, m),
        );
      case "unsubscribe_orders":
        c.orders = false;
        return send(
          c,
          withRequestId(
            { type: "unsubscribe_orders", status: "success", message: "Unsubscribed from order updates" },
            m,
          ),
        );
      case "get_broker_info":
        return send(c, {
          type: "broker_info",
          status: "success",
          broker: inst.brokerName,
          adapter_status: "connected",
          user_id: inst.id,
        });
      case "get_supported_brokers":
        return send(c, { type: "supported_brokers", status: "success", brokers: [inst.brokerName], count: 1 });
      default:
        return send(c, error("INVALID_ACTION", `Invalid action: ${verb}`));
    }
  }

  function forget(c: Client): void {
    clearTimeout(c.grace);
    clearTimeout(c.drop);
    for (const k of c.subs.keys()) bySymbol.get(k)?.delete(c);
    c.subs.clear();
    clients.delete(c);
  }

  wss.on("connection", (ws) => {
    const c: Client = { ws, subs: new Map(), orders: false, alive: true };
    clients.add(c);
    // A failed authenticate neither closes the socket nor extends this deadline (docs/openalgo.md "WebSocket").
    c.grace = setTimeout(() => {
      if (!c.instance && !stalled) ws.close(4401, "auth timeout");
    }, graceMs);
    ws.on("pong", () => (c.alive = true));
    ws.on("message", (data, isBinary) => {
      if (!stalled) onMessage(c, isBinary ? "" : data.toString());
    });
    ws.on("close", () => forget(c));
    ws.on("error", () => forget(c));
  });

  function dropAll(instanceId?: string): number {
    let n = 0;
    for (const c of [...clients]) {
      if (instanceId !== undefined && c.instance?.id !== instanceId) continue;
      c.ws.terminate();
      forget(c);
      n++;
    }
    return n;
  }

  const keepalive = setInterval(() => {
    // A stalled server sends no protocol pings either (and so terminates nobody for a missing pong).
    if (stalled) return;
    for (const c of clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, opts.pingIntervalMs ?? 20_000);
  keepalive.unref();

  return {
    url: `ws://${opts.host}:${port}`,
    port,
    dropInstance: (instanceId) => dropAll(instanceId),
    connections: () => clients.size,
    dropAll,
    setStalled(value) {
      stalled = value;
      // Every socket answered its last protocol ping as far as the keepalive knows: the stall was ours.
      if (!value) for (const c of clients) c.alive = true;
    },
    subscriptions: () =>
      [...clients].map((c) => ({
        instanceId: c.instance?.id ?? null,
        subscriptions: [...c.subs.values()].map((sub) => ({
          exchange: sub.exchange,
          symbol: sub.symbol,
          modes: [...sub.modes].sort((a, b) => a - b),
        })),
      })),
    async close() {
      clearInterval(keepalive);
      offTick();
      offOrders();
      for (const c of [...clients]) {
        c.ws.terminate();
        forget(c);
      }
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
