/**
 * Account and status endpoints: ping, funds, books, holdings, orderstatus, openposition, margin and the analyzer
 * switch (docs/openalgo.md "Account reads", "Market data", "Sessions").
 */
import Decimal from "decimal.js";
import type { Instrument, InstanceMode, RouteHandler } from "@/lib/simulator/types";
import { validator } from "@/lib/simulator/validation";
import { positionKey } from "./account";
import { funds, holdingsBook, orderBook, orderStatus, positionBook, qty, tradeBook, type Ltp } from "./books";
import type { Engine } from "./matching-engine";
import { marketPrice } from "./matching-engine";
import type { SimInstance } from "./instance";
import { groupMargin, isDerivative, marginGroupKey, type MarginLeg, type MarginTable } from "./margin";
import { fail, ok, semiAutoBlocked } from "./replies";
import { analyzerToggleSchema, keyOnlySchema, marginSchema, openPositionSchema, orderStatusSchema } from "./schemas";

type Handler<T> = RouteHandler<T, SimInstance>;
type V<S> = S extends { parse(i: unknown): infer R } ? (R extends { ok: true; value: infer T } ? T : never) : never;
type KeyOnly = V<typeof keyOnlySchema>;

export interface AccountRouteDeps {
  engine: Engine;
  table: MarginTable;
  /** Simulated time of the instance's last reset, and how many resets it has had (sandbox funds keys). */
  resetInfo(inst: SimInstance): { at: number; count: number };
  setMode(inst: SimInstance, mode: InstanceMode): void;
}

export function accountRoutes(deps: AccountRouteDeps) {
  const { engine } = deps;
  const ltp: Ltp = (i: Instrument) => engine.market.quote(i.symbol, i.exchange)?.ltp;

  const read = (build: (inst: SimInstance) => Record<string, unknown>): Handler<KeyOnly> => ({
    validate: validator(keyOnlySchema, "data"),
    auth: "session",
    placesOrders: false,
    limit: "api",
    execute: ({ instance }) => ok(instance, { status: "success", ...build(instance) }),
  });

  const ping: Handler<KeyOnly> = {
    ...read(() => ({})),
    // Ping is a broker call: it carries no sandbox `mode`.
    execute: ({ instance }) => ({
      status: 200,
      body: { status: "success", data: { broker: instance.brokerName, message: "pong" } },
    }),
  };

  const fundsRoute = read((inst) => {
    const r = deps.resetInfo(inst);
    return { data: funds(inst, ltp, r.at, r.count) };
  });
  const orderbook = read((inst) => ({ data: orderBook(inst) }));
  const tradebook = read((inst) => ({ data: tradeBook(inst) }));
  const holdings = read((inst) => ({ data: holdingsBook(inst, ltp) }));
  const positionbook = read((inst) => {
    const { data, totals } = positionBook(inst, ltp);
    if (inst.mode !== "analyze") return { data };
    const total = totals.realized.plus(totals.unrealized).toDecimalPlaces(2).toNumber();
    return {
      data,
      total_pnl: total,
      total_pnl_today: total,
      total_today_realized_pnl: totals.realized.toDecimalPlaces(2).toNumber(),
      total_unrealized_pnl: totals.unrealized.toDecimalPlaces(2).toNumber(),
    };
  });

  const orderstatus: Handler<V<typeof orderStatusSchema>> = {
    validate: validator(orderStatusSchema, "order+mode"),
    auth: "session",
    placesOrders: false,
    limit: "api",
    execute({ instance }, v) {
      const o = instance.account.byId.get(v.orderid);
      if (!o || o.unlisted) return fail(instance, 404, `Order ${v.orderid} not found`);
      return ok(instance, { status: "success", data: orderStatus(instance, o) });
    },
  };

  const openposition: Handler<V<typeof openPositionSchema>> = {
    validate: validator(openPositionSchema, "order+mode"),
    auth: "session",
    placesOrders: false,
    limit: "api",
    execute({ instance }, v) {
      const n = instance.account.positions.get(positionKey(v.symbol, v.exchange, v.product))?.qty ?? 0;
      return ok(instance, { status: "success", quantity: qty(instance, n) });
    },
  };

  const margin: Handler<V<typeof marginSchema>> = {
    validate: validator(marginSchema, "order"),
    auth: "session",
    placesOrders: false,
    limit: "api",
    execute({ market }, v) {
      // A basket what-if on an empty book, as brokers' basket-margin calculators answer it: every leg executed
      // (so a spread gets its hedge benefit), priced with the same SPAN-like model the order path blocks.
      const groups = new Map<string, MarginLeg[]>();
      const sides = new Map<MarginLeg, { buyQty: number; buyValue: Decimal; sellQty: number; sellValue: Decimal }>();
      for (const pos of v.positions) {
        const inst = market.instrument(pos.symbol, pos.exchange);
        if (!inst)
          return {
            status: 400,
            body: { status: "error", message: `Symbol ${pos.symbol} not found on ${pos.exchange}` },
          };
        const q = Number(pos.quantity);
        if (!Number.isInteger(q) || q <= 0)
          return { status: 400, body: { status: "error", message: `Invalid quantity ${pos.quantity}` } };
        const price = Number(pos.pricetype === "SL" || pos.pricetype === "SL-M" ? pos.trigger_price : pos.price);
        const ref = new Decimal(
          price > 0 ? price : (marketPrice(pos.action, market.quote(pos.symbol, pos.exchange)) ?? 0),
        );
        const key = marginGroupKey(inst, pos.product);
        const legs = groups.get(key) ?? [];
        groups.set(key, legs);
        let leg = legs.find((l) => l.inst.symbol === inst.symbol && l.product === pos.product);
        if (!leg) {
          leg = {
            inst,
            product: pos.product,
            qty: 0,
            avg: new Decimal(0),
            buyQty: 0,
            buyValue: new Decimal(0),
            sellQty: 0,
            sellValue: new Decimal(0),
          };
          legs.push(leg);
          sides.set(leg, { buyQty: 0, buyValue: new Decimal(0), sellQty: 0, sellValue: new Decimal(0) });
        }
        const side = sides.get(leg)!;
        if (pos.action === "BUY") {
          leg.qty += q;
          side.buyQty += q;
          side.buyValue = side.buyValue.plus(ref.mul(q));
        } else {
          leg.qty -= q;
          side.sellQty += q;
          side.sellValue = side.sellValue.plus(ref.mul(q));
        }
        // The executed position's average: of the buys when it is long, of the sells when it is short.
        leg.avg =
          leg.qty > 0
            ? side.buyValue.div(side.buyQty)
            : side.sellQty > 0
              ? side.sellValue.div(side.sellQty)
              : new Decimal(0);
      }
      let span = new Decimal(0);
      let exposure = new Decimal(0);
      for (const legs of groups.values()) {
        const m = groupMargin(legs, engine.now(), deps.table);
        if (isDerivative(legs[0].inst)) span = span.plus(m);
        else exposure = exposure.plus(m);
      }
      const n = (d: Decimal) => d.toDecimalPlaces(2).toNumber();
      return {
        status: 200,
        body: {
          status: "success",
          data: { total_margin_required: n(span.plus(exposure)), span_margin: n(span), exposure_margin: n(exposure) },
        },
      };
    },
  };

  const analyzerData = (inst: SimInstance) => ({
    analyze_mode: inst.mode === "analyze",
    mode: inst.mode === "analyze" ? "analyze" : "live",
    total_logs: inst.analyzerLogs,
  });

  const analyzer: Handler<KeyOnly> = {
    validate: validator(keyOnlySchema, "order"),
    auth: "session",
    placesOrders: false,
    limit: "api",
    execute: ({ instance }) => ({ status: 200, body: { status: "success", data: analyzerData(instance) } }),
  };

  const analyzerToggle: Handler<V<typeof analyzerToggleSchema>> = {
    validate: validator(analyzerToggleSchema, "order"),
    auth: "session",
    placesOrders: false,
    limit: "api",
    execute({ instance }, v) {
      if (instance.mode === "semi_auto") return semiAutoBlocked("analyzer/toggle");
      deps.setMode(instance, v.mode ? "analyze" : "live");
      const data = analyzerData(instance);
      return {
        status: 200,
        body: { status: "success", data: { ...data, message: `Analyzer mode switched to ${data.mode}` } },
      };
    },
  };

  return {
    ping,
    funds: fundsRoute,
    orderbook,
    tradebook,
    positionbook,
    holdings,
    orderstatus,
    openposition,
    margin,
    analyzer,
    "analyzer/toggle": analyzerToggle,
  };
}
