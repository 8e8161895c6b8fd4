/**
 * The Upstox adapter: the BrokerAdapter contract over Upstox's v2 REST API through the official `upstox-js-sdk`
 * (docs/brokers/upstox.md). Every method first checks the day's session (`requireSession`: nothing is sent without a
 * live token), then takes the account's rate budget, then makes ONE attempt. Nothing is retried here, least of all a
 * placement. Log lines carry the host and the account id, never the token, the secret or a request body.
 */
import Decimal from "decimal.js";
import { type InstrumentMaster, type MasterRow, symbolInfoOf } from "@/lib/brokers/instruments";
import { requireSession } from "@/lib/brokers/login";
import type {
  Depth,
  Exchange,
  InstrumentKind,
  MarketFeed,
  MarketFeedHandlers,
  MarketFeedTimings,
  OptionChain,
  Quote,
  SymbolInfo,
} from "@/lib/brokers/market-types";
import { invalidRequest, modifySchema, placeSchema } from "@/lib/brokers/openalgo/requests";
import { type CallGate, type CallKind, type RateLimits, rateGovernor } from "@/lib/brokers/rate-governor";
import {
  type AdapterConfig,
  type BrokerAdapter,
  type ClockProbe,
  type Funds,
  type Holding,
  type ModifyOrderRequest,
  type Order,
  type PingResult,
  type PlaceOrderRequest,
  type OrderUpdate,
  type PlaceOrderResult,
  type Position,
  type Subscription,
  type Trade,
} from "@/lib/brokers/types";
import { BrokerRejectedError, BrokerUnavailableError, ValidationError } from "@/lib/errors";
import { log } from "@/lib/log";
import { istDateOf } from "@/lib/trading/calendar";
import { mapFunds, mapHoldings, mapOrder, mapOrders, mapPositions, mapTrades, pnlOfPositions } from "./map";
import { buildChain, chainStrikes, quotesByKey, toDepth, toQuote } from "./map-market";
import { modifyBody, orderIdOf, placeBody, placeResult } from "./requests";
import { upstoxMaster } from "./master";
import { UPSTOX_PUBLISHED } from "./limits";
import { openMarketStream, openOrderUpdates, type StreamAccess } from "./streams";
import {
  API_VERSION,
  createApis,
  type SdkOutcome,
  sdkCall,
  type Start,
  type TransportOptions,
  type UpstoxApis,
} from "./sdk-client";
import { brokerError, classifyError, successData, transportError } from "./wire";

export interface UpstoxAdapterOptions {
  gate?: CallGate;
  limits?: Partial<RateLimits>;
  transport?: TransportOptions;
  /** Clock for the session's expiry (default Date.now); tests pass the simulator's. */
  now?: () => number;
  /** The order stream's connect and ping timings (the market feed takes its own per call). */
  orderStream?: MarketFeedTimings;
}

/** Upstox answers at most 500 instrument keys per quote call. */
const QUOTE_BATCH = 500;
const OPTION_SEGMENT: Partial<Record<Exchange, Exchange>> = { NSE_INDEX: "NFO", BSE_INDEX: "BFO" };

class UpstoxAdapter implements BrokerAdapter {
  // "upstox" joins BrokerKind when the registry lists the kind (lib/brokers/kinds.ts).
  readonly kind = "upstox" as const;
  readonly accountId: string;
  private readonly apis: UpstoxApis;
  private readonly gate: CallGate;
  private readonly limits: Partial<RateLimits>;
  private readonly now: () => number;
  readonly #config: AdapterConfig;
  private readonly transport: TransportOptions;
  private readonly orderStream: MarketFeedTimings;

  constructor(config: AdapterConfig, options: UpstoxAdapterOptions) {
    this.accountId = config.accountId;
    this.#config = config;
    this.transport = options.transport ?? {};
    this.apis = createApis(config.hostUrl, this.transport);
    this.gate = options.gate ?? rateGovernor();
    this.limits = options.limits ?? {};
    this.now = options.now ?? Date.now;
    this.orderStream = options.orderStream ?? {};
  }

  private session(): string {
    return requireSession(this.#config.session, this.now());
  }

  /** One budgeted SDK call with the day's token; the session is checked before and after waiting for the budget. */
  private async call(what: string, kind: CallKind, start: Start): Promise<SdkOutcome> {
    this.session();
    await this.gate.take(this.accountId, kind, this.limits, UPSTOX_PUBLISHED);
    this.apis.client.authentications.OAUTH2.accessToken = this.session();
    const started = performance.now();
    const out = await sdkCall(start(this.apis));
    const ms = Math.round(performance.now() - started);
    const ctx = { broker: "upstox", host: this.apis.host, accountId: this.accountId, endpoint: what, ms };
    if (out.kind === "failure") log().warn({ ...ctx, code: out.code, sent: out.sent }, "broker call failed");
    else log().debug({ ...ctx, status: out.status }, "broker call");
    return out;
  }

  /** A read's `data`, or null for Upstox's "unknown order" when `allowNotFound`; anything else throws typed. */
  private async read(what: string, start: Start, allowNotFound = false): Promise<unknown> {
    const out = await this.call(what, "other", start);
    if (out.kind === "failure") throw transportError(out);
    const data = successData(out);
    if (data !== undefined) return data;
    if (out.status === 200) throw new BrokerUnavailableError(`Unreadable answer from Upstox ${what}`, "bad_response");
    const info = classifyError(out.status, out.body);
    if (allowNotFound && info.kind === "not_found") return null;
    throw brokerError(info);
  }

  /** A modify or cancel; a lost answer means it may have been applied: the caller re-reads the order. */
  private async write(what: string, start: Start): Promise<unknown> {
    const out = await this.call(what, "order", start);
    if (out.kind === "failure") {
      const e = transportError(out);
      if (!out.sent) throw e;
      throw new BrokerUnavailableError(`${e.message} (the ${what} may have been applied: re-read the order)`, e.reason);
    }
    const data = successData(out);
    if (data !== undefined) return data;
    throw brokerError(classifyError(out.status, out.body));
  }

  private master(): Promise<InstrumentMaster> {
    this.session();
    return upstoxMaster(this.#config.hostUrl, { lookup: this.transport.lookup });
  }

  private async row(symbol: string, exchange: Exchange): Promise<MasterRow> {
    const row = (await this.master()).symbol(symbol, exchange);
    if (!row) throw new ValidationError(`Upstox lists no ${symbol} on ${exchange}`, { symbol: ["Unknown symbol"] });
    return row;
  }

  async ping(): Promise<PingResult> {
    await this.read("profile", (a) => (cb) => a.user.getProfile(API_VERSION, cb));
    return { broker: "upstox", mode: "live" };
  }

  async probeClock(): Promise<ClockProbe> {
    this.session();
    await this.gate.take(this.accountId, "other", this.limits, UPSTOX_PUBLISHED);
    this.apis.client.authentications.OAUTH2.accessToken = this.session();
    const sentAt = Date.now();
    const out = await sdkCall((cb) => this.apis.user.getProfile(API_VERSION, cb));
    const receivedAt = Date.now();
    if (out.kind === "failure") throw transportError(out);
    return { sentAt, receivedAt, date: out.date };
  }

  async funds(): Promise<Funds> {
    const funds = await this.read(
      "funds",
      (a) => (cb) => a.user.getUserFundMargin(API_VERSION, { segment: "SEC" }, cb),
    );
    const positions = await this.read("positions", (a) => (cb) => a.portfolio.getPositions(API_VERSION, cb));
    return mapFunds(funds, pnlOfPositions(positions));
  }

  async orders(only?: ReadonlySet<string>): Promise<Order[]> {
    const data = await this.read("order book", (a) => (cb) => a.order.getOrderBook(API_VERSION, cb));
    return mapOrders(data, await this.master(), only);
  }

  async trades(only?: ReadonlySet<string>): Promise<Trade[]> {
    const data = await this.read("trades", (a) => (cb) => a.order.getTradeHistory(API_VERSION, cb));
    return mapTrades(data, await this.master(), only);
  }

  async positions(): Promise<Position[]> {
    const data = await this.read("positions", (a) => (cb) => a.portfolio.getPositions(API_VERSION, cb));
    return mapPositions(data, await this.master());
  }

  async holdings(): Promise<Holding[]> {
    const data = await this.read("holdings", (a) => (cb) => a.portfolio.getHoldings(API_VERSION, cb));
    return mapHoldings(data, await this.master());
  }

  private async fullQuotes(keys: string[]) {
    const out = new Map<string, ReturnType<typeof quotesByKey> extends Map<string, infer V> ? V : never>();
    for (let i = 0; i < keys.length; i += QUOTE_BATCH) {
      const batch = keys.slice(i, i + QUOTE_BATCH).join(",");
      const data = await this.read("quotes", (a) => (cb) => a.quote.getFullMarketQuote(batch, API_VERSION, cb));
      for (const [k, v] of quotesByKey(data)) out.set(k, v);
    }
    return out;
  }

  private async oneQuote(symbol: string, exchange: Exchange) {
    const row = await this.row(symbol, exchange);
    const q = (await this.fullQuotes([row.token])).get(row.token);
    if (!q) throw new BrokerRejectedError(`Upstox sent no quote for ${symbol} on ${exchange}`);
    return q;
  }

  async quote(symbol: string, exchange: Exchange): Promise<Quote> {
    return toQuote(await this.oneQuote(symbol, exchange));
  }

  async depth(symbol: string, exchange: Exchange): Promise<Depth> {
    return toDepth(await this.oneQuote(symbol, exchange));
  }

  async symbolInfo(symbol: string, exchange: Exchange): Promise<SymbolInfo | null> {
    const row = (await this.master()).symbol(symbol.toUpperCase(), exchange);
    return row ? symbolInfoOf(row) : null;
  }

  async searchSymbols(query: string, exchange?: Exchange): Promise<SymbolInfo[]> {
    return (await this.master()).search(query, exchange).map(symbolInfoOf);
  }

  async expiries(underlying: string, exchange: Exchange, kind: InstrumentKind): Promise<string[]> {
    return (await this.master()).expiries(underlying, exchange, kind, istDateOf(this.now()));
  }

  async optionChain(
    underlying: string,
    exchange: Exchange,
    expiry: string,
    strikeCount?: number,
  ): Promise<OptionChain> {
    const master = await this.master();
    const segment = OPTION_SEGMENT[exchange];
    if (!segment) throw new ValidationError(`No option chains on ${exchange}`, { exchange: ["An index exchange"] });
    const legs = master.derivatives(underlying, segment).filter((r) => r.optionType !== null && r.expiry === expiry);
    if (legs.length === 0) throw new BrokerRejectedError(`Upstox lists no ${underlying} options expiring ${expiry}`);
    const spot = toQuote(await this.oneQuote(underlying.toUpperCase(), exchange)).ltp;
    const strikes = [...new Set(legs.map((r) => r.strike!.toString()))].map((s) => new Decimal(s));
    const picked = new Set(chainStrikes(strikes, spot, strikeCount).picked.map((s) => s.toString()));
    const wanted = legs.filter((r) => picked.has(r.strike!.toString()));
    const quotes = await this.fullQuotes(wanted.map((r) => r.token));
    return buildChain(underlying.toUpperCase(), expiry, spot, wanted, quotes, strikeCount);
  }

  async placeOrder(order: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const parsed = placeSchema.safeParse(order);
    if (!parsed.success) throw invalidRequest(parsed.error, "order");
    const o = parsed.data;
    const row = await this.row(o.symbol, o.exchange);
    const out = await this.call(
      "place order",
      "order",
      (a) => (cb) => a.order.placeOrder(placeBody(o, row.token), API_VERSION, cb),
    );
    const result = placeResult(out);
    log().info(
      {
        broker: "upstox",
        accountId: this.accountId,
        symbol: o.symbol,
        exchange: o.exchange,
        action: o.action,
        quantity: o.quantity,
        strategy: o.strategy,
        result,
      },
      "order placement",
    );
    return result;
  }

  async modifyOrder(change: ModifyOrderRequest): Promise<{ orderId: string }> {
    const parsed = modifySchema.safeParse(change);
    if (!parsed.success) throw invalidRequest(parsed.error, "order change");
    const c = parsed.data;
    const data = await this.write("modify", (a) => (cb) => a.order.modifyOrder(modifyBody(c), API_VERSION, cb));
    return { orderId: orderIdOf(data, "modify") };
  }

  async cancelOrder(orderId: string): Promise<void> {
    orderIdOf(await this.write("cancel", (a) => (cb) => a.order.cancelOrder(orderId, API_VERSION, cb)), "cancel");
  }

  async orderStatus(orderId: string): Promise<Order | null> {
    const data = await this.read("order details", (a) => (cb) => a.order.getOrderStatus({ orderId }, cb), true);
    return data === null ? null : mapOrder(data, await this.master());
  }

  /** What the streams need of this adapter (./streams.ts): its budgeted reads, its master and its host. */
  private streams(): StreamAccess {
    return {
      accountId: this.accountId,
      hostUrl: this.#config.hostUrl,
      lookup: this.transport.lookup,
      master: () => this.master(),
      read: (what, start) => this.read(what, start),
    };
  }

  openMarketFeed(handlers: MarketFeedHandlers, timings: MarketFeedTimings = {}): Promise<MarketFeed> {
    return openMarketStream(this.streams(), handlers, timings);
  }

  subscribeOrderUpdates(onUpdate: (u: OrderUpdate) => void, onError: (e: Error) => void): Promise<Subscription> {
    return openOrderUpdates(this.streams(), this.orderStream, onUpdate, onError);
  }

  async close(): Promise<void> {
    this.apis.close();
  }
}

export function createUpstoxAdapter(config: AdapterConfig, options: UpstoxAdapterOptions = {}): BrokerAdapter {
  return new UpstoxAdapter(config, options);
}
