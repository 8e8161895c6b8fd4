/**
 * The BrokerAdapter contract: what the rest of MirrorDesk may ask of one trading account, in normalised types.
 *
 * Every adapter (OpenAlgo today, direct brokers later) maps its broker's wire format to these types and its
 * failures to the typed errors of `lib/errors.ts`:
 * - `BrokerAuthError`        — credentials refused (for OpenAlgo: wrong key OR expired broker session);
 * - `RateLimitedError`       — the broker answered 429;
 * - `BrokerValidationError`  — the broker refused the request's shape, with the offending fields;
 * - `BrokerRejectedError`    — the broker understood the request and refused it (its own text as the message);
 * - `BrokerUnavailableError` — network failure, timeout, 5xx or an answer that does not parse.
 *
 * Money and prices are `Decimal` (never `number` arithmetic); quantities are integers in units (not lots).
 * Market-data and reference types (quotes, depth, symbol info, option chains) live in `market-types.ts`.
 */
import type Decimal from "decimal.js";
import type {
  Depth,
  Exchange,
  InstrumentKind,
  MarketFeed,
  MarketFeedHandlers,
  MarketFeedTimings,
  MarketHoliday,
  OptionChain,
  Quote,
  SessionTiming,
  SymbolInfo,
} from "@/lib/brokers/market-types";
import type { BrokerKind } from "@/lib/brokers/kinds";
import type { BrokerSessionTokens } from "@/lib/brokers/login";

// Exchange codes are reference data (market-types.ts); orders name them too, so the contract re-exports the type.
export type { Exchange } from "@/lib/brokers/market-types";

export type { BrokerKind };

export type OrderAction = "BUY" | "SELL";
export type PriceType = "MARKET" | "LIMIT" | "SL" | "SL-M";
export type Product = "MIS" | "NRML" | "CNC";

/**
 * Normalised order status. Brokers' extra states are folded in: `expired` counts as `cancelled`, and any state the
 * adapter does not recognise counts as `open` (still working), so that callers keep reconciling instead of assuming
 * a fill or a death. The broker's own word is kept in `Order.brokerStatus`.
 */
export type OrderStatus = "open" | "trigger_pending" | "complete" | "rejected" | "cancelled";

/**
 * True for the statuses an order normally ends in. Not a guarantee: an RMS rejection can flap to complete
 * (docs/trading-facts.md "Orders and products"), so whoever tracks executions reconciles again later rather than
 * trusting the first final status.
 */
export function isFinalStatus(status: OrderStatus): boolean {
  return status === "complete" || status === "rejected" || status === "cancelled";
}

/** Whether the account trades for real or in the broker's sandbox (OpenAlgo "analyzer" mode). */
export type TradingMode = "live" | "analyze";

/** Answer of `ping()`: the session works; the broker's name and the trading mode. */
export interface PingResult {
  broker: string;
  mode: TradingMode;
}

/**
 * Funds, with the two definitions the whole product uses (docs/trading-facts.md "Funds: available margin and cash"):
 * `availableMargin` = availablecash + collateral (sellers' sizing) and `cash` = availablecash (buyers' sizing).
 * `availablecash` is already net of margin in use.
 */
export interface Funds {
  /** availablecash + collateral, rupees. */
  availableMargin: Decimal;
  /** availablecash, rupees. */
  cash: Decimal;
  collateral: Decimal;
  /** Margin blocked by open orders and positions (utiliseddebits), rupees. */
  utilised: Decimal;
  /** Today's realised mark-to-market, rupees. */
  realisedPnl: Decimal;
  /** Unrealised mark-to-market of open positions, rupees. */
  unrealisedPnl: Decimal;
}

/** One order as the order book or order status reports it. */
export interface Order {
  orderId: string;
  symbol: string;
  exchange: Exchange;
  action: OrderAction;
  /** Ordered quantity, units. */
  quantity: number;
  /** Units filled so far. Derived from the status when the broker does not report it (complete ⇒ all). */
  filledQuantity: number;
  /** Units still working. Derived from the status when the broker does not report it (open ⇒ quantity − filled). */
  pendingQuantity: number;
  /** Limit price; for MARKET orders brokers report 0 or a reference price — never use it as a fill price. */
  price: Decimal;
  triggerPrice: Decimal;
  /** The broker's average fill price; null when nothing is filled or the broker did not report it (use trades). */
  averagePrice: Decimal | null;
  priceType: PriceType;
  product: Product;
  status: OrderStatus;
  /** The broker's status text, verbatim (`trigger pending`, `expired`, ...). */
  brokerStatus: string;
  /** The broker's rejection text; null unless rejected (and sometimes null even then). */
  rejectionReason: string | null;
  /** The strategy tag sent with the order, when the broker echoes it (OpenAlgo live order books drop it). */
  strategy: string | null;
  /** When the broker recorded the order; null when its timestamp format is not recognised. */
  placedAt: Date | null;
  /** The broker's timestamp text, verbatim. */
  brokerTimestamp: string;
  /**
   * False when the broker's row carried no fill details. OpenAlgo's live order book and order status have no
   * `filled_quantity` (docs/openalgo.md "Account reads"): `filledQuantity` is then derived from the status (complete ⇒
   * all, else 0), a LOWER BOUND for a working, cancelled or rejected order, and the trade book is the only source of
   * its partial fills (and, with `averagePrice` null, of its price). Absent means reported.
   */
  fillsReported?: boolean;
}

/** One fill (or one order's aggregated fills) from the trade book. */
export interface Trade {
  orderId: string;
  /** The broker's trade id when it reports one. */
  tradeId: string | null;
  symbol: string;
  exchange: Exchange;
  action: OrderAction;
  product: Product;
  quantity: number;
  /** Average fill price, rupees. */
  averagePrice: Decimal;
  /** quantity × price as the broker computed it, rupees. */
  tradeValue: Decimal;
  strategy: string | null;
  /** When the trade happened; null when the broker sent only a time of day or an unknown format. */
  tradedAt: Date | null;
  brokerTimestamp: string;
}

/** Net position per (symbol, exchange, product). Closed positions may remain with quantity 0. */
export interface Position {
  symbol: string;
  exchange: Exchange;
  product: Product;
  /** Signed net quantity: negative = short. */
  quantity: number;
  averagePrice: Decimal;
  ltp: Decimal;
  /** Total P&L of the row as the broker reports it, rupees. */
  pnl: Decimal;
}

export interface Holding {
  symbol: string;
  exchange: Exchange;
  product: Product;
  quantity: number;
  /** Null when the broker does not report it. */
  averagePrice: Decimal | null;
  /** Null when the broker does not report it. */
  ltp: Decimal | null;
  pnl: Decimal;
  /** Percent (e.g. -11.1 means −11.1 %). */
  pnlPercent: Decimal;
}

/** A new order. `strategy` is the tag the broker records with it (required by OpenAlgo). */
export interface PlaceOrderRequest {
  symbol: string;
  exchange: Exchange;
  action: OrderAction;
  /** Units, a positive integer (a lot multiple on derivatives). */
  quantity: number;
  priceType: PriceType;
  product: Product;
  /** Required for LIMIT and SL. */
  price?: Decimal;
  /** Required for SL and SL-M. */
  triggerPrice?: Decimal;
  disclosedQuantity?: number;
  strategy: string;
}

/**
 * Outcome of placing an order:
 * - `accepted` — the broker took the order and gave it an id. Accepted is NOT filled: read the order book.
 * - `rejected` — the broker refused it with `reason` (its own text); nothing will execute. Some brokers record the
 *   refusal as a `rejected` order and name it (`orderId`), so the row in the order book can be matched.
 * - `unknown`  — the request left but no usable answer came back (timeout, dropped connection, 5xx, garbled
 *   body), or the broker queued it for manual approval (`pendingOrderId`, OpenAlgo semi-auto mode). The order
 *   may exist. The caller must reconcile against the order book and NEVER blindly retry (duplicate orders).
 */
export type PlaceOrderResult =
  | { kind: "accepted"; orderId: string }
  | { kind: "rejected"; reason: string; orderId?: string }
  | { kind: "unknown"; reason: string; pendingOrderId?: string };

export function accepted(orderId: string): PlaceOrderResult {
  return { kind: "accepted", orderId };
}
export function rejected(reason: string, orderId?: string): PlaceOrderResult {
  return orderId === undefined ? { kind: "rejected", reason } : { kind: "rejected", reason, orderId };
}
export function unknown(reason: string, pendingOrderId?: string): PlaceOrderResult {
  return pendingOrderId === undefined ? { kind: "unknown", reason } : { kind: "unknown", reason, pendingOrderId };
}

/** A change to a working order. Brokers want the full order restated; unchanged fields keep their values. */
export interface ModifyOrderRequest {
  orderId: string;
  symbol: string;
  exchange: Exchange;
  action: OrderAction;
  product: Product;
  priceType: PriceType;
  quantity: number;
  price: Decimal;
  triggerPrice: Decimal;
  disclosedQuantity?: number;
  strategy: string;
}

/** A push about one order (same normalisation as `Order`, but brokers send fewer fields). */
export interface OrderUpdate {
  orderId: string;
  symbol: string;
  exchange: Exchange;
  action: OrderAction;
  quantity: number;
  filledQuantity: number;
  pendingQuantity: number;
  /** On OpenAlgo `complete` events this is the fill price; use `averagePrice`. */
  price: Decimal;
  averagePrice: Decimal | null;
  priceType: PriceType;
  product: Product;
  status: OrderStatus;
  brokerStatus: string;
  rejectionReason: string | null;
  mode: TradingMode;
}

/**
 * One timed call for comparing clocks (docs/readiness.md "Clock"): our epoch ms when the request left and when the
 * answer was in, and the answer's HTTP `Date` header as sent (the broker's clock in whole seconds), null without one.
 */
export interface ClockProbe {
  sentAt: number;
  receivedAt: number;
  date: string | null;
}

/** A live subscription; `close()` stops it and releases the connection. */
export interface Subscription {
  close(): Promise<void>;
}

/** Where an adapter's account lives. `apiKey` is a secret: adapters never log it. */
export interface AdapterConfig {
  /** Our account id; log lines and rate budgets are keyed by it. */
  accountId: string;
  /** REST base URL, optionally with a path prefix (`http://127.0.0.1:5055/i/demo1`). */
  hostUrl: string;
  /** WebSocket URL for streams, when the broker has them. */
  wsUrl?: string;
  apiKey: string;
  /** Direct brokers: the broker app's secret (never logged, never sent except to the broker's own login API). */
  apiSecret?: string;
  /** Direct brokers: the trader's client/user id at the broker, where its API wants it. */
  clientId?: string;
  /**
   * Direct brokers: the day's session from the login flow (lib/brokers/login.ts). Adapters refuse to call the broker
   * without one or once it has expired (`requireSession`), so an expired token is never sent.
   */
  session?: BrokerSessionTokens;
}

/**
 * One trading account at one broker. Every method may throw the typed errors listed at the top of this file.
 *
 * `placeOrder` is special: it is never retried by the adapter, a refusal or a lost answer is a returned
 * `PlaceOrderResult`, and it throws ONLY when the broker provably did not act on the order — our own check
 * failed (`ValidationError`), the broker refused before recording anything (`BrokerAuthError`,
 * `RateLimitedError`, `BrokerValidationError`), or no connection could be made (`BrokerUnavailableError`).
 * A thrown placement is therefore safe to try again later; an `unknown` one is not.
 */
export interface BrokerAdapter {
  readonly kind: BrokerKind;
  readonly accountId: string;
  /** Cheapest check that the key and the broker session work; also reports the broker and the mode. */
  ping(): Promise<PingResult>;
  funds(): Promise<Funds>;
  /**
   * Today's orders (the broker's session), newest first as the broker sends them. With `only`, the answer may leave
   * out orders whose id is not in it (a caller that wants a few orders of a long book), never one that is.
   */
  orders(only?: ReadonlySet<string>): Promise<Order[]>;
  /** Today's trades; with `only`, the answer may leave out trades of other order ids, never one of those. */
  trades(only?: ReadonlySet<string>): Promise<Trade[]>;
  positions(): Promise<Position[]>;
  holdings(): Promise<Holding[]>;
  quote(symbol: string, exchange: Exchange): Promise<Quote>;
  depth(symbol: string, exchange: Exchange): Promise<Depth>;
  /** Null when the broker does not know the symbol. */
  symbolInfo(symbol: string, exchange: Exchange): Promise<SymbolInfo | null>;
  /** Symbols matching `query` (symbol or name), optionally within one exchange; empty when nothing matches. */
  searchSymbols(query: string, exchange?: Exchange): Promise<SymbolInfo[]>;
  /** Future expiries of an underlying (`NIFTY` on `NFO`), ISO dates ascending. */
  expiries(underlying: string, exchange: Exchange, kind: InstrumentKind): Promise<string[]>;
  /**
   * Option chain of `underlying` quoted on `exchange` (the index exchange, e.g. `NSE_INDEX`) for `expiry` (ISO
   * date); `strikeCount` strikes each side of ATM, or the whole chain when omitted.
   */
  optionChain(underlying: string, exchange: Exchange, expiry: string, strikeCount?: number): Promise<OptionChain>;
  /**
   * The exchanges' holiday list of a calendar year, where the broker publishes one: per date, the exchanges closed all
   * day and those trading anyway with their windows (an MCX evening on an equity holiday, a Muhurat session), and the
   * broker's kind of day (`TRADING_HOLIDAY`, `SETTLEMENT_HOLIDAY`, `SPECIAL_SESSION`). Absent when the broker has none.
   */
  holidays?(year: number): Promise<MarketHoliday[]>;
  /**
   * Each exchange's trading window on an IST date (`YYYY-MM-DD`), where the broker publishes them; exchanges closed
   * that day are not listed (OpenAlgo still lists CRYPTO on weekends). Absent when the broker has none.
   */
  timings?(date: string): Promise<SessionTiming[]>;
  placeOrder(order: PlaceOrderRequest): Promise<PlaceOrderResult>;
  /** Resolves with the order id once the broker accepted the change. */
  modifyOrder(change: ModifyOrderRequest): Promise<{ orderId: string }>;
  /** Resolves once the broker accepted the cancellation. */
  cancelOrder(orderId: string, strategy: string): Promise<void>;
  /** Null when the broker does not know the id (e.g. a placement that never arrived). */
  orderStatus(orderId: string, strategy: string): Promise<Order | null>;
  /**
   * Order updates pushed by the broker, where it has a stream. Absent when the adapter has none: callers poll
   * `orders()` instead.
   */
  subscribeOrderUpdates?(
    onUpdate: (update: OrderUpdate) => void,
    onError: (error: Error) => void,
  ): Promise<Subscription>;
  /**
   * The account's market-data stream (connected and authenticated), where the broker has one; absent otherwise.
   * The key goes only to the account's own stream host.
   */
  openMarketFeed?(handlers: MarketFeedHandlers, timings?: MarketFeedTimings): Promise<MarketFeed>;
  /**
   * One cheap authenticated call, timed, with the answer's `Date` header; where the broker's answers carry one.
   * Any answer counts (a refused key still tells the time); only a call that got no answer throws.
   */
  probeClock?(): Promise<ClockProbe>;
  /** Releases pooled connections. */
  close(): Promise<void>;
}
