/**
 * The Fyers API v3 adapter (docs/brokers/fyers.md): the BrokerAdapter contract over Fyers' REST API, called directly
 * (the official SDK cannot be pointed at another host). Every call first checks the day's session (`requireSession`:
 * nothing is sent with an expired token), then takes the account's rate budget, then makes ONE attempt; reads alone
 * are repeated once after a reset before any answer byte. Writes are never repeated: a repeated placement is a
 * duplicate order. Log lines carry the host and the account id, never the token, the app secret or a body.
 */
import Decimal from "decimal.js";
import { dailyMaster, type InstrumentMaster, type MasterRow } from "@/lib/brokers/instruments";
import { requireSession } from "@/lib/brokers/login";
import type { Depth, Exchange, InstrumentKind, OptionChain, Quote, SymbolInfo } from "@/lib/brokers/market-types";
import { type HttpOutcome, OpenAlgoTransport, type TransportOptions } from "@/lib/brokers/openalgo/client";
import { invalidRequest, modifySchema, placeSchema } from "@/lib/brokers/openalgo/requests";
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
} from "@/lib/brokers/types";
import { BrokerRejectedError, BrokerUnavailableError, ValidationError } from "@/lib/errors";
import { log } from "@/lib/log";
import { istDateOf } from "@/lib/trading/calendar";
import { buildChain, chainStrikes, derivativeExchange } from "./chain";
import {
  mapDepth,
  mapFunds,
  mapHoldings,
  mapOrderBook,
  mapPositions,
  mapQuoteValue,
  mapTradeBook,
  PRODUCT_TO_FYERS,
  TYPE_TO_FYERS,
  unrealisedOf,
} from "./map";
import { downloadMasters, masterRoot } from "./master";
import { openFyersOrderStream } from "./order-stream";
import { brokerError, placeResult, transportError } from "./outcomes";
import { FYERS_ORDER_SOCKET_PATH, fyersStreamUrl } from "./stream-url";
import { classify, depthSchema, isOk, quotesSchema } from "./wire";
import { FYERS_DEFAULT_LIMITS, FYERS_PUBLISHED } from "./limits";

/** Quotes per `/data/quotes` call. */
const QUOTE_BATCH = 50;

export interface FyersAdapterOptions {
  gate?: CallGate;
  limits?: Partial<RateLimits>;
  transport?: TransportOptions;
  /** Clock for the session's expiry (default Date.now); tests pass the simulator's. */
  now?: () => number;
  /** The order socket's ping period and setup allowance, ms (order-stream.ts defaults). */
  stream?: { heartbeatMs?: number; setupTimeoutMs?: number };
}

const money = (d: Decimal | undefined) => (d ? Number(d.toFixed()) : 0);

class FyersAdapter implements BrokerAdapter {
  readonly kind = "fyers" as const;
  readonly accountId: string;
  private readonly http: OpenAlgoTransport;
  private readonly masterRoot: string;
  private readonly gate: CallGate;
  private readonly limits: Partial<RateLimits>;
  private readonly now: () => number;
  private readonly transportOptions: TransportOptions;
  private readonly streamOptions: { heartbeatMs?: number; setupTimeoutMs?: number };
  readonly #config: AdapterConfig;

  constructor(config: AdapterConfig, options: FyersAdapterOptions) {
    this.accountId = config.accountId;
    this.#config = config;
    this.http = new OpenAlgoTransport(config.hostUrl, options.transport);
    this.masterRoot = masterRoot(config.hostUrl);
    this.gate = options.gate ?? rateGovernor();
    this.limits = { ...FYERS_DEFAULT_LIMITS, ...options.limits };
    this.now = options.now ?? Date.now;
    this.transportOptions = options.transport ?? {};
    this.streamOptions = options.stream ?? {};
  }

  private logCtx(endpoint: string) {
    return { broker: "fyers", host: this.http.host, accountId: this.accountId, endpoint };
  }

  /** The header of every API call; throws LoginRequiredError (nothing sent) without a live session. */
  private authHeader(): string {
    return `${this.#config.apiKey}:${requireSession(this.#config.session, this.now())}`;
  }

  private async send(
    method: string,
    path: string,
    payload: Record<string, unknown> | undefined,
    kind: CallKind,
    retryReset: boolean,
  ): Promise<HttpOutcome> {
    const headers: Record<string, string> = { Authorization: this.authHeader(), Accept: "application/json" };
    const body = payload === undefined ? undefined : JSON.stringify(payload);
    if (body !== undefined) headers["Content-Type"] = "application/json";
    await this.gate.take(this.accountId, kind, this.limits, FYERS_PUBLISHED);
    const started = performance.now();
    let out = await this.http.request(method, path, headers, body);
    if (retryReset && out.kind === "failure" && out.code === "reset" && !out.responded) {
      log().warn({ ...this.logCtx(path), error: out.message }, "broker read reset before answering; retrying once");
      await this.gate.take(this.accountId, kind, this.limits, FYERS_PUBLISHED);
      out = await this.http.request(method, path, headers, body);
    }
    const ms = Math.round(performance.now() - started);
    if (out.kind === "failure")
      log().warn(
        { ...this.logCtx(path), ms, code: out.code, sent: out.sent, error: out.message },
        "broker call failed",
      );
    else log().debug({ ...this.logCtx(path), ms, status: out.status }, "broker call");
    return out;
  }

  private async read(path: string): Promise<unknown> {
    const out = await this.send("GET", path, undefined, "other", true);
    if (out.kind === "failure") throw transportError(out);
    if (isOk(out.status, out.body)) return out.body;
    throw brokerError(classify(out.status, out.body));
  }

  /** Modify and cancel: a lost answer means "may or may not have happened": re-read the order. */
  private async write(method: string, payload: Record<string, unknown>): Promise<unknown> {
    const out = await this.send(method, "/api/v3/orders/sync", payload, "order", false);
    if (out.kind === "failure") {
      const e = transportError(out);
      throw out.sent
        ? new BrokerUnavailableError(`${e.message} (it may have been applied: re-read the order)`, e.reason)
        : e;
    }
    if (isOk(out.status, out.body)) return out.body;
    throw brokerError(classify(out.status, out.body));
  }

  /** The day's master (one download per API root per IST day, shared by every Fyers account of this process). */
  private master(): Promise<InstrumentMaster> {
    requireSession(this.#config.session, this.now());
    return dailyMaster(
      `fyers:${this.masterRoot}`,
      () => downloadMasters(this.masterRoot, this.transportOptions),
      this.now(),
    );
  }

  private async row(symbol: string, exchange: Exchange): Promise<MasterRow> {
    const row = (await this.master()).symbol(symbol, exchange);
    if (!row)
      throw new ValidationError(`Unknown symbol ${symbol} on ${exchange}`, { symbol: ["Not in Fyers' master"] });
    return row;
  }

  async ping(): Promise<PingResult> {
    await this.read("/api/v3/profile");
    return { broker: "fyers", mode: "live" };
  }
  async funds(): Promise<Funds> {
    const funds = await this.read("/api/v3/funds");
    return mapFunds(funds, unrealisedOf(await this.read("/api/v3/positions")));
  }
  async orders(only?: ReadonlySet<string>): Promise<Order[]> {
    const master = await this.master();
    return mapOrderBook(master, await this.read("/api/v3/orders"), only);
  }
  async trades(only?: ReadonlySet<string>): Promise<Trade[]> {
    const master = await this.master();
    return mapTradeBook(master, await this.read("/api/v3/tradebook"), only);
  }
  async positions(): Promise<Position[]> {
    const master = await this.master();
    return mapPositions(master, await this.read("/api/v3/positions"));
  }
  async holdings(): Promise<Holding[]> {
    const master = await this.master();
    return mapHoldings(master, await this.read("/api/v3/holdings"));
  }

  /** Quotes of broker tickers, by ticker; unknown tickers are absent. */
  private async quotes(tickers: readonly string[]): Promise<Map<string, Quote>> {
    const out = new Map<string, Quote>();
    for (let i = 0; i < tickers.length; i += QUOTE_BATCH) {
      const batch = tickers.slice(i, i + QUOTE_BATCH);
      const body = quotesSchema.safeParse(
        await this.read(`/data/quotes?symbols=${encodeURIComponent(batch.join(","))}`),
      );
      if (!body.success) throw new BrokerUnavailableError("Unreadable quotes answer from Fyers", "bad_response");
      for (const item of body.data.d) if (item.s === "ok") out.set(item.n, mapQuoteValue(item.v));
    }
    return out;
  }

  async quote(symbol: string, exchange: Exchange): Promise<Quote> {
    const row = await this.row(symbol, exchange);
    const q = (await this.quotes([row.brokerSymbol])).get(row.brokerSymbol);
    if (!q) throw new BrokerRejectedError(`Fyers has no quote for ${symbol}`);
    return q;
  }
  async depth(symbol: string, exchange: Exchange): Promise<Depth> {
    const row = await this.row(symbol, exchange);
    const body = depthSchema.safeParse(
      await this.read(`/data/depth?symbol=${encodeURIComponent(row.brokerSymbol)}&ohlcv_flag=1`),
    );
    const entry = body.success ? body.data.d[row.brokerSymbol] : undefined;
    if (!entry) throw new BrokerUnavailableError("Unreadable depth answer from Fyers", "bad_response");
    return mapDepth(entry);
  }
  async symbolInfo(symbol: string, exchange: Exchange): Promise<SymbolInfo | null> {
    return (await this.master()).symbol(symbol.toUpperCase(), exchange) ?? null;
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
    const master = await this.master();
    const index = await this.row(underlying.toUpperCase(), exchange);
    const all = chainStrikes(master, underlying.toUpperCase(), derivativeExchange(exchange), expiry);
    const spot = (await this.quotes([index.brokerSymbol])).get(index.brokerSymbol)?.ltp;
    if (!spot) throw new BrokerRejectedError(`Fyers has no quote for ${underlying}`);
    // The window is chosen before quoting, so only the legs shown are quoted.
    const window = buildChain(underlying, expiry, spot, all, new Map(), strikeCount).rows.map((r) =>
      r.strike.toFixed(),
    );
    const legs = all.filter((r) => window.includes(r.strike.toFixed())).flatMap((r) => [r.ce, r.pe]);
    const quotes = await this.quotes(legs.filter((l) => l !== null).map((l) => l.brokerSymbol));
    return buildChain(underlying.toUpperCase(), expiry, spot, all, quotes, strikeCount);
  }

  async placeOrder(order: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const parsed = placeSchema.safeParse(order);
    if (!parsed.success) throw invalidRequest(parsed.error, "order");
    const o = parsed.data;
    const row = await this.row(o.symbol, o.exchange);
    const tag = o.strategy.replace(/[^A-Za-z0-9]/g, "").slice(0, 20);
    const out = await this.send(
      "POST",
      "/api/v3/orders/sync",
      {
        symbol: row.brokerSymbol,
        qty: o.quantity,
        type: TYPE_TO_FYERS[o.priceType],
        side: o.action === "BUY" ? 1 : -1,
        productType: PRODUCT_TO_FYERS[o.product],
        limitPrice: money(o.price),
        stopPrice: money(o.triggerPrice),
        validity: "DAY",
        disclosedQty: o.disclosedQuantity ?? 0,
        offlineOrder: false,
        stopLoss: 0,
        takeProfit: 0,
        ...(tag ? { orderTag: tag } : {}),
      },
      "order",
      false,
    );
    const result = placeResult(out);
    log().info(
      {
        ...this.logCtx("orders/sync"),
        symbol: o.symbol,
        exchange: o.exchange,
        action: o.action,
        quantity: o.quantity,
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
    await this.write("PATCH", {
      id: c.orderId,
      type: TYPE_TO_FYERS[c.priceType],
      limitPrice: money(c.price),
      stopPrice: money(c.triggerPrice),
      qty: c.quantity,
    });
    return { orderId: c.orderId };
  }

  async cancelOrder(orderId: string): Promise<void> {
    await this.write("DELETE", { id: orderId });
  }

  async orderStatus(orderId: string): Promise<Order | null> {
    const master = await this.master();
    const rows = mapOrderBook(master, await this.read(`/api/v3/orders?id=${encodeURIComponent(orderId)}`));
    return rows.find((o) => o.orderId === orderId) ?? null;
  }

  /**
   * Fyers' order socket (docs/brokers/fyers.md "Order updates"): on Fyers' socket host for Fyers' own API root, under
   * the account's host URL otherwise; resolved through the host policy's `lookup` like every other connection.
   */
  async subscribeOrderUpdates(
    onUpdate: (update: OrderUpdate) => void,
    onError: (error: Error) => void,
  ): Promise<Subscription> {
    const authorization = this.authHeader();
    const master = await this.master();
    return openFyersOrderStream(
      {
        url: fyersStreamUrl(this.#config.hostUrl, FYERS_ORDER_SOCKET_PATH),
        authorization,
        accountId: this.accountId,
        master,
        lookup: this.transportOptions.lookup,
        ...this.streamOptions,
      },
      onUpdate,
      onError,
    );
  }

  async close(): Promise<void> {
    this.http.close();
  }
}

export function createFyersAdapter(config: AdapterConfig, options: FyersAdapterOptions = {}): BrokerAdapter {
  return new FyersAdapter(config, options);
}
