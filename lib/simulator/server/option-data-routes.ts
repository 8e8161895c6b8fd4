/**
 * Option endpoints (docs/openalgo.md "Market data", "Validation errors"): optionchain, optionsymbol, optiongreeks,
 * multioptiongreeks. optionchain and optionsymbol bodies keep insertion order (the server prints them with
 * Python spacing), so the objects below are built in OpenAlgo's key order.
 */
import type { Exchange, Greeks, Instrument, MarketView, OptionChain, RouteHandler } from "@/lib/simulator/types";
import { resolveOption } from "@/lib/simulator/broker/option-order-routes";
import { apikeyField, field, schema, VALID_EXCHANGES } from "@/lib/simulator/validation";
import { dataRoute, fail, FNO_EXCHANGES, ok } from "./route-kit";

const OFFSET_RE = /^(ATM|(ITM|OTM)([1-9]|[1-4]\d|50))$/i;
const offsetField = () =>
  field
    .string()
    .check((v) => (OFFSET_RE.test(v) ? undefined : "Invalid offset. Must be ATM, ITM1-ITM50, or OTM1-OTM50."));
const IST_MS = 5.5 * 3_600_000;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function noStrikes(underlying: string, expiry: string) {
  return fail(
    404,
    `No strikes found for ${underlying} expiring ${expiry}. Please check expiry date or update master contract.`,
  );
}

/** `ATM`/`ITMn`/`OTMn` label of a strike row relative to the ATM row, for one option type. */
function label(rowIndex: number, atmIndex: number, type: "CE" | "PE"): string {
  const d = rowIndex - atmIndex;
  if (d === 0) return "ATM";
  // Higher strikes are OTM for calls and ITM for puts.
  const otm = type === "CE" ? d > 0 : d < 0;
  return `${otm ? "OTM" : "ITM"}${Math.abs(d)}`;
}

const optionchain = dataRoute({
  schema: schema({
    apikey: apikeyField(),
    underlying: field.string(),
    exchange: field.enum(VALID_EXCHANGES),
    expiry_date: field.string(),
    strike_count: field.int({ min: 1, max: 100 }).optional(),
    with_greeks: field.bool().default(false),
    interest_rate: field.float({ min: 0, max: 100 }).optional(),
  }),
  shape: "options",
  auth: "session",
  execute({ market }, v) {
    const underlying = v.underlying.toUpperCase();
    const chain = market.optionChain(underlying, v.exchange, v.expiry_date.toUpperCase(), v.strike_count);
    if (!chain || chain.rows.length === 0) return noStrikes(underlying, v.expiry_date);
    const atmIndex = chain.rows.findIndex((r) => r.strike === chain.atmStrike);
    const underlyingQuote = market.quote(chain.underlying, chain.underlyingExchange);
    const leg = (i: number, type: "CE" | "PE", l: NonNullable<OptionChain["rows"][number]["ce"]>) => {
      const q = l.quote;
      const out: Record<string, unknown> = {
        symbol: l.instrument.symbol,
        label: label(i, atmIndex, type),
        ltp: q.ltp,
        bid: q.bid,
        ask: q.ask,
        bid_qty: q.bidQty,
        ask_qty: q.askQty,
        open: q.open,
        high: q.high,
        low: q.low,
        prev_close: q.prevClose,
        volume: q.volume,
        oi: q.oi,
        lotsize: l.instrument.lotsize,
        tick_size: l.instrument.tickSize,
      };
      if (v.with_greeks) {
        const g =
          v.interest_rate === undefined
            ? l.greeks
            : (market.greeks(l.instrument.symbol, l.instrument.exchange, { interestRate: v.interest_rate }) ??
              l.greeks);
        Object.assign(out, { implied_volatility: g.iv, delta: g.delta, gamma: g.gamma, theta: g.theta, vega: g.vega });
      }
      return out;
    };
    return ok({
      underlying: chain.underlying,
      underlying_ltp: chain.underlyingLtp,
      underlying_prev_close: underlyingQuote?.prevClose ?? 0,
      expiry_date: chain.expiry,
      expiry_ts: Math.floor(chain.expiryTs / 1000),
      server_ts: Math.floor(market.clock.now() / 1000),
      atm_strike: chain.atmStrike,
      quotes_included: true,
      greeks_included: v.with_greeks,
      forward_price: null,
      chain: chain.rows.map((r, i) => ({
        strike: r.strike,
        ce: r.ce ? leg(i, "CE", r.ce) : null,
        pe: r.pe ? leg(i, "PE", r.pe) : null,
      })),
    });
  },
});

const optionsymbol = dataRoute({
  schema: schema({
    apikey: apikeyField(),
    strategy: field.string().optional(),
    underlying: field.string(),
    exchange: field.enum(VALID_EXCHANGES),
    expiry_date: field.string().optional(),
    strike_int: field.int({ min: 1 }).optional(),
    offset: offsetField(),
    option_type: field.enum(["CE", "PE"] as const, { lowercase: true }),
  }),
  shape: "options",
  auth: "session",
  execute({ market }, v) {
    // The same resolver optionsorder uses, so both endpoints pick the same contract.
    const hit = resolveOption(market, { ...v, expiry_date: v.expiry_date?.toUpperCase() });
    if ("error" in hit) return fail(hit.error.startsWith("Expiry date is required") ? 400 : 404, hit.error);
    const i = market.instrument(hit.symbol, hit.exchange);
    if (!i) return fail(404, `Symbol ${hit.symbol} not found in exchange ${hit.exchange}`);
    return ok({
      symbol: i.symbol,
      exchange: i.exchange,
      lotsize: i.lotsize,
      tick_size: i.tickSize,
      freeze_qty: i.freezeQty,
      underlying_ltp: hit.underlyingLtp,
    });
  },
});

/** Quote of an option's underlying: the named exchange, else the index then the cash market of its segment. */
function underlyingLtp(market: MarketView, i: Instrument, exchange?: Exchange): number | undefined {
  const bse = i.exchange === "BFO" || i.exchange === "BCD";
  const candidates: Exchange[] = exchange
    ? [exchange]
    : bse
      ? ["BSE_INDEX", "BSE"]
      : ["NSE_INDEX", "NSE", "MCX_INDEX", i.exchange];
  for (const ex of candidates) {
    const q = market.quote(i.underlying, ex);
    if (q) return q.ltp;
  }
  return undefined;
}

/** `25-Aug-2026`: optiongreeks' expiry format (docs/openalgo.md "Symbols and exchanges"). */
function expiryDdMonYyyy(expiryTs: number): string {
  const d = new Date(expiryTs + IST_MS);
  return `${String(d.getUTCDate()).padStart(2, "0")}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()}`;
}

interface GreeksRequest {
  symbol: string;
  exchange: string;
  interest_rate?: number;
  forward_price?: number;
  underlying_symbol?: string;
  underlying_exchange?: Exchange;
  expiry_time?: string;
}

/** One optiongreeks answer, or an error message with its status. */
function greeksFor(
  market: MarketView,
  r: GreeksRequest,
): { ok: true; body: Record<string, unknown> } | { ok: false; status: number; message: string } {
  const i = market.instrument(r.symbol, r.exchange as Exchange);
  if (!i) return { ok: false, status: 404, message: `Symbol ${r.symbol} not found in exchange ${r.exchange}` };
  if ((i.instrumenttype !== "CE" && i.instrumenttype !== "PE") || i.expiryTs === null) {
    return { ok: false, status: 400, message: `Symbol ${r.symbol} is not an option contract` };
  }
  const spot =
    r.forward_price ??
    (r.underlying_symbol
      ? market.quote(r.underlying_symbol, r.underlying_exchange ?? "NSE_INDEX")?.ltp
      : underlyingLtp(market, i, r.underlying_exchange));
  const quote = market.quote(i.symbol, i.exchange);
  const g: Greeks | undefined = market.greeks(i.symbol, i.exchange, {
    interestRate: r.interest_rate,
    underlyingPrice: spot,
  });
  if (spot === undefined || !quote || !g)
    return { ok: false, status: 500, message: `Failed to fetch market data for ${r.symbol}` };
  let expiryTs = i.expiryTs;
  if (r.expiry_time) {
    const [h, m] = r.expiry_time.split(":").map(Number);
    const day = new Date(i.expiryTs + IST_MS);
    expiryTs = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), h, m) - IST_MS;
  }
  const days = Math.max(0, (expiryTs - market.clock.now()) / 86_400_000);
  return {
    ok: true,
    body: {
      status: "success",
      symbol: i.symbol,
      exchange: i.exchange,
      underlying: i.underlying,
      strike: i.strike,
      option_type: i.instrumenttype,
      expiry_date: expiryDdMonYyyy(expiryTs),
      days_to_expiry: Math.round(days * 10_000) / 10_000,
      spot_price: spot,
      option_price: quote.ltp,
      interest_rate: r.interest_rate ?? 0,
      implied_volatility: g.iv,
      greeks: { delta: g.delta, gamma: g.gamma, theta: g.theta, vega: g.vega, rho: g.rho },
    },
  };
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const greeksFields = {
  interest_rate: field.float({ min: 0, max: 100 }).optional(),
  expiry_time: field
    .string()
    .check((v) => (HHMM.test(v) ? undefined : "Invalid time format. Use HH:MM."))
    .optional(),
};

const optiongreeks = dataRoute({
  schema: schema({
    apikey: apikeyField(),
    symbol: field.string(),
    exchange: field.enum(FNO_EXCHANGES),
    forward_price: field.float({ min: 0, minInclusive: false }).optional(),
    underlying_symbol: field.string().optional(),
    underlying_exchange: field.enum(VALID_EXCHANGES).optional(),
    ...greeksFields,
  }),
  shape: "greeks",
  // Only the key is checked up front (a bad one is a 401), but the quotes behind the greeks need the session.
  auth: "session",
  limit: "greeks",
  execute({ market }, v) {
    const r = greeksFor(market, v);
    return r.ok ? { status: 200, body: r.body } : fail(r.status, r.message);
  },
});

const multioptiongreeks = dataRoute({
  schema: schema({
    apikey: apikeyField(),
    symbols: field.list(
      field.nested(
        schema({
          symbol: field.string(),
          exchange: field.enum(FNO_EXCHANGES),
          underlying_symbol: field.string().optional(),
          underlying_exchange: field.enum(VALID_EXCHANGES).optional(),
        }),
      ),
      { min: 1, max: 50 },
    ),
    ...greeksFields,
  }),
  shape: "greeks",
  // Only the key is checked up front (a bad one is a 401), but the quotes behind the greeks need the session.
  auth: "session",
  execute({ market }, v) {
    const data = v.symbols.map((s) => {
      const r = greeksFor(market, { ...s, interest_rate: v.interest_rate, expiry_time: v.expiry_time });
      return r.ok ? r.body : { symbol: s.symbol, exchange: s.exchange, status: "error", message: r.message };
    });
    const success = data.filter((d) => d.status === "success").length;
    const status = success === data.length ? "success" : success === 0 ? "error" : "partial";
    return {
      status: 200,
      body: { status, data, summary: { total: data.length, success, failed: data.length - success } },
    };
  },
});

export const optionRoutes: Record<string, RouteHandler> = {
  optionchain,
  optionsymbol,
  optiongreeks,
  multioptiongreeks,
} as Record<string, RouteHandler>;
