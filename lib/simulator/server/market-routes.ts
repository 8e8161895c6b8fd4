/**
 * Market-data and reference endpoints backed by MarketView (docs/openalgo.md "Market data"):
 * quotes, multiquotes, depth, history, intervals, symbol, search, expiry, market/holidays, market/timings.
 * The option endpoints are in option-routes.ts, `GET /instruments` in instruments.ts.
 */
import type { Exchange, RouteHandler } from "@/lib/simulator/types";
import { apikeyField, field, schema, VALID_EXCHANGES } from "@/lib/simulator/validation";
import { dataRoute, fail, FNO_EXCHANGES, instrumentRow, ok, quoteData, symbolNotFound, symbolRow } from "./route-kit";

const exchangeField = () => field.enum(VALID_EXCHANGES);
const symbolSchema = schema({ apikey: apikeyField(), symbol: field.string(), exchange: exchangeField() });

const HISTORY_INTERVALS = [
  "1s",
  "5s",
  "10s",
  "15s",
  "30s",
  "45s",
  "1m",
  "2m",
  "3m",
  "5m",
  "10m",
  "15m",
  "20m",
  "30m",
  "1h",
  "2h",
  "3h",
  "4h",
  "D",
  "W",
  "M",
  "Q",
  "Y",
] as const;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
// OpenAlgo's history dates take `YYYY-MM-DD` or a Unix timestamp (test_data_schemas_validation.py).
const dateOrTimestamp = () =>
  field
    .string()
    .check((v) =>
      DATE_RE.test(v) || /^\d{9,13}$/.test(v) ? undefined : "Invalid date format. Use YYYY-MM-DD or Unix timestamp.",
    );
const isoDate = () =>
  field.string().check((v) => (DATE_RE.test(v) ? undefined : "Invalid date format. Use YYYY-MM-DD."));

const SEARCH_LIMIT = 500;

const quotes = dataRoute({
  schema: symbolSchema,
  shape: "data",
  auth: "session",
  execute({ market }, v) {
    const q = market.quote(v.symbol, v.exchange);
    return q ? ok({ data: quoteData(q) }) : fail(400, symbolNotFound(v.symbol, v.exchange));
  },
});

const multiquotes = dataRoute({
  schema: schema({
    apikey: apikeyField(),
    symbols: field.list(field.nested(schema({ symbol: field.string(), exchange: exchangeField() })), { min: 1 }),
  }),
  shape: "data",
  auth: "session",
  execute({ market }, v) {
    const invalid: Record<string, unknown>[] = [];
    const valid: Record<string, unknown>[] = [];
    for (const s of v.symbols) {
      const q = market.quote(s.symbol, s.exchange);
      if (q) valid.push({ symbol: s.symbol, exchange: s.exchange, data: quoteData(q) });
      else invalid.push({ symbol: s.symbol, exchange: s.exchange, error: symbolNotFound(s.symbol, s.exchange) });
    }
    // Observed §5: invalid symbols are listed first; all-invalid is a 400 naming them.
    if (valid.length === 0) return fail(400, invalid[0].error as string, { invalid_symbols: invalid });
    return ok({ results: [...invalid, ...valid] });
  },
});

const depth = dataRoute({
  schema: symbolSchema,
  shape: "data",
  auth: "session",
  execute({ market }, v) {
    const d = market.depth(v.symbol, v.exchange);
    if (!d) return fail(400, symbolNotFound(v.symbol, v.exchange));
    const pad = (levels: { price: number; quantity: number }[]) => {
      const out = levels.slice(0, 5).map((l) => ({ price: l.price, quantity: l.quantity }));
      while (out.length < 5) out.push({ price: 0, quantity: 0 });
      return out;
    };
    const total = (levels: { quantity: number }[]) => levels.reduce((s, l) => s + l.quantity, 0);
    const q = d.quote;
    return ok({
      data: {
        asks: pad(d.asks),
        bids: pad(d.bids),
        high: q.high,
        low: q.low,
        ltp: q.ltp,
        // MarketView has no last-traded quantity; dhan_sandbox reported 0 too (docs/openalgo.md "Market data").
        ltq: 0,
        oi: q.oi,
        open: q.open,
        prev_close: q.prevClose,
        totalbuyqty: total(d.bids),
        totalsellqty: total(d.asks),
        volume: q.volume,
      },
    });
  },
});

const history = dataRoute({
  schema: schema({
    apikey: apikeyField(),
    symbol: field.string(),
    exchange: exchangeField(),
    interval: field.enum(HISTORY_INTERVALS),
    start_date: dateOrTimestamp(),
    end_date: dateOrTimestamp(),
    source: field.enum(["api", "db"] as const).default("api"),
  }),
  shape: "data",
  auth: "session",
  execute({ market }, v) {
    if (v.source === "db") {
      return fail(
        404,
        `No data found for ${v.symbol}:${v.exchange} interval ${v.interval} in local database. Download data first using Historify.`,
      );
    }
    if (!market.instrument(v.symbol, v.exchange)) return fail(400, symbolNotFound(v.symbol, v.exchange));
    const supported = Object.values(market.intervals()).flat();
    if (!supported.includes(v.interval)) {
      return fail(
        400,
        `Interval '${v.interval}' is not supported by this broker. Supported intervals: ${supported.join(", ")}`,
      );
    }
    const candles = market.history(v.symbol, v.exchange, v.interval, toDate(v.start_date), toDate(v.end_date)) ?? [];
    return ok({
      data: candles.map((c) => ({
        close: c.close,
        high: c.high,
        low: c.low,
        oi: c.oi,
        open: c.open,
        timestamp: c.timestamp,
        volume: c.volume,
      })),
    });
  },
});

/** A Unix timestamp (s or ms) becomes its IST calendar date; a date passes through. */
function toDate(v: string): string {
  if (DATE_RE.test(v)) return v;
  const ms = v.length > 10 ? Number(v) : Number(v) * 1000;
  return new Date(ms + 5.5 * 3_600_000).toISOString().slice(0, 10);
}

const intervals = dataRoute({
  schema: schema({ apikey: apikeyField() }),
  shape: "data",
  auth: "session",
  execute: ({ market }) => ok({ data: market.intervals() }),
});

const symbol = dataRoute({
  schema: symbolSchema,
  shape: "data",
  auth: "session",
  execute({ market }, v) {
    const i = market.instrument(v.symbol, v.exchange);
    return i ? ok({ data: symbolRow(i) }) : fail(404, `Symbol ${v.symbol} not found in exchange ${v.exchange}`);
  },
});

const search = dataRoute({
  schema: schema({ apikey: apikeyField(), query: field.string(), exchange: exchangeField().optional() }),
  shape: "data",
  auth: "key",
  // Observed §0 #21: an empty query is a plain-string 400, not a field error.
  refine: (v) => (v.query.trim() === "" ? fail(400, "Query parameter is required and cannot be empty") : undefined),
  execute({ market }, v) {
    const found = market.search(v.query, v.exchange).slice(0, SEARCH_LIMIT);
    if (found.length === 0) return ok({ message: "No matching symbols found", data: [] });
    return ok({ message: `Found ${found.length} matching symbols`, data: found.map((i) => instrumentRow(i)) });
  },
});

const expiry = dataRoute({
  schema: schema({
    apikey: apikeyField(),
    symbol: field.string(),
    exchange: field.enum(FNO_EXCHANGES),
    instrumenttype: field.enum(["futures", "options"] as const),
  }),
  shape: "data",
  auth: "key",
  execute({ market }, v) {
    const dates = market.expiries(v.symbol, v.exchange as Exchange, v.instrumenttype);
    const what = `${v.symbol} ${v.instrumenttype} in ${v.exchange}`;
    return ok({
      message: dates.length ? `Found ${dates.length} expiry dates for ${what}` : `No expiry dates found for ${what}`,
      data: dates,
    });
  },
});

const holidays = dataRoute({
  schema: schema({ apikey: apikeyField(), year: field.int({ min: 2020, max: 2050 }).optional() }),
  shape: "data",
  auth: "key",
  execute({ market }, v) {
    const year = v.year ?? Number(istDate(market.clock.now()).slice(0, 4));
    const data = market.holidays(year).map((h) => {
      const closed = new Set<string>(h.closedExchanges);
      // Exchanges trading that day (MCX evening sessions, a special session's); CRYPTO trades every day, unlisted.
      const open = market
        .timings(h.date)
        .filter((t) => !closed.has(t.exchange) && t.exchange !== "CRYPTO")
        .map((t) => ({ end_time: t.endTime, exchange: t.exchange, start_time: t.startTime }));
      return {
        closed_exchanges: h.closedExchanges,
        date: h.date,
        description: h.description,
        holiday_type: h.kind,
        open_exchanges: open,
      };
    });
    return ok({ data, timezone: "Asia/Kolkata", year });
  },
});

const timings = dataRoute({
  schema: schema({ apikey: apikeyField(), date: isoDate() }),
  shape: "data",
  auth: "key",
  execute: ({ market }, v) =>
    ok({
      data: market.timings(v.date).map((t) => ({ end_time: t.endTime, exchange: t.exchange, start_time: t.startTime })),
    }),
});

/** IST calendar date (`YYYY-MM-DD`) of an epoch ms. */
export function istDate(epochMs: number): string {
  return new Date(epochMs + 5.5 * 3_600_000).toISOString().slice(0, 10);
}

export const marketRoutes: Record<string, RouteHandler> = {
  quotes,
  multiquotes,
  depth,
  history,
  intervals,
  symbol,
  search,
  expiry,
  "market/holidays": holidays,
  "market/timings": timings,
} as Record<string, RouteHandler>;
