/**
 * The Angel One SmartAPI adapter: the BrokerAdapter contract over Angel's REST API, called directly
 * (docs/brokers/angel.md "Why not the SDK"). Every call checks the day's session first (`requireSession`: nothing is
 * sent without a live token), then takes the account's rate budget, then makes ONE attempt. Log lines carry the
 * host, account and endpoint, never a token, key or body.
 */
import Decimal from "decimal.js";
import { dailyMaster, type InstrumentMaster } from "@/lib/brokers/instruments";
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
import { type CallGate, type CallKind, type RateLimits, rateGovernor } from "@/lib/brokers/rate-governor";
import {
  type AdapterConfig,
  type BrokerAdapter,
  type Funds,
  type Holding,
  type ModifyOrderRequest,
  type Order,
  type OrderUpdate,
  type PingResult,
  type PlaceOrderRequest,
  type PlaceOrderResult,
  type Position,
  type Subscription,
  type Trade,
  accepted,
  rejected,
  unknown,
} from "@/lib/brokers/types";
import { invalidRequest, modifySchema, placeSchema } from "@/lib/brokers/openalgo/requests";
import { BrokerRejectedError, BrokerUnavailableError } from "@/lib/errors";
import { log } from "@/lib/log";
import { istDateOf } from "@/lib/trading/calendar";
import { AngelHttp, type AngelHttpOptions, type AngelOutcome } from "./http";
import { parseAngelMaster } from "./master";
import { mapFunds, mapHoldings, mapOrders, mapPositions, mapTrades, ORDER_TYPES, PRODUCTS } from "./map";
import { type FullQuote, mapDepth, mapQuote, quotesOf } from "./map-market";
import { openAngelMarketFeed } from "./market-feed";
import { buildOptionChain } from "./option-chain";
import { openAngelOrderStream } from "./order-stream";
import { streamSession } from "./session-tokens";
import { classify, errorOf, masterUrl, PATHS, streamUrls } from "./wire";
import { ANGEL_LIMITS, ANGEL_PUBLISHED } from "./limits";

export interface AngelAdapterOptions {
  gate?: CallGate;
  limits?: Partial<RateLimits>;
  http?: AngelHttpOptions;
  /** Clock of session expiry checks (default Date.now); tests pass the simulator's. */
  now?: () => number;
}

class AngelAdapter implements BrokerAdapter {
  readonly kind = "angel" as const;
  readonly accountId: string;
  private readonly http: AngelHttp;
  private readonly gate: CallGate;
  private readonly limits: Partial<RateLimits>;
  private readonly now: () => number;
  private readonly hostUrl: string;
  private readonly httpOptions: AngelHttpOptions;
  readonly #config: AdapterConfig;

  constructor(config: AdapterConfig, options: AngelAdapterOptions) {
    this.accountId = config.accountId;
    this.#config = config;
    this.hostUrl = config.hostUrl;
    this.httpOptions = options.http ?? {};
    this.http = new AngelHttp(config.hostUrl, this.httpOptions);
    this.gate = options.gate ?? rateGovernor();
    this.limits = { ...ANGEL_LIMITS, ...options.limits };
    this.now = options.now ?? Date.now;
  }

  private async send(method: "GET" | "POST", path: string, kind: CallKind, body?: unknown): Promise<AngelOutcome> {
    const token = requireSession(this.#config.session, this.now());
    await this.gate.take(this.accountId, kind, this.limits, ANGEL_PUBLISHED);
    const out = await this.http.call(method, path, { apiKey: this.#config.apiKey, token, body });
    const ctx = { broker: "angel", host: this.http.host, accountId: this.accountId, endpoint: path };
    if (out.kind === "failure")
      log().warn({ ...ctx, code: out.code, sent: out.sent, error: out.message }, "broker call failed");
    return out;
  }

  private async read(path: string, body?: unknown): Promise<unknown> {
    const out = await this.send(body === undefined ? "GET" : "POST", path, "other", body);
    if (out.kind === "failure")
      throw new BrokerUnavailableError(out.message, out.code === "timeout" ? "timeout" : "unreachable");
    const c = classify(out);
    if (c.kind === "ok") return c.data;
    throw errorOf(c);
  }

  private async write(path: string, body: unknown): Promise<unknown> {
    const out = await this.send("POST", path, "order", body);
    if (out.kind === "failure")
      throw new BrokerUnavailableError(
        out.sent ? `${out.message} (the change may have been applied: re-read the order)` : out.message,
        out.code === "timeout" ? "timeout" : "unreachable",
      );
    const c = classify(out);
    if (c.kind === "ok") return c.data;
    throw errorOf(c);
  }

  /**
   * Today's master, one download per host per IST day. The download itself needs no token, but nothing at all goes to
   * the broker without a live session (an expired account is inert until the trader logs in again).
   */
  private master(): Promise<InstrumentMaster> {
    requireSession(this.#config.session, this.now());
    const { base, path } = masterUrl(this.hostUrl);
    return dailyMaster(
      `angel:${base}`,
      async () => {
        // The same host policy as every other call; a whole master is tens of MB, so it gets a minute.
        const http = new AngelHttp(base, {
          ...this.httpOptions,
          responseTimeoutMs: 60_000,
          maxBodyBytes: 256 * 1024 * 1024,
        });
        try {
          const out = await http.call("GET", path, { apiKey: "" });
          if (out.kind === "failure") throw new BrokerUnavailableError(out.message, "unreachable");
          if (out.status !== 200) throw new BrokerUnavailableError(`Scrip master HTTP ${out.status}`, "server_error");
          return parseAngelMaster(out.body);
        } finally {
          await http.close();
        }
      },
      this.now(),
    );
  }

  private async row(symbol: string, exchange: Exchange) {
    const row = (await this.master()).symbol(symbol, exchange);
    if (!row) throw new BrokerRejectedError(`Unknown symbol ${symbol} on ${exchange}`);
    return row;
  }

  /** FULL quotes of up to 50 (segment, token) pairs per call. */
  async fullQuotes(rows: readonly { brokerExchange: string; token: string }[]): Promise<FullQuote[]> {
    const out: FullQuote[] = [];
    for (let i = 0; i < rows.length; i += 50) {
      const exchangeTokens: Record<string, string[]> = {};
      for (const r of rows.slice(i, i + 50)) (exchangeTokens[r.brokerExchange] ??= []).push(r.token);
      out.push(...quotesOf(await this.read(PATHS.quote, { mode: "FULL", exchangeTokens })));
    }
    return out;
  }

  private async oneQuote(symbol: string, exchange: Exchange): Promise<FullQuote> {
    const row = await this.row(symbol, exchange);
    const q = (await this.fullQuotes([row]))[0];
    if (!q) throw new BrokerRejectedError(`No quote for ${symbol} on ${exchange}`);
    return q;
  }

  async ping(): Promise<PingResult> {
    await this.read(PATHS.profile);
    return { broker: "angel", mode: "live" };
  }
  async funds(): Promise<Funds> {
    return mapFunds(await this.read(PATHS.rms));
  }
  async orders(only?: ReadonlySet<string>): Promise<Order[]> {
    const data = await this.read(PATHS.orderBook);
    return mapOrders(await this.master(), data, only);
  }
  async trades(only?: ReadonlySet<string>): Promise<Trade[]> {
    const data = await this.read(PATHS.tradeBook);
    return mapTrades(await this.master(), data, only);
  }
  async positions(): Promise<Position[]> {
    const data = await this.read(PATHS.positions);
    return mapPositions(await this.master(), data);
  }
  async holdings(): Promise<Holding[]> {
    const data = await this.read(PATHS.holdings);
    return mapHoldings(await this.master(), data);
  }
  async quote(symbol: string, exchange: Exchange): Promise<Quote> {
    return mapQuote(await this.oneQuote(symbol, exchange));
  }
  async depth(symbol: string, exchange: Exchange): Promise<Depth> {
    return mapDepth(await this.oneQuote(symbol, exchange));
  }
  async symbolInfo(symbol: string, exchange: Exchange): Promise<SymbolInfo | null> {
    return (await this.master()).symbol(symbol, exchange) ?? null;
  }
  async searchSymbols(query: string, exchange?: Exchange): Promise<SymbolInfo[]> {
    return (await this.master()).search(query, exchange);
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
    return buildOptionChain(this, await this.master(), { underlying, exchange, expiry, strikeCount });
  }

  async placeOrder(order: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const parsed = placeSchema.safeParse(order);
    if (!parsed.success) throw invalidRequest(parsed.error, "order");
    const o = parsed.data;
    const row = await this.row(o.symbol, o.exchange);
    const stop = o.priceType === "SL" || o.priceType === "SL-M";
    const out = await this.send("POST", PATHS.placeOrder, "order", {
      variety: stop ? "STOPLOSS" : "NORMAL",
      tradingsymbol: row.brokerSymbol,
      symboltoken: row.token,
      transactiontype: o.action,
      exchange: row.brokerExchange,
      ordertype: ORDER_TYPES[o.priceType],
      producttype: PRODUCTS[o.product],
      duration: "DAY",
      price: (o.price ?? new Decimal(0)).toString(),
      triggerprice: (o.triggerPrice ?? new Decimal(0)).toString(),
      squareoff: "0",
      stoploss: "0",
      quantity: String(o.quantity),
      disclosedquantity: String(o.disclosedQuantity ?? 0),
      // Angel keeps tags of at most 20 characters; a longer strategy name is not sent rather than cut.
      ...(o.strategy.length <= 20 ? { ordertag: o.strategy } : {}),
    });
    const result = placeResult(out);
    log().info(
      { broker: "angel", accountId: this.accountId, symbol: o.symbol, quantity: o.quantity, result },
      "order placement",
    );
    return result;
  }

  async modifyOrder(change: ModifyOrderRequest): Promise<{ orderId: string }> {
    const parsed = modifySchema.safeParse(change);
    if (!parsed.success) throw invalidRequest(parsed.error, "order change");
    const c = parsed.data;
    const row = await this.row(c.symbol, c.exchange);
    const stop = c.priceType === "SL" || c.priceType === "SL-M";
    await this.write(PATHS.modifyOrder, {
      variety: stop ? "STOPLOSS" : "NORMAL",
      orderid: c.orderId,
      ordertype: ORDER_TYPES[c.priceType],
      producttype: PRODUCTS[c.product],
      duration: "DAY",
      price: c.price.toString(),
      triggerprice: c.triggerPrice.toString(),
      quantity: String(c.quantity),
      tradingsymbol: row.brokerSymbol,
      symboltoken: row.token,
      exchange: row.brokerExchange,
    });
    return { orderId: c.orderId };
  }

  async cancelOrder(orderId: string): Promise<void> {
    await this.write(PATHS.cancelOrder, { variety: "NORMAL", orderid: orderId });
  }

  /** From the order book: Angel's single-order endpoint is keyed by its other id (`uniqueorderid`). */
  async orderStatus(orderId: string): Promise<Order | null> {
    return (await this.orders(new Set([orderId]))).find((o) => o.orderId === orderId) ?? null;
  }

  /** The session's stream credentials; streams go to Angel's stream hosts or the account's own (`streamUrls`). */
  private streamAuth() {
    const s = streamSession(this.#config.session, this.#config.clientId, this.now());
    return { ...s, apiKey: this.#config.apiKey };
  }

  /** Angel's order-status WebSocket (./order-stream.ts). */
  async subscribeOrderUpdates(onUpdate: (u: OrderUpdate) => void, onError: (e: Error) => void): Promise<Subscription> {
    const auth = this.streamAuth();
    const url = streamUrls(this.hostUrl).orders;
    const master = await this.master();
    const opts = { url, auth, accountId: this.accountId, master, lookup: this.httpOptions.lookup };
    return openAngelOrderStream(opts, onUpdate, onError);
  }

  /** SmartStream 2.0 (./market-feed.ts). */
  async openMarketFeed(handlers: MarketFeedHandlers, timings: MarketFeedTimings = {}): Promise<MarketFeed> {
    const auth = this.streamAuth();
    const url = streamUrls(this.hostUrl).marketData;
    const opts = { ...timings, url, auth, accountId: this.accountId, lookup: this.httpOptions.lookup };
    return openAngelMarketFeed({ ...opts, master: () => this.master() }, handlers);
  }

  async close(): Promise<void> {
    await this.http.close();
  }
}

/** A placement's outcome; throws only when Angel provably did not act (see lib/brokers/types.ts). */
function placeResult(out: AngelOutcome): PlaceOrderResult {
  if (out.kind === "failure") {
    if (!out.sent) throw new BrokerUnavailableError(out.message, out.code === "timeout" ? "timeout" : "unreachable");
    return unknown(`${out.message}; the order may have reached the broker`);
  }
  const c = classify(out);
  if (c.kind === "ok") {
    const id = (c.data as { orderid?: unknown } | null)?.orderid;
    return typeof id === "string" && id !== "" ? accepted(id) : unknown("Angel One accepted without an order id");
  }
  if (c.kind === "auth" || c.kind === "rate_limited") throw errorOf(c);
  if (c.kind === "unavailable") return unknown(c.message);
  return rejected(c.code ? `${c.message} (${c.code})` : c.message);
}

export function createAngelAdapter(config: AdapterConfig, options: AngelAdapterOptions = {}): BrokerAdapter {
  return new AngelAdapter(config, options);
}
export type { AngelAdapter };
