/**
 * optionsorder and optionsmultiorder (docs/openalgo.md "Orders"): the option is resolved from an offset around the
 * underlying's spot through the market model's chain, then placed like any other order; legs run BUY first.
 */
import type { Exchange, MarketView, RouteHandler } from "@/lib/simulator/types";
import { validator } from "@/lib/simulator/validation";
import { parseDerivativeSymbol, parseStrikeOffset, formatExpiry } from "@/lib/trading/symbols";
import type { Engine } from "./matching-engine";
import type { SimInstance } from "./instance";
import { fail, ok, queued } from "./replies";
import { optionsMultiOrderSchema, optionsOrderSchema } from "./schemas";
import { MAX_SPLIT_ORDERS, placeSplit, splitSizes } from "./routes-orders";

type Handler<T> = RouteHandler<T, SimInstance>;
type V<S> = S extends { parse(i: unknown): infer R } ? (R extends { ok: true; value: infer T } ? T : never) : never;

interface Resolved {
  symbol: string;
  exchange: Exchange;
  underlying: string;
  underlyingLtp: number;
}

/** Resolves `offset`/`option_type` around the underlying's spot to an option symbol, or an error text. */
export function resolveOption(
  market: MarketView,
  req: {
    underlying: string;
    exchange: Exchange;
    expiry_date?: string;
    strike_int?: number | null;
    offset: string;
    option_type: "CE" | "PE";
  },
): Resolved | { error: string } {
  let underlying = req.underlying.toUpperCase();
  let expiry = req.expiry_date;
  const embedded = parseDerivativeSymbol(underlying);
  if (embedded) {
    underlying = embedded.underlying;
    expiry ??= formatExpiry(embedded.expiry, "DDMMMYY");
  }
  if (!expiry)
    return { error: "Expiry date is required when the underlying does not include one (e.g. NIFTY28NOV24FUT)." };
  const offset = parseStrikeOffset(req.offset);
  if (!offset || offset.n > 50) return { error: `Invalid offset '${req.offset}'. Use ATM, ITM1-ITM50 or OTM1-OTM50.` };
  const chain = market.optionChain(underlying, req.exchange, expiry);
  if (!chain || chain.rows.length === 0) {
    return {
      error: `No strikes found for ${underlying} expiring ${expiry.toUpperCase()}. Please check expiry date or update master contract.`,
    };
  }
  const strikes = chain.rows.map((r) => r.strike);
  const spot = chain.underlyingLtp;
  let index: number;
  if (req.strike_int) {
    // Caller-given step: ATM on that grid, then whole steps away from it.
    const atm = Math.round(spot / req.strike_int) * req.strike_int;
    const below = (offset.kind === "ITM") === (req.option_type === "CE");
    const wanted =
      offset.kind === "ATM" ? atm : below ? atm - offset.n * req.strike_int : atm + offset.n * req.strike_int;
    index = strikes.indexOf(wanted);
  } else {
    // ATM is the listed strike nearest the spot; offsets walk the listed strikes.
    let atmIndex = 0;
    strikes.forEach((k, i) => {
      if (Math.abs(k - spot) < Math.abs(strikes[atmIndex] - spot)) atmIndex = i;
    });
    const below = (offset.kind === "ITM") === (req.option_type === "CE");
    index = offset.kind === "ATM" ? atmIndex : below ? atmIndex - offset.n : atmIndex + offset.n;
  }
  const row = index >= 0 && index < chain.rows.length ? chain.rows[index] : undefined;
  const leg = row ? (req.option_type === "CE" ? row.ce : row.pe) : null;
  if (!leg)
    return {
      error: `Strike for ${req.offset.toUpperCase()} ${req.option_type} not found in the option chain of ${underlying} ${expiry.toUpperCase()}`,
    };
  return {
    symbol: leg.instrument.symbol,
    exchange: leg.instrument.exchange,
    underlying: chain.underlying,
    underlyingLtp: spot,
  };
}

export function optionRoutes(engine: Engine) {
  const optionsorder: Handler<V<typeof optionsOrderSchema>> = {
    validate: validator(optionsOrderSchema, "options"),
    auth: "session",
    placesOrders: true,
    limit: "order",
    execute({ instance, market }, v) {
      if (instance.mode === "semi_auto") return queued(instance);
      const r = resolveOption(market, v);
      if ("error" in r) return fail(instance, 400, r.error);
      const head = {
        symbol: r.symbol,
        exchange: r.exchange,
        underlying: r.underlying,
        underlying_ltp: r.underlyingLtp,
        offset: v.offset,
        option_type: v.option_type,
      };
      const req = { ...v, symbol: r.symbol, exchange: r.exchange };
      const split = v.splitsize ?? 0;
      if (split > 0) {
        const sizes = splitSizes(v.quantity, split);
        if (sizes.length > MAX_SPLIT_ORDERS)
          return fail(instance, 400, `Total number of orders would exceed maximum limit of ${MAX_SPLIT_ORDERS}`);
        const results = placeSplit(engine, instance, req, sizes, "optionsorder");
        return ok(instance, { status: "success", ...head, total_quantity: v.quantity, split_size: split, results });
      }
      const placed = engine.place(instance, req, "optionsorder");
      if (!placed.ok) return fail(instance, placed.status, placed.message);
      return ok(instance, { status: "success", orderid: placed.order.orderid, ...head });
    },
  };

  const optionsmultiorder: Handler<V<typeof optionsMultiOrderSchema>> = {
    validate: validator(optionsMultiOrderSchema, "options"),
    auth: "session",
    placesOrders: true,
    limit: "order",
    execute({ instance, market }, v) {
      if (instance.mode === "semi_auto") return queued(instance);
      const mode = instance.mode === "analyze" ? "analyze" : "live";
      const legs = v.legs.map((leg, i) => ({ leg, n: i + 1 }));
      // Every BUY leg before any SELL leg: the account gets the hedge benefit and is never naked.
      const ordered = [...legs.filter((l) => l.leg.action === "BUY"), ...legs.filter((l) => l.leg.action === "SELL")];
      let underlyingLtp: number | undefined;
      let underlying = v.underlying;
      const results = ordered.map(({ leg, n }) => {
        const r = resolveOption(market, { ...v, ...leg, expiry_date: leg.expiry_date ?? v.expiry_date });
        if ("error" in r) return { leg: n, status: "error", message: r.error };
        underlyingLtp ??= r.underlyingLtp;
        underlying = r.underlying;
        const head = {
          leg: n,
          symbol: r.symbol,
          exchange: r.exchange,
          product: leg.product,
          offset: leg.offset,
          option_type: leg.option_type,
          action: leg.action,
        };
        const req = { ...leg, strategy: v.strategy, symbol: r.symbol, exchange: r.exchange };
        const split = leg.splitsize ?? 0;
        if (split > 0) {
          const sizes = splitSizes(leg.quantity, split);
          if (sizes.length > MAX_SPLIT_ORDERS) {
            return {
              ...head,
              status: "error",
              message: `Total number of orders would exceed maximum limit of ${MAX_SPLIT_ORDERS}`,
            };
          }
          const split_results = placeSplit(engine, instance, req, sizes, "optionsmultiorder");
          return { ...head, status: "success", total_quantity: leg.quantity, split_size: split, split_results, mode };
        }
        const placed = engine.place(instance, req, "optionsmultiorder");
        if (!placed.ok) return { ...head, status: "error", message: placed.message };
        return { ...head, status: "success", orderid: placed.order.orderid, mode };
      });
      return ok(instance, { status: "success", underlying, underlying_ltp: underlyingLtp ?? null, results });
    },
  };

  return { optionsorder, optionsmultiorder };
}
