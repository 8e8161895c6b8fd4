/**
 * `GET /quote`, `/quote/ohlc` and `/quote/ltp` (docs/brokers/zerodha.md "Market data"): instruments named
 * `EXCHANGE:TRADINGSYMBOL` or by instrument token in repeated `i` parameters, answered keyed by the name as asked;
 * unknown instruments are left out, as Kite does. Indices carry no depth, volume or OI.
 */
import type { MarketView } from "@/lib/simulator/types";
import type { KiteCatalog, KiteInstrument } from "./kite-instruments";
import { kiteTimestamp } from "./kite-wire";

export type QuoteKind = "full" | "ohlc" | "ltp";

function find(catalog: KiteCatalog, name: string): KiteInstrument | undefined {
  return /^\d+$/.test(name) ? catalog.byToken.get(Number(name)) : catalog.byKey.get(name);
}

export function kiteQuotes(
  names: string[],
  kind: QuoteKind,
  catalog: KiteCatalog,
  market: MarketView,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) {
    const k = find(catalog, name);
    if (!k) continue;
    const depth = k.segment === "INDICES" ? undefined : market.depth(k.sim.symbol, k.sim.exchange);
    const q = depth?.quote ?? market.quote(k.sim.symbol, k.sim.exchange);
    if (!q) continue;
    const ltp = { instrument_token: k.instrumentToken, last_price: q.ltp };
    if (kind === "ltp") {
      out[name] = ltp;
      continue;
    }
    const ohlc = { open: q.open, high: q.high, low: q.low, close: q.prevClose };
    if (kind === "ohlc") {
      out[name] = { ...ltp, ohlc };
      continue;
    }
    const netChange = Number((q.ltp - q.prevClose).toFixed(2));
    if (!depth) {
      out[name] = { ...ltp, timestamp: kiteTimestamp(q.ts), net_change: netChange, ohlc };
      continue;
    }
    const level = (l: { price: number; quantity: number; orders: number }) => ({
      price: l.price,
      quantity: l.quantity,
      orders: l.orders,
    });
    out[name] = {
      instrument_token: k.instrumentToken,
      timestamp: kiteTimestamp(q.ts),
      last_trade_time: kiteTimestamp(q.ts),
      last_price: q.ltp,
      last_quantity: 0,
      buy_quantity: depth.bids.reduce((n, l) => n + l.quantity, 0),
      sell_quantity: depth.asks.reduce((n, l) => n + l.quantity, 0),
      volume: q.volume,
      average_price: q.ltp,
      oi: q.oi,
      oi_day_high: q.oi,
      oi_day_low: q.oi,
      net_change: netChange,
      lower_circuit_limit: Number((q.prevClose * 0.8).toFixed(2)),
      upper_circuit_limit: Number((q.prevClose * 1.2).toFixed(2)),
      ohlc,
      depth: { buy: depth.bids.map(level), sell: depth.asks.map(level) },
    };
  }
  return out;
}
