/**
 * Pure pieces of OpenAlgo's WebSocket proxy protocol (docs/openalgo.md "WebSocket"): verb and mode parsing, symbol
 * lists, and the `market_data` payloads per mode. Frames are printed with Python `json.dumps` spacing by the
 * caller (docs/openalgo.md "WebSocket"), so every object here is built in OpenAlgo's key order.
 */
import type { Depth, Quote } from "@/lib/simulator/types";

export type WsMode = 1 | 2 | 3;

export const MODE_NAMES: Record<WsMode, string> = { 1: "LTP", 2: "Quote", 3: "Depth" };
const MODE_BY_NAME: Record<string, WsMode> = { LTP: 1, QUOTE: 2, DEPTH: 3 };

/** 1/2/3 (also as digit strings) or LTP/Quote/Depth in any case; bool, float, null, 0, 4 and "" are refused. */
export function parseMode(raw: unknown): WsMode | undefined {
  if (raw === undefined) return 2;
  if (typeof raw === "number") return raw === 1 || raw === 2 || raw === 3 ? raw : undefined;
  if (typeof raw === "string") {
    if (raw === "1" || raw === "2" || raw === "3") return Number(raw) as WsMode;
    return MODE_BY_NAME[raw.toUpperCase()];
  }
  return undefined;
}

export function invalidModeMessage(raw: unknown): string {
  const shown = raw === null ? "None" : raw === true ? "True" : raw === false ? "False" : String(raw);
  return `Invalid mode ${shown}; expected 1 (LTP), 2 (Quote), or 3 (Depth)`;
}

export interface SymbolItem {
  symbol: string;
  exchange: string;
  /** Per-item mode (unsubscribe reads it per item). */
  mode?: unknown;
}

/** `symbols:[...]` or the single `symbol`+`exchange` form; items without a symbol or exchange are skipped. */
export function symbolItems(msg: Record<string, unknown>): SymbolItem[] | undefined {
  if (Array.isArray(msg.symbols)) {
    return msg.symbols
      .filter((s): s is Record<string, unknown> => typeof s === "object" && s !== null)
      .filter(
        (s) => typeof s.symbol === "string" && s.symbol !== "" && typeof s.exchange === "string" && s.exchange !== "",
      )
      .map((s) => ({ symbol: s.symbol as string, exchange: s.exchange as string, mode: s.mode }));
  }
  if (typeof msg.symbol === "string" && typeof msg.exchange === "string") {
    return [{ symbol: msg.symbol, exchange: msg.exchange, mode: msg.mode }];
  }
  return undefined;
}

/** Appends the request's `request_id` when it sent one (acks have no `request_id` key otherwise). */
export function withRequestId(
  body: Record<string, unknown>,
  request: Record<string, unknown>,
): Record<string, unknown> {
  return request.request_id === undefined ? body : { ...body, request_id: request.request_id };
}

export function error(code: string, message: string): Record<string, unknown> {
  return { status: "error", code, message };
}

/**
 * The `data` object of a `market_data` frame at `mode`. LTP: symbol, exchange, mode, timestamp, ltp, ltt.
 * Quote adds the OHLC/volume block; Depth adds 5-level `depth.buy/sell` (docs/openalgo.md "WebSocket").
 */
export function tickData(
  symbol: string,
  exchange: string,
  mode: WsMode,
  quote: Quote,
  depth?: Depth,
): Record<string, unknown> {
  const data: Record<string, unknown> = { symbol, exchange, mode, timestamp: quote.ts, ltp: quote.ltp, ltt: quote.ts };
  if (mode === 1) return data;
  data.volume = quote.volume;
  data.oi = quote.oi;
  data.open = quote.open;
  data.high = quote.high;
  data.low = quote.low;
  data.close = quote.prevClose;
  // MarketView has no per-trade quantity or VWAP; dhan_sandbox's average_price equalled the LTP too.
  data.last_trade_quantity = 0;
  data.average_price = quote.ltp;
  data.total_buy_quantity = depth ? depth.bids.reduce((s, l) => s + l.quantity, 0) : quote.bidQty;
  data.total_sell_quantity = depth ? depth.asks.reduce((s, l) => s + l.quantity, 0) : quote.askQty;
  if (mode === 3 && depth) {
    const levels = (ls: Depth["bids"]) =>
      ls.slice(0, 5).map((l) => ({ price: l.price, quantity: l.quantity, orders: l.orders }));
    data.depth = { buy: levels(depth.bids), sell: levels(depth.asks) };
  }
  return data;
}
