/**
 * One simulator process: the market model, the broker engine, the OpenAlgo REST API on `httpPort`
 * (node:http, keep-alive) with the control API under `/_sim/` and the native broker front-ends under their prefixes
 * (lib/simulator/native/), and the WebSocket proxy on `wsPort`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createBroker } from "@/lib/simulator/broker/broker";
import type { ClockOptions } from "@/lib/simulator/market/clock";
import { createMarket } from "@/lib/simulator/market/market";
import type { InstanceConfig } from "@/lib/simulator/types";
import { createControlHandler } from "./control";
import { instrumentsReply } from "./instruments";
import { marketRoutes } from "./market-routes";
import { optionRoutes } from "./option-data-routes";
import { createRateLimiter, type RateLimitConfig } from "./rate-limit";
import { createNativeFrontEnds } from "@/lib/simulator/native";
import { nativeHandler, type NativeFrontEnd, NativeSessions } from "@/lib/simulator/native/front-end";
import { NativeSockets } from "@/lib/simulator/native/sockets";
import { type AnyRoute, createApiHandler, finishReply, notFound, readBody, send } from "./rest";
import { startWsServer } from "./ws-server";

export interface SimulatorOptions {
  /** Interface to bind both servers to (default 127.0.0.1). */
  host?: string;
  /** REST port; 0 picks a free one (default 5055). */
  httpPort?: number;
  /** WebSocket port; 0 picks a free one (default 8765, OpenAlgo's). */
  wsPort?: number;
  /** Bearer token of the control API. */
  adminToken: string;
  /** Seed of the market model and of every instance's fault PRNG. */
  seed: number;
  /** Simulated clock (default: realtime from the wall clock). */
  clock?: ClockOptions;
  /** Keep every exchange open regardless of the simulated time. */
  alwaysOpen?: boolean;
  instances?: InstanceConfig[];
  /** Per-bucket overrides of OpenAlgo's default rate limits. */
  rateLimits?: Partial<RateLimitConfig>;
  /** WebSocket auth grace period (OpenAlgo: 15 000 ms); tests shorten it. */
  wsAuthGraceMs?: number;
  /** WebSocket protocol ping period (OpenAlgo: 20 000 ms). */
  wsPingIntervalMs?: number;
  /** Wall-clock ms the rate limiter counts with (default `performance.now`); tests freeze it for exact counts. */
  rateLimitNow?(): number;
  /** Unexpected errors inside a route (answered 500); default: console.error. */
  onError?(error: unknown): void;
}

export type SimMarket = ReturnType<typeof createMarket>;
export type SimBroker = ReturnType<typeof createBroker>;

export interface RunningSimulator {
  httpUrl: string;
  wsUrl: string;
  market: SimMarket;
  broker: SimBroker;
  /** The native broker front-ends this simulator serves (lib/simulator/native/). */
  nativeFrontEnds: readonly NativeFrontEnd[];
  close(): Promise<void>;
}

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const host = opts.host ?? "127.0.0.1";
  const clock: ClockOptions = opts.clock ?? { mode: "realtime" };
  const market = createMarket({ seed: opts.seed, clock, alwaysOpen: opts.alwaysOpen ?? false });
  const broker = createBroker(market, { seed: opts.seed });
  for (const cfg of opts.instances ?? []) broker.createInstance(cfg);

  const routes: Record<string, AnyRoute> = { ...marketRoutes, ...optionRoutes };
  for (const [name, route] of Object.entries(broker.routes)) {
    // Two parts answering one endpoint would be a silent wiring bug; refuse to start instead.
    if (routes[name]) throw new Error(`Route ${name} is defined by both the server and the broker engine`);
    routes[name] = route;
  }
  const limiter = createRateLimiter(opts.rateLimits);
  const onError = opts.onError ?? ((e: unknown) => console.error("simulator route error", e));
  const ws = await startWsServer({
    host,
    port: opts.wsPort ?? 8765,
    market,
    broker,
    authGraceMs: opts.wsAuthGraceMs,
    pingIntervalMs: opts.wsPingIntervalMs,
    onError,
  });
  const api = createApiHandler({
    market,
    broker,
    routes,
    limiter,
    now: opts.rateLimitNow ?? (() => performance.now()),
    instruments: (query, scoped) => instrumentsReply(market, broker, query, scoped),
    onError,
  });
  const nativeSessions = new NativeSessions(market.clock, (id) => broker.instance(id));
  const nativeSockets = new NativeSockets();
  const frontEnds = createNativeFrontEnds();
  const native = nativeHandler(frontEnds, {
    market,
    broker,
    sessions: nativeSessions,
    sockets: nativeSockets,
    async run(instance, name, body) {
      const route = routes[name];
      if (!route) throw new Error(`No engine route ${name}`);
      const checked = route.validate({ ...body, apikey: instance.apiKey }, instance.mode);
      if (!checked.ok) return checked.result;
      return route.execute({ instance, market, ip: "native" }, checked.value);
    },
    placesOrders: (name) => routes[name]?.placesOrders ?? false,
    finish: finishReply,
    now: opts.rateLimitNow ?? (() => performance.now()),
    onError,
  });
  const control = createControlHandler({
    nativeSessions,
    adminToken: opts.adminToken,
    market,
    broker,
    limiter,
    // The controls that drop or stall the OpenAlgo WebSocket proxy act on the native streams too.
    dropWs: (id) => ws.dropInstance(id) + nativeSockets.dropAll(id),
    initial: opts.instances ?? [],
    ws: {
      dropAll: (id) => ws.dropAll(id) + nativeSockets.dropAll(id),
      setStalled(stalled) {
        ws.setStalled(stalled);
        nativeSockets.setStalled(stalled);
      },
      subscriptions: ws.subscriptions,
    },
  });

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? "/";
    const q = url.indexOf("?");
    const path = q < 0 ? url : url.slice(0, q);
    if (path === "/_sim" || path.startsWith("/_sim/")) {
      readBody(req, (text) => {
        if (text !== undefined) send(res, control(req, path, text));
      });
      return;
    }
    const rawQuery = q < 0 ? "" : url.slice(q + 1);
    if (native.handle(req, res, path, rawQuery)) return;
    if (!api(req, res, path, rawQuery)) {
      req.resume();
      send(res, notFound(path));
    }
  });
  // Clients hold pooled keep-alive connections across many orders; outlive their idle timeouts.
  server.on("upgrade", (req: IncomingMessage, socket, head: Buffer) => {
    socket.on("error", () => socket.destroy());
    if (!native.upgrade(req, socket, head)) NativeSockets.refuse(socket, 404);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.httpPort ?? 5055, host, () => resolve());
    });
  } catch (error) {
    // e.g. the REST port is taken: release the WebSocket port before reporting.
    await ws.close();
    throw error;
  }
  server.on("error", onError);
  const httpPort = (server.address() as AddressInfo).port;
  if (clock.mode === "realtime") market.start();

  return {
    httpUrl: `http://${host}:${httpPort}`,
    wsUrl: ws.url,
    market,
    broker,
    nativeFrontEnds: frontEnds,
    async close() {
      market.stop();
      nativeSockets.close();
      await ws.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
