/**
 * Order-placing and order-managing endpoints (docs/openalgo.md "Orders").
 */
import Decimal from "decimal.js";
import type { RouteHandler } from "@/lib/simulator/types";
import { validator } from "@/lib/simulator/validation";
import { positionKey, type Order } from "./account";
import type { Engine } from "./matching-engine";
import type { SimInstance } from "./instance";
import { fail, ok, placeReply, queued, semiAutoBlocked, toRequest } from "./replies";
import {
  basketOrderSchema,
  cancelOrderSchema,
  modifyOrderSchema,
  placeOrderSchema,
  smartOrderSchema,
  splitOrderSchema,
  strategyOnlySchema,
} from "./schemas";
import { rupees } from "./checks";

type Handler<T> = RouteHandler<T, SimInstance>;
type V<S> = S extends { parse(i: unknown): infer R } ? (R extends { ok: true; value: infer T } ? T : never) : never;

/** Most splits a request may create (docs/openalgo.md "Orders"). */
export const MAX_SPLIT_ORDERS = 100;

export function orderRoutes(engine: Engine) {
  const placeorder: Handler<V<typeof placeOrderSchema>> = {
    validate: validator(placeOrderSchema, "order"),
    auth: "session",
    placesOrders: true,
    limit: "order",
    execute({ instance }, v) {
      if (instance.mode === "semi_auto") return queued(instance);
      return placeReply(instance, engine.place(instance, toRequest(v), "placeorder"));
    },
  };

  const placesmartorder: Handler<V<typeof smartOrderSchema>> = {
    validate: validator(smartOrderSchema, "order+mode"),
    auth: "session",
    placesOrders: true,
    limit: "smart_order",
    execute({ instance }, v) {
      if (instance.mode === "semi_auto") return queued(instance);
      const current = instance.account.positions.get(positionKey(v.symbol, v.exchange, v.product))?.qty ?? 0;
      // OpenAlgo int()s the target: 1.5 acts as 1 (docs/openalgo.md "Orders").
      const target = Math.trunc(v.position_size);
      let action = v.action;
      let quantity: number;
      if (target === current) {
        if (target === 0 && v.quantity > 0) quantity = v.quantity;
        else {
          const message =
            target === 0
              ? "No OpenPosition Found. Not placing Exit order."
              : "Positions Already Matched. No Action needed.";
          return ok(instance, { status: "success", message });
        }
      } else {
        const diff = target - current;
        action = diff > 0 ? "BUY" : "SELL";
        quantity = Math.abs(diff);
      }
      // The sandbox always executes smart orders as MARKET (docs/openalgo.md "Orders").
      const overrides = instance.mode === "analyze" ? { pricetype: "MARKET" as const, price: 0, trigger_price: 0 } : {};
      return placeReply(
        instance,
        engine.place(instance, toRequest(v, { action, quantity, ...overrides }), "placesmartorder"),
      );
    },
  };

  const basketorder: Handler<V<typeof basketOrderSchema>> = {
    validate: validator(basketOrderSchema, "order+mode"),
    auth: "session",
    placesOrders: true,
    limit: "api",
    execute({ instance }, v) {
      if (instance.mode === "semi_auto") return queued(instance);
      // BUY legs first, so a hedged basket never leaves the account naked (docs/openalgo.md "Orders").
      const items = [...v.orders.filter((o) => o.action === "BUY"), ...v.orders.filter((o) => o.action === "SELL")];
      const analyze = instance.mode === "analyze";
      const results = items.map((item, i) => {
        const r = engine.place(instance, toRequest({ ...item, strategy: v.strategy }), "basketorder");
        if (!r.ok) return { symbol: item.symbol, status: "error", message: r.message };
        const row: Record<string, unknown> = {
          symbol: item.symbol,
          exchange: item.exchange,
          product: item.product,
          status: "success",
          orderid: r.order.orderid,
        };
        if (analyze) Object.assign(row, { batch_order: true, is_last_order: i === items.length - 1 });
        return row;
      });
      return ok(instance, { status: "success", results });
    },
  };

  const splitorder: Handler<V<typeof splitOrderSchema>> = {
    validate: validator(splitOrderSchema, "order+mode"),
    auth: "session",
    placesOrders: true,
    limit: "api",
    execute({ instance }, v) {
      const sizes = splitSizes(v.quantity, v.splitsize);
      if (sizes.length > MAX_SPLIT_ORDERS) {
        return fail(instance, 400, `Total number of orders would exceed maximum limit of ${MAX_SPLIT_ORDERS}`);
      }
      if (instance.mode === "semi_auto") return queued(instance);
      const results = placeSplit(engine, instance, toRequest(v), sizes, "splitorder");
      return ok(instance, { status: "success", total_quantity: v.quantity, split_size: v.splitsize, results });
    },
  };

  const modifyorder: Handler<V<typeof modifyOrderSchema>> = {
    validate: validator(modifyOrderSchema, "order+mode"),
    auth: "session",
    placesOrders: false,
    limit: "order",
    execute({ instance }, v) {
      if (instance.mode === "semi_auto") return semiAutoBlocked("modifyorder");
      const o = instance.account.byId.get(v.orderid);
      if (!o) return fail(instance, 404, `Order ${v.orderid} not found`);
      if (o.status !== "open" && o.status !== "trigger pending") {
        return fail(instance, 400, `Cannot modify order in ${o.status} status`);
      }
      if (v.price > 0 && (o.pricetype === "MARKET" || o.pricetype === "SL-M")) {
        return fail(instance, 400, `${o.pricetype} orders do not accept a price`);
      }
      if (v.trigger_price > 0 && (o.pricetype === "MARKET" || o.pricetype === "LIMIT")) {
        return fail(instance, 400, `${o.pricetype} orders do not accept a trigger_price`);
      }
      const bad = modifyCheck(instance, o, v.quantity, engine.now());
      if (bad) return fail(instance, 400, bad);
      engine.modify(instance, o, {
        quantity: v.quantity,
        price: new Decimal(v.price),
        trigger: new Decimal(v.trigger_price),
      });
      const extra = instance.mode === "analyze" ? { message: "Order modified successfully" } : {};
      return ok(instance, { status: "success", orderid: o.orderid, ...extra });
    },
  };

  const cancelorder: Handler<V<typeof cancelOrderSchema>> = {
    validate: validator(cancelOrderSchema, "order+mode"),
    auth: "session",
    placesOrders: false,
    limit: "order",
    execute({ instance }, v) {
      if (instance.mode === "semi_auto") return semiAutoBlocked("cancelorder");
      const o = instance.account.byId.get(v.orderid);
      if (!o) return fail(instance, 404, `Order ${v.orderid} not found`);
      if (o.status !== "open" && o.status !== "trigger pending") {
        return fail(instance, 400, `Cannot cancel order in ${o.status} status`);
      }
      engine.finish(instance, o, "cancelled");
      const extra = instance.mode === "analyze" ? { message: "Order cancelled successfully" } : {};
      return ok(instance, { status: "success", orderid: o.orderid, ...extra });
    },
  };

  const cancelallorder: Handler<V<typeof strategyOnlySchema>> = {
    validate: validator(strategyOnlySchema, "order+mode"),
    auth: "session",
    placesOrders: false,
    limit: "api",
    execute({ instance }) {
      if (instance.mode === "semi_auto") return semiAutoBlocked("cancelallorder");
      const analyze = instance.mode === "analyze";
      // The sandbox filters on "trigger_pending" and so never cancels SL orders (docs/openalgo.md "Orders").
      const targets = [...instance.account.working].filter(
        (o) => o.status === "open" || (!analyze && o.status === "trigger pending"),
      );
      const canceled = targets.map((o) => {
        engine.finish(instance, o, "cancelled");
        return o.orderid;
      });
      const message =
        analyze && canceled.length === 0
          ? "No open orders to cancel"
          : `Canceled ${canceled.length} orders. Failed to cancel 0 orders.`;
      return ok(instance, { status: "success", message, canceled_orders: canceled, failed_cancellations: [] });
    },
  };

  const closeposition: Handler<V<typeof strategyOnlySchema>> = {
    validate: validator(strategyOnlySchema, "order+mode"),
    auth: "session",
    placesOrders: true,
    limit: "api",
    execute({ instance }) {
      if (instance.mode === "semi_auto") return semiAutoBlocked("closeposition");
      const open = [...instance.account.positions.values()].filter((p) => p.qty !== 0);
      // Shorts are bought back before longs are sold, so a hedged book is never left naked mid-exit.
      open.sort((a, b) => a.qty - b.qty);
      let closed = 0;
      let failed = 0;
      for (const p of open) {
        // One MARKET order per position for its whole quantity, as OpenAlgo sends it: OpenAlgo never splits at the
        // freeze quantity (docs/openalgo.md "Symbols and exchanges"), so a position above it gets an order the broker
        // rejects (a `rejected` row) and stays open. Live still answers "All Open Positions Squared Off"
        // (docs/openalgo.md "Orders").
        const r = engine.place(
          instance,
          {
            strategy: "AUTO_SQUARE_OFF",
            symbol: p.inst.symbol,
            exchange: p.inst.exchange,
            action: p.qty < 0 ? "BUY" : "SELL",
            quantity: Math.abs(p.qty),
            pricetype: "MARKET",
            product: p.product,
            price: 0,
            trigger_price: 0,
          },
          "closeposition",
        );
        if (r.ok) closed++;
        else failed++;
      }
      if (instance.mode !== "analyze")
        return ok(instance, { status: "success", message: "All Open Positions Squared Off" });
      return ok(instance, {
        status: "success",
        message: `Closed ${closed} positions`,
        closed_positions: closed,
        failed_closures: failed,
      });
    },
  };

  return {
    placeorder,
    placesmartorder,
    basketorder,
    splitorder,
    modifyorder,
    cancelorder,
    cancelallorder,
    closeposition,
  };
}

/** ⌊q/s⌋ children of s plus one remainder child. */
export function splitSizes(quantity: number, size: number): number[] {
  const sizes: number[] = new Array(Math.floor(quantity / size)).fill(size);
  if (quantity % size > 0) sizes.push(quantity % size);
  return sizes;
}

/** Places children one after another and returns splitorder-style result rows. */
export function placeSplit(
  engine: Engine,
  inst: SimInstance,
  req: Parameters<Engine["place"]>[1],
  sizes: number[],
  via: string,
): Record<string, unknown>[] {
  return sizes.map((quantity, i) => {
    const r = engine.place(inst, { ...req, quantity }, via);
    return r.ok
      ? { order_num: i + 1, orderid: r.order.orderid, quantity, status: "success" }
      : { order_num: i + 1, quantity, status: "error", message: r.message };
  });
}

/** A modify must keep lot multiples and, when it grows the order, fit in the available margin. */
function modifyCheck(inst: SimInstance, o: Order, quantity: number, nowMs: number): string | undefined {
  const lot = o.inst.lotsize;
  if (
    lot > 1 &&
    quantity % lot !== 0 &&
    ["NFO", "BFO", "CDS", "BCD", "MCX", "NCDEX", "NCO"].includes(o.inst.exchange)
  ) {
    return `Quantity must be in multiples of lot size ${lot}`;
  }
  if (o.inst.freezeQty > 1 && quantity > o.inst.freezeQty) {
    return `Quantity ${quantity} exceeds the freeze limit of ${o.inst.freezeQty} for ${o.inst.symbol}. Slice the order.`;
  }
  const extra = quantity - o.quantity;
  if (extra <= 0) return undefined;
  const acct = inst.account;
  const p = acct.position(o.inst, o.product);
  const { before, after } = acct.marginWith(p, o.action, extra, o.refPrice, nowMs);
  const required = after.minus(before);
  const available = acct.available();
  if (required.gt(available)) {
    return `Insufficient funds. Required: ${rupees(required)}, Available: ${rupees(available)}, Shortage: ${rupees(required.minus(available))}`;
  }
  return undefined;
}
