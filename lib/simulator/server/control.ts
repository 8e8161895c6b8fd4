/**
 * The simulator's control API (tests, e2e, demos). Every route needs `Authorization: Bearer <adminToken>` (401
 * otherwise); bodies are JSON validated with zod (400 names the field); replies are JSON.
 *
 *   GET    /_sim/health                          liveness + instance count + clock
 *   POST   /_sim/reset                           every instance back to its initial state (books, capital, mode, flavour,
 *                                                faults, a live session); rate-limit windows cleared; WebSockets unstalled. The market (prices,
 *                                                overrides, clock) is left as it is.
 *   GET    /_sim/instances                       list instances (id, apiKey, mode, flavour, session, faults, autoLoginAt)
 *   POST   /_sim/instances                       create one: InstanceConfig {id, apiKey, capital, mode?, numbers?, showStrategy?, brokerName?, faults?,
 *                                                autoLoginAt? ("HH:MM" IST: the session is restored there every day),
 *                                                appSecret?, redirectUrl? (the native broker front-ends' login),
 *                                                pin?, totpSecret? (a password login's PIN and base32 TOTP seed)}
 *   DELETE /_sim/instances/:id                   remove one (its WebSocket connections are dropped)
 *   POST   /_sim/instances/:id/revoke            end the broker session (session-bound routes answer 403) and every
 *                                                native front-end token of the instance
 *   POST   /_sim/instances/:id/login             start a fresh broker session
 *   POST   /_sim/instances/:id/mode              {mode: "live" | "analyze" | "semi_auto"}
 *   POST   /_sim/instances/:id/flavour           {numbers?: "string" | "number", showStrategy?: boolean, brokerName?: string}
 *   POST   /_sim/instances/:id/faults            partial FaultConfig; answers the full resulting config
 *   POST   /_sim/instances/:id/ws/drop           terminate every WebSocket of the instance; answers {dropped}
 *   GET    /_sim/instances/:id/orders            {orders: ReceivedOrder[]}: every order the instance received
 *   GET    /_sim/clock                           {now, iso, mode}
 *   POST   /_sim/clock                           {advanceMs?} | {set?: epoch ms | ISO string} and/or {mode?, speed?}
 *   POST   /_sim/market/spot                     {underlying, price}
 *   POST   /_sim/market/volatility               {underlying, vol}  (annualised, 0.15 = 15 %)
 *   POST   /_sim/market/contract                 {underlying, lotSize?, freezeQty?}
 *   POST   /_sim/market/exchange-freeze          {underlying, limit|null}: the exchange enforces `limit` while the
 *                                                instrument data still reports freezeQty (null: enforce freezeQty)
 *   POST   /_sim/market/always-open              {open: boolean}
 *   POST   /_sim/market/hold-prices              {hold: boolean}: the timer's ticks leave prices where they are (the
 *                                                WebSocket keeps streaming the unchanged quotes)
 *   POST   /_sim/market/tick                     generate one tick batch now (fixed-clock tests)
 *   POST   /_sim/ws/drop                         {instanceId?}: terminate every market-data WebSocket (of one instance);
 *                                                answers {dropped}
 *   POST   /_sim/ws/stall                        {stalled: boolean}: sockets stay open but the server sends nothing at all
 *                                                (no ticks, acks, pongs or protocol pings) until unstalled
 *   GET    /_sim/ws/connections                  {connections: [{instanceId, subscriptions: [{exchange, symbol, modes}]}]}

 *   POST   /_sim/market/stall-symbol             {symbol, exchange, stalled}: the WebSocket streams no tick of that
 *                                                contract while stalled (REST quotes still answer); cleared by reset.
 *                                                Answers {stalled: ["EXCHANGE:SYMBOL", ...]}
 *   POST   /_sim/market/jump                     {underlying | symbol+exchange, to | percent}: an index or equity
 *                                                moves at once (the next tick and quote show it); answers {symbol, price}
 *   POST   /_sim/market/holiday                  {date, description, closedExchanges?}: a holiday (default: the equity,
 *                                                F&O and currency segments); answers the declared days
 *   POST   /_sim/market/special-session          {date, description, start, end, exchanges?}: a special session (Muhurat;
 *                                                default NSE, BSE, NFO, BFO) from start to end IST, replacing the day
 *   POST   /_sim/market/calendar/clear           {date?}: forget declared days (one date, or all). Reset keeps them.
 */
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { faultConfigSchema } from "@/lib/simulator/fault-schema";
import { DEFAULT_FAULTS } from "@/lib/simulator/broker/instance";
import { normaliseTotpSeed } from "@/lib/crypto/totp";
import { HHMM } from "@/lib/simulator/session-schema";
import type { Exchange, InstanceConfig, InstanceState, MarketView } from "@/lib/simulator/types";
import {
  clearCalendar,
  clearCalendarControlSchema,
  declareHoliday,
  declareSpecialSession,
  holidayControlSchema,
  specialSessionControlSchema,
} from "./calendar-controls";
import type { WsServer } from "./ws-server";
import type { NativeSessions } from "@/lib/simulator/native/front-end";
import type { BrokerEngine } from "./broker-seam";
import type { RateLimiter } from "./rate-limit";
import type { Reply } from "./rest";

export interface ControlDeps {
  adminToken: string;
  /** The native front-ends' logins (lib/simulator/native/front-end.ts); a revoke ends them too. */
  nativeSessions?: NativeSessions;
  market: MarketView;
  broker: BrokerEngine;
  limiter: RateLimiter;
  dropWs(instanceId: string): number;
  /** Configurations of the instances created at start; reset restores them. */
  initial: InstanceConfig[];
  /** Whole-server WebSocket controls (drop, stall, inspect). */
  ws?: Pick<WsServer, "dropAll" | "setStalled" | "subscriptions">;
}

const modeSchema = z.enum(["live", "analyze", "semi_auto"]);
const instanceSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "letters, digits, - and _ only (1-64)"),
  apiKey: z.string().min(1).max(256),
  capital: z.union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?$/, "a decimal amount in rupees")]),
  mode: modeSchema.optional(),
  numbers: z.enum(["string", "number"]).optional(),
  showStrategy: z.boolean().optional(),
  brokerName: z.string().min(1).max(64).optional(),
  faults: faultConfigSchema.optional(),
  autoLoginAt: z.string().regex(HHMM, "HH:MM (IST)").optional(),
  appSecret: z.string().min(8).max(256).optional(),
  redirectUrl: z
    .url({ protocol: /^https?$/ })
    .max(500)
    .optional(),
  pin: z
    .string()
    .regex(/^\d{4}$/, "4 digits")
    .optional(),
  totpSecret: z
    .string()
    .refine((s) => normaliseTotpSeed(s) !== undefined, "a base32 seed of 16-64 bytes")
    .optional(),
});
const flavourSchema = z.strictObject({
  numbers: z.enum(["string", "number"]).optional(),
  showStrategy: z.boolean().optional(),
  brokerName: z.string().min(1).max(64).optional(),
});
const clockSchema = z.strictObject({
  advanceMs: z.number().int().min(0).optional(),
  set: z.union([z.number().int(), z.iso.datetime({ offset: true })]).optional(),
  mode: z.enum(["realtime", "fixed"]).optional(),
  speed: z.number().positive().optional(),
});
const underlying = z.string().min(1).max(32);
const symbol = z.string().min(1).max(64);
const exchange = z.string().regex(/^[A-Z_]{2,16}$/, "an OpenAlgo exchange code (NSE, NFO, NSE_INDEX, ...)");
/** One target (an underlying, or a symbol on an exchange) and one move (to a price, or by a percentage). */
const jumpSchema = z
  .strictObject({
    underlying: underlying.optional(),
    symbol: symbol.optional(),
    exchange: exchange.optional(),
    to: z.number().positive().optional(),
    percent: z.number().gt(-100).lt(1000).optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.underlying === undefined) === (v.symbol === undefined))
      ctx.addIssue({ code: "custom", path: ["underlying"], message: "give either underlying or symbol (not both)" });
    if (v.symbol !== undefined && v.exchange === undefined)
      ctx.addIssue({ code: "custom", path: ["exchange"], message: "required with symbol" });
    if ((v.to === undefined) === (v.percent === undefined))
      ctx.addIssue({ code: "custom", path: ["to"], message: "give either to (a price) or percent (not both)" });
  });

function json(status: number, body: unknown): Reply {
  return { status, body: JSON.stringify(body) + "\n" };
}

function describe(inst: InstanceState) {
  const { id, apiKey, mode, numbers, showStrategy, brokerName, sessionActive, faults, autoLoginAt } = inst;
  return { id, apiKey, mode, numbers, showStrategy, brokerName, sessionActive, faults, autoLoginAt };
}

function authorised(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? "";
  const given = Buffer.from(header.startsWith("Bearer ") ? header.slice(7) : "");
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

type Handler = (body: unknown, id: string | undefined) => Reply;

/** Parses `body` with `schema`; a failure becomes a 400 naming each field. */
function withBody<S extends z.ZodType>(schema: S, fn: (value: z.infer<S>, id: string | undefined) => Reply): Handler {
  return (body, id) => {
    const r = schema.safeParse(body ?? {});
    if (r.success) return fn(r.data, id);
    const issues = r.error.issues.map((i) => ({ field: i.path.join(".") || "(body)", message: i.message }));
    return json(400, { error: `invalid ${issues.map((i) => i.field).join(", ")}`, issues });
  };
}

export function createControlHandler(deps: ControlDeps) {
  const { broker, market, limiter } = deps;
  const configs = new Map(deps.initial.map((c) => [c.id, c]));

  /** The engine resets books and capital; the per-instance settings it does not own are restored here. */
  function resetAll(): void {
    broker.reset();
    for (const inst of broker.instances()) {
      const cfg = configs.get(inst.id);
      if (!cfg) continue;
      broker.setMode(inst.id, cfg.mode ?? "live");
      inst.numbers = cfg.numbers ?? "string";
      inst.showStrategy = cfg.showStrategy ?? false;
      inst.brokerName = cfg.brokerName ?? "simulator";
      broker.setFaults(inst.id, { ...DEFAULT_FAULTS, ...cfg.faults });
      broker.login(inst.id);
    }
    limiter.clear();
    deps.ws?.setStalled(false);

    // A stalled symbol is a fault, not a price: reset streams everything again.
    for (const key of market.stalledContracts()) {
      const at = key.indexOf(":");
      market.stallContract(key.slice(at + 1), key.slice(0, at) as Exchange, false);
    }
  }

  /** Runs `fn` on an existing instance, or answers 404. */
  const onInstance =
    (fn: (inst: InstanceState) => Reply): Handler =>
    (_body, id) => {
      const inst = id ? broker.instance(id) : undefined;
      return inst ? fn(inst) : json(404, { error: `instance ${id} not found` });
    };
  const clockState = () => ({
    now: market.clock.now(),
    iso: new Date(market.clock.now()).toISOString(),
    mode: market.clock.mode(),
  });

  const routes: Record<string, Handler> = {
    "GET /health": () => json(200, { status: "ok", instances: broker.instances().length, clock: clockState() }),
    "POST /reset": () => {
      resetAll();
      return json(200, { status: "ok" });
    },
    "GET /instances": () => json(200, { instances: broker.instances().map(describe) }),
    "POST /instances": withBody(instanceSchema, (cfg) => {
      if (broker.instance(cfg.id) || broker.instanceByKey(cfg.apiKey))
        return json(409, { error: `instance id or apiKey already in use` });
      const inst = broker.createInstance(cfg);
      configs.set(cfg.id, cfg);
      return json(201, describe(inst));
    }),
    "DELETE /instances/:id": onInstance((inst) => {
      deps.dropWs(inst.id);
      broker.removeInstance(inst.id);
      configs.delete(inst.id);
      return json(200, { removed: inst.id });
    }),
    "POST /instances/:id/revoke": onInstance((inst) => {
      broker.revokeSession(inst.id);
      deps.nativeSessions?.revoke(inst.id);
      return json(200, describe(inst));
    }),
    "POST /instances/:id/login": onInstance((inst) => {
      broker.login(inst.id);
      return json(200, describe(inst));
    }),
    "POST /instances/:id/mode": withBody(z.strictObject({ mode: modeSchema }), (v, id) =>
      onInstance((inst) => {
        broker.setMode(inst.id, v.mode);
        return json(200, describe(inst));
      })(v, id),
    ),
    "POST /instances/:id/flavour": withBody(flavourSchema, (v, id) =>
      onInstance((inst) => {
        if (v.numbers !== undefined) inst.numbers = v.numbers;
        if (v.showStrategy !== undefined) inst.showStrategy = v.showStrategy;
        if (v.brokerName !== undefined) inst.brokerName = v.brokerName;
        return json(200, describe(inst));
      })(v, id),
    ),
    "POST /instances/:id/faults": withBody(faultConfigSchema, (v, id) =>
      onInstance((inst) => {
        broker.setFaults(inst.id, v);
        return json(200, { faults: inst.faults });
      })(v, id),
    ),
    "POST /instances/:id/ws/drop": onInstance((inst) => json(200, { dropped: deps.dropWs(inst.id) })),
    "GET /instances/:id/orders": onInstance((inst) => json(200, { orders: broker.receivedOrders(inst.id) })),
    "GET /clock": () => json(200, clockState()),
    "POST /clock": withBody(clockSchema, (v) => {
      if (v.mode !== undefined) market.clock.setMode(v.mode, v.speed);
      if (v.set !== undefined) market.clock.set(typeof v.set === "number" ? v.set : Date.parse(v.set));
      if (v.advanceMs !== undefined) market.clock.advance(v.advanceMs);
      return json(200, clockState());
    }),
    "POST /market/spot": withBody(z.strictObject({ underlying, price: z.number().positive() }), (v) => {
      market.setSpot(v.underlying, v.price);
      return json(200, { underlying: v.underlying, price: v.price });
    }),
    "POST /market/volatility": withBody(z.strictObject({ underlying, vol: z.number().positive().max(5) }), (v) => {
      market.setVolatility(v.underlying, v.vol);
      return json(200, { underlying: v.underlying, vol: v.vol });
    }),
    "POST /market/contract": withBody(
      z.strictObject({
        underlying,
        lotSize: z.number().int().positive().optional(),
        freezeQty: z.number().int().positive().optional(),
      }),
      (v) => {
        market.overrideContract(v.underlying, { lotSize: v.lotSize, freezeQty: v.freezeQty });
        return json(200, v);
      },
    ),
    "POST /market/exchange-freeze": withBody(
      z.strictObject({ underlying, limit: z.number().int().min(2).nullable() }),
      (v) => {
        market.setExchangeFreeze(v.underlying, v.limit);
        return json(200, v);
      },
    ),
    "POST /market/always-open": withBody(z.strictObject({ open: z.boolean() }), (v) => {
      market.setAlwaysOpen(v.open);
      return json(200, v);
    }),
    "POST /market/hold-prices": withBody(z.strictObject({ hold: z.boolean() }), (v) => {
      market.holdPrices(v.hold);
      return json(200, v);
    }),
    "POST /market/tick": () => {
      market.tick();
      return json(200, { status: "ok", clock: clockState() });
    },
    "POST /ws/drop": withBody(z.strictObject({ instanceId: z.string().min(1).optional() }), (v) =>
      json(200, { dropped: deps.ws?.dropAll(v.instanceId) ?? 0 }),
    ),
    "POST /ws/stall": withBody(z.strictObject({ stalled: z.boolean() }), (v) => {
      deps.ws?.setStalled(v.stalled);
      return json(200, v);
    }),
    "GET /ws/connections": () => json(200, { connections: deps.ws?.subscriptions() ?? [] }),

    "POST /market/stall-symbol": withBody(z.strictObject({ symbol, exchange, stalled: z.boolean() }), (v) => {
      market.stallContract(v.symbol, v.exchange as Exchange, v.stalled);
      return json(200, { stalled: market.stalledContracts() });
    }),
    "POST /market/jump": withBody(jumpSchema, (v) => {
      const target = v.underlying ? { underlying: v.underlying } : { symbol: v.symbol!, exchange: v.exchange! };
      const move = v.to !== undefined ? { to: v.to } : { percent: v.percent! };
      return json(200, market.jump(target as Parameters<typeof market.jump>[0], move));
    }),
    "POST /market/holiday": withBody(holidayControlSchema, (v) => json(200, declareHoliday(market, v))),
    "POST /market/special-session": withBody(specialSessionControlSchema, (v) =>
      json(200, declareSpecialSession(market, v)),
    ),
    "POST /market/calendar/clear": withBody(clearCalendarControlSchema, (v) => json(200, clearCalendar(market, v))),
  };

  /** Answers a `/_sim/...` request whose body has been read (`text`). */
  return function handle(req: IncomingMessage, path: string, text: string): Reply {
    if (!authorised(req, deps.adminToken)) return json(401, { error: "missing or wrong bearer token" });
    const rest = path.slice("/_sim".length).replace(/\/$/, "");
    const m = /^\/instances\/([^/]+)(\/.*)?$/.exec(rest);
    const pattern = m ? `/instances/:id${m[2] ?? ""}` : rest;
    const handler = routes[`${req.method} ${pattern}`];
    if (!handler) return json(404, { error: `no control route ${req.method} ${path}` });
    let body: unknown;
    if (text.trim() !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        return json(400, { error: "body is not valid JSON" });
      }
    }
    try {
      return handler(body, m ? decodeURIComponent(m[1]) : undefined);
    } catch (e) {
      // Engine/market refusals (unknown underlying, bad clock value) are the caller's mistake.
      return json(400, { error: e instanceof Error ? e.message : String(e) });
    }
  };
}
