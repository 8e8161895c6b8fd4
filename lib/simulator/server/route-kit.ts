/**
 * Small helpers shared by the server's own (market-data and reference) routes: building a RouteHandler from a
 * schema, and the instrument/quote shapes OpenAlgo's reference endpoints print (docs/openalgo.md "Market data").
 */
import type { Exchange, Instrument, Quote, RouteContext, RouteHandler, RouteResult } from "@/lib/simulator/types";
import { type ErrorShape, type Schema, validator } from "@/lib/simulator/validation";

export interface RouteSpec<T> {
  schema: Schema<T>;
  shape: ErrorShape;
  auth: "session" | "key";
  limit?: string;
  execute(ctx: RouteContext, value: T): RouteResult;
  /** Replaces the schema's result when the body parsed (e.g. `search`'s empty-query 400). */
  refine?(value: T): RouteResult | undefined;
}

export function dataRoute<T>(spec: RouteSpec<T>): RouteHandler<T> {
  const validate = validator(spec.schema, spec.shape);
  return {
    auth: spec.auth,
    placesOrders: false,
    limit: spec.limit ?? "api",
    validate(body, mode) {
      const checked = validate(body, mode);
      if (!checked.ok || !spec.refine) return checked;
      const refused = spec.refine(checked.value);
      return refused ? { ok: false, result: refused } : checked;
    },
    execute: spec.execute,
  };
}

/** `status` comes first: optionchain/optionsymbol bodies are printed in insertion order. */
export function ok(body: Record<string, unknown>): RouteResult {
  return { status: 200, body: { status: "success", ...body } };
}

export function fail(status: number, message: string, extra: Record<string, unknown> = {}): RouteResult {
  return { status, body: { status: "error", message, ...extra } };
}

/** The quotes/multiquotes 400 text for a symbol missing from the master contract. */
export function symbolNotFound(symbol: string, exchange: string): string {
  return `Symbol '${symbol}' not found for exchange '${exchange}'. Please verify the symbol name and ensure master contracts are downloaded.`;
}

export function quoteData(q: Quote): Record<string, number> {
  return {
    ask: q.ask,
    bid: q.bid,
    high: q.high,
    low: q.low,
    ltp: q.ltp,
    oi: q.oi,
    open: q.open,
    prev_close: q.prevClose,
    volume: q.volume,
  };
}

function isOption(i: Instrument): boolean {
  return i.instrumenttype === "CE" || i.instrumenttype === "PE";
}

/** `/symbol`'s numeric `id`: the token when numeric (stable across restarts), else a small string hash. */
function instrumentId(i: Instrument): number {
  if (/^\d{1,15}$/.test(i.token)) return Number(i.token);
  let h = 0;
  for (const ch of `${i.exchange}:${i.symbol}`) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return h;
}

/**
 * An instrument as `/search` and `/instruments` print it. Observed §5: cash/index rows have `expiry:"-1"` and
 * `strike:null`; docs/openalgo.md "Market data": futures `strike: 0.0`.
 */
export function instrumentRow(i: Instrument, withFreeze = true): Record<string, unknown> {
  const row: Record<string, unknown> = {
    brexchange: i.brexchange,
    brsymbol: i.brsymbol,
    exchange: i.exchange,
    expiry: i.expiry || "-1",
    instrumenttype: i.instrumenttype,
    lotsize: i.lotsize,
    name: i.name,
    strike: isOption(i) ? i.strike : i.instrumenttype === "FUT" ? 0 : null,
    symbol: i.symbol,
    tick_size: i.tickSize,
    token: i.token,
  };
  if (withFreeze) row.freeze_qty = i.freezeQty;
  return row;
}

/** `/symbol`'s row: the search row plus `id`. */
export function symbolRow(i: Instrument): Record<string, unknown> {
  return { ...instrumentRow(i), id: instrumentId(i) };
}

export const FNO_EXCHANGES = [
  "NFO",
  "BFO",
  "MCX",
  "CDS",
  "NCO",
  "BCD",
  "NCDEX",
  "CRYPTO",
] as const satisfies readonly Exchange[];
