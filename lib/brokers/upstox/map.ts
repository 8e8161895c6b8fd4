/**
 * Upstox's account answers in the contract's shapes (docs/brokers/upstox.md "Mappings"): orders, trades, positions,
 * holdings and funds. Every row is parsed with zod; instruments are named through the day's master by
 * `instrument_token` (Upstox's instrument key), so symbols are MirrorDesk's.
 */
import Decimal from "decimal.js";
import { z } from "zod";
import type { InstrumentMaster } from "@/lib/brokers/instruments";
import type { Exchange } from "@/lib/brokers/market-types";
import type { Funds, Holding, Order, OrderStatus, Position, PriceType, Product, Trade } from "@/lib/brokers/types";
import { BrokerUnavailableError } from "@/lib/errors";
import { EXCHANGE_OF_SEGMENT } from "./master";

const dec = z
  .union([z.number(), z.string().regex(/^-?\d+(\.\d+)?$/)])
  .nullish()
  .transform((v) => new Decimal(v ?? 0));
const int = z
  .union([z.number(), z.string().regex(/^-?\d+$/)])
  .nullish()
  .transform((v) => Math.trunc(Number(v ?? 0)));
const text = z.string().nullish();

/** Upstox's order statuses → ours; anything else (a new or transitional word) counts as still working. */
const STATUS: Record<string, OrderStatus> = {
  complete: "complete",
  rejected: "rejected",
  cancelled: "cancelled",
  "cancelled after market order": "cancelled",
  expired: "cancelled",
  "trigger pending": "trigger_pending",
};
export function mapStatus(word: string): OrderStatus {
  return STATUS[word.trim().toLowerCase()] ?? "open";
}

const PRICE_TYPES = new Set<PriceType>(["MARKET", "LIMIT", "SL", "SL-M"]);

/** Upstox products → ours: `D` is delivery on equity (CNC) and carry-forward on derivatives (NRML). */
export function mapProduct(code: string, segment: string): Product {
  if (code === "I" || code === "CO" || code === "OCO") return "MIS";
  if (code === "MTF") return "CNC";
  return segment.endsWith("_EQ") ? "CNC" : "NRML";
}

/** Ours → Upstox: intraday `I`; NRML and CNC are both `D`. */
export function upstoxProduct(product: Product): "I" | "D" {
  return product === "MIS" ? "I" : "D";
}

/** `2026-12-08 10:15:20` (IST) → the instant; null for other formats. */
export function parseIstTimestamp(value: string | null | undefined): Date | null {
  const m = value ? /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/.exec(value.trim()) : null;
  return m ? new Date(`${m[1]}T${m[2]}+05:30`) : null;
}

/** MirrorDesk's symbol and exchange of an Upstox row, through the master (or the row's own text when unlisted). */
export function instrumentOf(
  master: InstrumentMaster,
  key: string | null | undefined,
  fallbackSymbol: string,
  fallbackExchange: string,
): { symbol: string; exchange: Exchange; segment: string } {
  const segment = (key ?? "").split("|")[0];
  const row = key ? master.token(key, segment) : undefined;
  if (row) return { symbol: row.symbol, exchange: row.exchange, segment };
  const exchange = EXCHANGE_OF_SEGMENT[segment] ?? (fallbackExchange as Exchange);
  return { symbol: fallbackSymbol, exchange, segment };
}

const list = <T extends z.ZodType>(item: T) => z.array(item);
function parse<T extends z.ZodType>(schema: T, data: unknown, what: string): z.infer<T> {
  const r = schema.safeParse(data);
  if (!r.success) throw new BrokerUnavailableError(`Unreadable ${what} from Upstox`, "bad_response");
  return r.data;
}

const orderRow = z.looseObject({
  order_id: z.union([z.string(), z.number()]).transform(String),
  exchange: z.string(),
  instrument_token: text,
  trading_symbol: text,
  tradingsymbol: text,
  product: z.string(),
  order_type: z.string(),
  transaction_type: z.enum(["BUY", "SELL"]),
  quantity: int,
  filled_quantity: int,
  pending_quantity: int,
  price: dec,
  trigger_price: dec,
  average_price: dec,
  status: z.string(),
  status_message: text,
  tag: text,
  order_timestamp: text,
});

function toOrder(o: z.infer<typeof orderRow>, master: InstrumentMaster): Order {
  const { symbol, exchange, segment } = instrumentOf(
    master,
    o.instrument_token,
    o.trading_symbol ?? o.tradingsymbol ?? "",
    o.exchange,
  );
  const status = mapStatus(o.status);
  return {
    orderId: o.order_id,
    symbol,
    exchange,
    action: o.transaction_type,
    quantity: o.quantity,
    filledQuantity: o.filled_quantity,
    pendingQuantity: status === "open" || status === "trigger_pending" ? o.pending_quantity : 0,
    price: o.price,
    triggerPrice: o.trigger_price,
    averagePrice: o.filled_quantity > 0 && o.average_price.gt(0) ? o.average_price : null,
    priceType: PRICE_TYPES.has(o.order_type as PriceType) ? (o.order_type as PriceType) : "LIMIT",
    product: mapProduct(o.product, segment),
    status,
    brokerStatus: o.status,
    rejectionReason: status === "rejected" ? (o.status_message ?? null) : null,
    strategy: o.tag ?? null,
    placedAt: parseIstTimestamp(o.order_timestamp),
    brokerTimestamp: o.order_timestamp ?? "",
  };
}

export function mapOrders(data: unknown, master: InstrumentMaster, only?: ReadonlySet<string>): Order[] {
  const rows = parse(list(orderRow), data, "order book");
  return rows.filter((o) => !only || only.has(o.order_id)).map((o) => toOrder(o, master));
}

export function mapOrder(data: unknown, master: InstrumentMaster): Order {
  return toOrder(parse(orderRow, data, "order"), master);
}

const tradeRow = z.looseObject({
  order_id: z.union([z.string(), z.number()]).transform(String),
  trade_id: z.union([z.string(), z.number()]).nullish(),
  exchange: z.string(),
  instrument_token: text,
  trading_symbol: text,
  tradingsymbol: text,
  product: z.string(),
  transaction_type: z.enum(["BUY", "SELL"]),
  quantity: int,
  average_price: dec,
  exchange_timestamp: text,
  order_timestamp: text,
});

export function mapTrades(data: unknown, master: InstrumentMaster, only?: ReadonlySet<string>): Trade[] {
  return parse(list(tradeRow), data, "trade book")
    .filter((t) => !only || only.has(t.order_id))
    .map((t) => {
      const { symbol, exchange, segment } = instrumentOf(
        master,
        t.instrument_token,
        t.trading_symbol ?? t.tradingsymbol ?? "",
        t.exchange,
      );
      const stamp = t.exchange_timestamp ?? t.order_timestamp ?? "";
      return {
        orderId: t.order_id,
        tradeId: t.trade_id === null || t.trade_id === undefined ? null : String(t.trade_id),
        symbol,
        exchange,
        action: t.transaction_type,
        product: mapProduct(t.product, segment),
        quantity: t.quantity,
        averagePrice: t.average_price,
        // Upstox reports no trade value: quantity × price, as the broker computes it.
        tradeValue: t.average_price.mul(t.quantity),
        strategy: null,
        tradedAt: parseIstTimestamp(stamp),
        brokerTimestamp: stamp,
      };
    });
}

const positionRow = z.looseObject({
  exchange: z.string(),
  instrument_token: text,
  trading_symbol: text,
  tradingsymbol: text,
  product: z.string(),
  quantity: int,
  average_price: dec,
  last_price: dec,
  pnl: dec,
  realised: dec,
  unrealised: dec,
});

export function mapPositions(data: unknown, master: InstrumentMaster): Position[] {
  return parse(list(positionRow), data, "positions").map((p) => {
    const { symbol, exchange, segment } = instrumentOf(
      master,
      p.instrument_token,
      p.trading_symbol ?? p.tradingsymbol ?? "",
      p.exchange,
    );
    return {
      symbol,
      exchange,
      product: mapProduct(p.product, segment),
      quantity: p.quantity,
      averagePrice: p.average_price,
      ltp: p.last_price,
      pnl: p.pnl,
    };
  });
}

/** Today's realised and unrealised P&L summed over the positions (Upstox's funds answer has neither). */
export function pnlOfPositions(data: unknown): { realised: Decimal; unrealised: Decimal } {
  const rows = parse(list(positionRow), data, "positions");
  return {
    realised: rows.reduce((s, p) => s.plus(p.realised), new Decimal(0)),
    unrealised: rows.reduce((s, p) => s.plus(p.unrealised), new Decimal(0)),
  };
}

const holdingRow = z.looseObject({
  exchange: z.string(),
  instrument_token: text,
  trading_symbol: text,
  tradingsymbol: text,
  product: z.string().nullish(),
  quantity: int,
  average_price: dec,
  last_price: dec,
  pnl: dec,
});

export function mapHoldings(data: unknown, master: InstrumentMaster): Holding[] {
  return parse(list(holdingRow), data, "holdings").map((h) => {
    const { symbol, exchange, segment } = instrumentOf(
      master,
      h.instrument_token,
      h.trading_symbol ?? h.tradingsymbol ?? "",
      h.exchange,
    );
    const invested = h.average_price.mul(h.quantity);
    return {
      symbol,
      exchange,
      product: mapProduct(h.product ?? "D", segment || "NSE_EQ"),
      quantity: h.quantity,
      averagePrice: h.average_price,
      ltp: h.last_price,
      pnl: h.pnl,
      pnlPercent: invested.isZero() ? new Decimal(0) : h.pnl.div(invested).mul(100).toDecimalPlaces(2),
    };
  });
}

const segmentFunds = z.looseObject({ used_margin: dec, available_margin: dec });
const fundsData = z.looseObject({ equity: segmentFunds });

/**
 * Funds of the equity segment (F&O and equity share it). Upstox's `available_margin` already counts pledged
 * collateral and reports it on no separate line: cash = available_margin, collateral = 0.
 */
export function mapFunds(data: unknown, pnl: { realised: Decimal; unrealised: Decimal }): Funds {
  const f = parse(fundsData, data, "funds").equity;
  return {
    availableMargin: f.available_margin,
    cash: f.available_margin,
    collateral: new Decimal(0),
    utilised: f.used_margin,
    realisedPnl: pnl.realised,
    unrealisedPnl: pnl.unrealised,
  };
}
