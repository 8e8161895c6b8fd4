/**
 * The simulator's native broker front-ends (docs/simulator.md "Native broker front-ends"): the same market and broker
 * engine that answers OpenAlgo's API also answers Zerodha's, Upstox's, Fyers', Angel's and Dhan's HTTP APIs, each
 * under its own path prefix (`/kite`, `/upstox`, ...), so the brokers' official SDKs and MirrorDesk's direct
 * connectors can be tested against it by their base-URL option.
 *
 * A front-end translates its broker's request into one of the engine's routes (the OpenAlgo names and fields:
 * `placeorder`, `orderbook`, ...), runs it for the instance the request's token belongs to, and translates the result
 * into its broker's envelope. The instance's faults (latency, lost replies, 429s, late rejections, partial fills,
 * held orders) therefore apply to every front-end alike.
 *
 * Apps and logins: a simulated instance is one trader at every broker. Its OpenAlgo API key doubles as the broker
 * app's API key, `appSecret` as the app secret, and its id as the client id. A login issues a one-time code and then a
 * token (`NativeSessions`) that dies at the broker's daily expiry on the simulated clock.
 */
import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { InstanceState, MarketView, RouteResult } from "@/lib/simulator/types";
import type { BrokerEngine } from "@/lib/simulator/server/broker-seam";
import { preRouteFault } from "@/lib/simulator/server/faults";
import type { Reply } from "@/lib/simulator/server/rest";
import { NativeSockets } from "./sockets";

/** A front-end's own answers for the refusals `NativeContext.gate` decides. */
export interface GateReplies {
  /** The broker's auth error: the trading session behind a live token has been ended. */
  unauthorised(): Reply;
  tooMany(): Reply;
  serverError(): Reply;
}

export interface NativeContext {
  market: MarketView;
  broker: BrokerEngine;
  sessions: NativeSessions;
  /** The streams' sockets: upgrades, tracking for drops and stalls (sockets.ts). */
  sockets: NativeSockets;
  /**
   * Runs one engine route for `instance` as OpenAlgo's API would after its auth checks: `validate` then `execute`.
   * `body` uses OpenAlgo's field names (the instance's `apikey` is added). A validation failure comes back as the
   * route's 400 result.
   */
  run(instance: InstanceState, route: string, body: Record<string, unknown>): Promise<RouteResult>;
  /** Whether `route` places orders (lost-reply faults apply to its replies). */
  placesOrders(route: string): boolean;
  /** Sends with the instance's faults applied (lib/simulator/server/rest.ts `finishReply`). */
  finish(res: ServerResponse, reply: Reply, instance: InstanceState | undefined, lose?: boolean, hold?: boolean): void;
  /** Wall-clock ms for rate limits. */
  now(): number;
  onError(error: unknown): void;
  /**
   * The checks every front-end makes once a request's token has resolved to `instance`, in the OpenAlgo front-end's
   * order: the instance's pre-route faults (a 429 or a 500, answered without acting), then the engine's session (a
   * revoke ends every broker's session of the instance). Returns the refusal to send (through `finish`), or undefined
   * to go on. Reading the session also applies a due 03:00 IST roll before the route reads any book.
   */
  gate(instance: InstanceState, replies: GateReplies): Reply | undefined;
}

/** What the simulator gives `nativeHandler`; the handler adds the checks shared by every front-end. */
export type NativeBase = Omit<NativeContext, "gate">;

export interface NativeFrontEnd {
  /** Path prefix, e.g. `/kite`; requests under it are this front-end's (`path` is given without it). */
  readonly prefix: `/${string}`;
  handle(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams, ctx: NativeContext): void;
  /**
   * A WebSocket upgrade under the prefix (the broker's ticker or order stream): accept it with `ctx.sockets.accept`
   * or refuse it with `NativeSockets.refuse`. Absent: every upgrade under the prefix is refused with a 404.
   */
  upgrade?: NativeUpgrade;
}

/** A WebSocket upgrade under a front end's prefix: `path` is below the prefix, `query` the request's. */
export type NativeUpgrade = (
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  path: string,
  query: URLSearchParams,
  ctx: NativeContext,
) => void;

interface Issued {
  broker: string;
  instanceId: string;
  /** Simulated-clock ms at which it dies. */
  expiresAt: number;
}

/**
 * Login codes and access tokens of every front-end, keyed by the front-end's name. Expiry is on the market's
 * simulated clock, so a test moves the clock past the broker's morning cut-off instead of waiting.
 */
export class NativeSessions {
  private readonly tokens = new Map<string, Issued>();
  private readonly codes = new Map<string, Issued & { data: Record<string, string> }>();

  constructor(
    private readonly clock: { now(): number },
    private readonly lookup: (id: string) => InstanceState | undefined,
  ) {}

  /**
   * A new random token for `instance`, valid until `expiresAt` (simulated ms). A broker login is the trader's login,
   * so it also starts the instance's engine session again (after a revoke or the daily roll), as OpenAlgo's morning
   * login would.
   */
  issue(broker: string, instance: InstanceState, expiresAt: number, prefix = ""): string {
    instance.sessionActive = true;
    const token = prefix + randomBytes(24).toString("base64url");
    this.tokens.set(token, { broker, instanceId: instance.id, expiresAt });
    return token;
  }

  /** The instance a token belongs to, unless it is unknown, another broker's, expired, or its instance is gone. */
  resolve(broker: string, token: string): InstanceState | undefined {
    const hit = this.tokens.get(token);
    if (!hit || hit.broker !== broker) return undefined;
    if (this.clock.now() >= hit.expiresAt) {
      this.tokens.delete(token);
      return undefined;
    }
    return this.lookup(hit.instanceId);
  }

  /** A one-time login code (5 simulated minutes), with whatever the front-end wants back at redemption. */
  issueCode(broker: string, instance: InstanceState, data: Record<string, string> = {}): string {
    const code = randomBytes(16).toString("hex");
    this.codes.set(code, { broker, instanceId: instance.id, expiresAt: this.clock.now() + 5 * 60_000, data });
    return code;
  }

  /** Redeems a code once. */
  redeemCode(broker: string, code: string): { instance: InstanceState; data: Record<string, string> } | undefined {
    const hit = this.codes.get(code);
    this.codes.delete(code);
    if (!hit || hit.broker !== broker || this.clock.now() >= hit.expiresAt) return undefined;
    const instance = this.lookup(hit.instanceId);
    return instance ? { instance, data: hit.data } : undefined;
  }

  /** Ends every token of an instance (all brokers, or one). */
  revoke(instanceId: string, broker?: string): number {
    let n = 0;
    for (const [token, hit] of this.tokens)
      if (hit.instanceId === instanceId && (broker === undefined || hit.broker === broker)) {
        this.tokens.delete(token);
        n++;
      }
    return n;
  }

  clear(): void {
    this.tokens.clear();
    this.codes.clear();
  }
}

/**
 * Mounts the front-ends: `handle` answers (true) a request under one of their prefixes, `upgrade` a WebSocket upgrade
 * under one (false: not theirs).
 */
export function nativeHandler(frontEnds: readonly NativeFrontEnd[], base: NativeBase) {
  const ctx: NativeContext = {
    ...base,
    gate(instance, replies) {
      const fault = preRouteFault(instance.faults, instance.random);
      if (fault === "429") return replies.tooMany();
      if (fault === "500") return replies.serverError();
      if (!instance.sessionActive) return replies.unauthorised();
      return undefined;
    },
  };
  for (const a of frontEnds)
    for (const b of frontEnds)
      if (a !== b && (a.prefix + "/").startsWith(b.prefix + "/"))
        throw new Error(`Native front-ends ${a.prefix} and ${b.prefix} overlap`);
  const owner = (path: string) => frontEnds.find((fe) => path === fe.prefix || path.startsWith(fe.prefix + "/"));
  return {
    handle(req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string): boolean {
      const fe = owner(path);
      if (!fe) return false;
      try {
        fe.handle(req, res, path.slice(fe.prefix.length) || "/", new URLSearchParams(rawQuery), ctx);
      } catch (error) {
        ctx.onError(error);
        if (!res.headersSent) {
          res.writeHead(500, { "Content-Type": "application/json" });
          res.end(JSON.stringify({ status: "error", message: "Internal server error" }));
        }
      }
      return true;
    },
    upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      const path = q < 0 ? url : url.slice(0, q);
      const fe = owner(path);
      if (!fe) return false;
      if (!fe.upgrade) {
        NativeSockets.refuse(socket, 404);
        return true;
      }
      try {
        fe.upgrade(
          req,
          socket,
          head,
          path.slice(fe.prefix.length) || "/",
          new URLSearchParams(q < 0 ? "" : url.slice(q + 1)),
          ctx,
        );
      } catch (error) {
        ctx.onError(error);
        NativeSockets.refuse(socket, 500);
      }
      return true;
    },
  };
}

/**
 * The engine's live order book has no rejection text (as OpenAlgo's live book), while every broker's own order book
 * has one: sets `rejection_reason` on engine order rows that lack it, from the engine's record of the orders it
 * received (the same text `sim.broker.receivedOrders` shows).
 */
export function withRejectionReasons<T extends Record<string, unknown>>(
  ctx: NativeContext,
  instance: InstanceState,
  rows: T[],
): T[] {
  if (!rows.some((o) => o.order_status === "rejected" && !o.rejection_reason)) return rows;
  const reasons = new Map(ctx.broker.receivedOrders(instance.id).map((r) => [r.orderid, r.rejectionReason]));
  return rows.map((o) =>
    o.rejection_reason || o.order_status !== "rejected"
      ? o
      : { ...o, rejection_reason: reasons.get(String(o.orderid)) ?? "" },
  );
}
