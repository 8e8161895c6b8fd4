/**
 * The OpenAlgo adapter: the BrokerAdapter contract over one OpenAlgo instance's REST API.
 *
 * Every call first takes the account's rate budget (lib/brokers/rate-governor), then makes ONE attempt; reads
 * alone are repeated once, and only after a connection reset before any answer byte (a stale pooled socket).
 * Writes are never repeated here: a repeated placeorder is a duplicate order. Log lines carry the host and the
 * account id, never the API key or a request body.
 */
import Decimal from "decimal.js";
import { type CallGate, type CallKind, type RateLimits, rateGovernor } from "@/lib/brokers/rate-governor";
import type {
  Depth,
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
import {
  type AdapterConfig,
  type BrokerAdapter,
  type ClockProbe,
  type Exchange,
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
  rejected,
  unknown,
} from "@/lib/brokers/types";
import {
  AppError,
  BrokerAuthError,
  BrokerRejectedError,
  BrokerUnavailableError,
  BrokerValidationError,
  RateLimitedError,
  ValidationError,
} from "@/lib/errors";
import { log } from "@/lib/log";
import { formatExpiry } from "@/lib/trading/symbols";
import { type HttpOutcome, OpenAlgoTransport, type TransportOptions } from "./client";
import {
  mapAnalyzer,
  mapFunds,
  mapHoldings,
  mapOrderBook,
  mapOrderIdReply,
  mapOrderStatus,
  mapPing,
  mapPlaceOrder,
  mapPositionBook,
  mapTradeBook,
} from "./map";
import { mapHolidays, mapTimings } from "./map-calendar";
import { mapDepth, mapExpiries, mapOptionChain, mapQuote, mapSearch, mapSymbol } from "./map-market";
import { openMarketFeed } from "./market-feed";
import { openOrderStream } from "./order-stream";
import { invalidRequest, modifySchema, placeSchema } from "./requests";
import { type BrokerErrorInfo, classifyError } from "./wire";

export interface OpenAlgoAdapterOptions {
  /** Rate budget every call passes through; default the Redis-backed process-wide governor. */
  gate?: CallGate;
  /** This account's budget (default 10 order + 10 other calls per second). */
  limits?: Partial<RateLimits>;
  transport?: TransportOptions;
}

type Failure = Extract<HttpOutcome, { kind: "failure" }>;
type Answer = Extract<HttpOutcome, { kind: "response" }>;

/** The typed error for a classified broker answer. */
function brokerError(info: BrokerErrorInfo): AppError {
  switch (info.kind) {
    case "auth":
      return new BrokerAuthError(`Broker refused the API key (wrong key or expired broker session): ${info.message}`);
    case "rate_limited":
      return new RateLimitedError(info.message, 1);
    case "validation":
      return new BrokerValidationError(`Broker refused the request: ${info.message}`, info.fields);
    case "rejected":
    case "not_found":
      return new BrokerRejectedError(info.message);
    case "unavailable":
      return new BrokerUnavailableError(info.message, "server_error");
  }
}

function transportError(f: Failure): BrokerUnavailableError {
  return new BrokerUnavailableError(f.message, f.code === "timeout" ? "timeout" : "unreachable");
}

function isSuccess(a: Answer): boolean {
  return (
    a.status === 200 &&
    typeof a.body === "object" &&
    a.body !== null &&
    (a.body as { status?: unknown }).status === "success"
  );
}

class OpenAlgoAdapter implements BrokerAdapter {
  readonly kind = "openalgo" as const;
  readonly accountId: string;
  private readonly http: OpenAlgoTransport;
  private readonly gate: CallGate;
  private readonly limits: Partial<RateLimits>;
  private readonly wsUrl: string | undefined;
  private readonly lookup: TransportOptions["lookup"];
  readonly #apiKey: string;

  constructor(config: AdapterConfig, options: OpenAlgoAdapterOptions) {
    this.accountId = config.accountId;
    this.#apiKey = config.apiKey;
    this.http = new OpenAlgoTransport(config.hostUrl, options.transport);
    this.gate = options.gate ?? rateGovernor();
    this.limits = options.limits ?? {};
    this.wsUrl = config.wsUrl || undefined;
    this.lookup = options.transport?.lookup;
  }

  private logCtx(endpoint: string) {
    return { broker: "openalgo", host: this.http.host, accountId: this.accountId, endpoint };
  }

  /** One budgeted call; reads (`retryReset`) repeat once after a reset that happened before any answer byte. */
  private async send(
    endpoint: string,
    payload: Record<string, unknown>,
    kind: CallKind,
    retryReset: boolean,
  ): Promise<HttpOutcome> {
    await this.gate.take(this.accountId, kind, this.limits);
    const started = performance.now();
    let out = await this.http.post(endpoint, { apikey: this.#apiKey, ...payload });
    if (retryReset && out.kind === "failure" && out.code === "reset" && !out.responded) {
      log().warn({ ...this.logCtx(endpoint), error: out.message }, "broker read reset before answering; retrying once");
      await this.gate.take(this.accountId, kind, this.limits);
      out = await this.http.post(endpoint, { apikey: this.#apiKey, ...payload });
    }
    const ms = Math.round(performance.now() - started);
    if (out.kind === "failure")
      log().warn(
        { ...this.logCtx(endpoint), ms, code: out.code, sent: out.sent, error: out.message },
        "broker call failed",
      );
    else log().debug({ ...this.logCtx(endpoint), ms, status: out.status }, "broker call");
    return out;
  }

  /** A read's success body, or null for a 404 "not found" when `allowNotFound`; everything else throws typed. */
  private async read(endpoint: string, payload: Record<string, unknown> = {}, allowNotFound = false): Promise<unknown> {
    const out = await this.send(endpoint, payload, "other", true);
    if (out.kind === "failure") throw transportError(out);
    if (isSuccess(out)) return out.body;
    const info = classifyError(out.status, out.body, out.text);
    // A 200 that is neither success nor an error body (HTML from a proxy, a truncated body) is unreadable.
    if (out.status === 200 && info.kind === "unavailable")
      throw new BrokerUnavailableError(`Unreadable answer from ${endpoint}`, "bad_response");
    if (allowNotFound && info.kind === "not_found") return null;
    throw brokerError(info);
  }

  /** A write other than placeorder; a lost answer means "may or may not have happened": re-read the order. */
  private async write(endpoint: string, payload: Record<string, unknown>): Promise<unknown> {
    const out = await this.send(endpoint, payload, "order", false);
    if (out.kind === "failure") {
      const e = transportError(out);
      throw out.sent
        ? new BrokerUnavailableError(
            `${e.message} (the ${endpoint} may have been applied: re-read the order)`,
            e.reason,
          )
        : e;
    }
    if (isSuccess(out)) return out.body;
    throw brokerError(classifyError(out.status, out.body, out.text));
  }

  async ping(): Promise<PingResult> {
    const ping = mapPing(await this.read("ping"));
    // Live pings carry no mode; /analyzer says whether the instance trades in the sandbox.
    const mode = ping.mode ?? mapAnalyzer(await this.read("analyzer"));
    return { broker: ping.broker, mode };
  }

  /** A ping outside the retry path: a repeated call would blur the timing. The budget is taken before the clock starts. */
  async probeClock(): Promise<ClockProbe> {
    await this.gate.take(this.accountId, "other", this.limits);
    const sentAt = Date.now();
    const out = await this.http.post("ping", { apikey: this.#apiKey });
    const receivedAt = Date.now();
    if (out.kind === "failure") throw transportError(out);
    return { sentAt, receivedAt, date: out.date ?? null };
  }

  async funds(): Promise<Funds> {
    return mapFunds(await this.read("funds"));
  }
  async orders(only?: ReadonlySet<string>): Promise<Order[]> {
    return mapOrderBook(await this.read("orderbook"), only);
  }
  async trades(only?: ReadonlySet<string>): Promise<Trade[]> {
    return mapTradeBook(await this.read("tradebook"), only);
  }
  async positions(): Promise<Position[]> {
    return mapPositionBook(await this.read("positionbook"));
  }
  async holdings(): Promise<Holding[]> {
    return mapHoldings(await this.read("holdings"));
  }
  async quote(symbol: string, exchange: Exchange): Promise<Quote> {
    return mapQuote(await this.read("quotes", { symbol, exchange }));
  }
  async depth(symbol: string, exchange: Exchange): Promise<Depth> {
    return mapDepth(await this.read("depth", { symbol, exchange }));
  }
  async symbolInfo(symbol: string, exchange: Exchange): Promise<SymbolInfo | null> {
    const body = await this.read("symbol", { symbol, exchange }, true);
    return body === null ? null : mapSymbol(body);
  }
  async searchSymbols(query: string, exchange?: Exchange): Promise<SymbolInfo[]> {
    return mapSearch(await this.read("search", exchange ? { query, exchange } : { query }));
  }
  async expiries(underlying: string, exchange: Exchange, kind: InstrumentKind): Promise<string[]> {
    return mapExpiries(await this.read("expiry", { symbol: underlying, exchange, instrumenttype: kind }));
  }
  async optionChain(
    underlying: string,
    exchange: Exchange,
    expiry: string,
    strikeCount?: number,
  ): Promise<OptionChain> {
    const payload: Record<string, unknown> = { underlying, exchange, expiry_date: formatExpiry(expiry, "DDMMMYY") };
    if (strikeCount !== undefined) payload.strike_count = strikeCount;
    return mapOptionChain(await this.read("optionchain", payload));
  }

  async holidays(year: number): Promise<MarketHoliday[]> {
    return mapHolidays(await this.read("market/holidays", { year }));
  }
  async timings(date: string): Promise<SessionTiming[]> {
    return mapTimings(await this.read("market/timings", { date }));
  }

  async placeOrder(order: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const parsed = placeSchema.safeParse(order);
    if (!parsed.success) throw invalidRequest(parsed.error, "order");
    const o = parsed.data;
    const out = await this.send(
      "placeorder",
      {
        strategy: o.strategy,
        exchange: o.exchange,
        symbol: o.symbol,
        action: o.action,
        quantity: o.quantity,
        pricetype: o.priceType,
        product: o.product,
        // Decimal strings: OpenAlgo's Float fields accept numeric strings, and nothing is lost to binary floats.
        price: (o.price ?? new Decimal(0)).toString(),
        trigger_price: (o.triggerPrice ?? new Decimal(0)).toString(),
        disclosed_quantity: o.disclosedQuantity ?? 0,
      },
      "order",
      false,
    );
    const result = this.placeResult(out);
    log().info(
      {
        ...this.logCtx("placeorder"),
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

  /** Turns a placeorder outcome into a result; throws only when the broker provably did not act (see types.ts). */
  private placeResult(out: HttpOutcome): PlaceOrderResult {
    if (out.kind === "failure") {
      // No connection was ever made: the order cannot exist, and the caller may safely try again later.
      if (!out.sent) throw transportError(out);
      return unknown(`${out.message}; the order may have reached the broker`);
    }
    if (isSuccess(out)) return mapPlaceOrder(out.body);
    // A 200 that is neither success nor a readable error body (e.g. a proxy's HTML page) tells us nothing.
    if (out.status === 200 && (out.body as { status?: unknown } | undefined)?.status !== "error")
      return mapPlaceOrder(out.body);
    const info = classifyError(out.status, out.body, out.text);
    switch (info.kind) {
      case "rejected": {
        // The sandbox records a refused CNC SELL as a rejected order and names it (docs/openalgo.md "Orders").
        const id = (out.body as { orderid?: unknown } | undefined)?.orderid;
        return rejected(info.message, typeof id === "string" && id !== "" ? id : undefined);
      }
      // Checked by OpenAlgo before the order is recorded (rate limit → validation → key): nothing was placed.
      case "auth":
      case "rate_limited":
      case "validation":
        throw brokerError(info);
      case "not_found":
        throw new BrokerUnavailableError(`placeorder not found: ${info.message}`, "server_error");
      case "unavailable":
        // A 5xx may come after the broker took the order (live brokers pass their own status through).
        return unknown(info.message);
    }
  }

  async modifyOrder(change: ModifyOrderRequest): Promise<{ orderId: string }> {
    const parsed = modifySchema.safeParse(change);
    if (!parsed.success) throw invalidRequest(parsed.error, "order change");
    const c = parsed.data;
    const body = await this.write("modifyorder", {
      strategy: c.strategy,
      exchange: c.exchange,
      symbol: c.symbol,
      orderid: c.orderId,
      action: c.action,
      product: c.product,
      pricetype: c.priceType,
      price: c.price.toString(),
      quantity: c.quantity,
      disclosed_quantity: c.disclosedQuantity ?? 0,
      trigger_price: c.triggerPrice.toString(),
    });
    return { orderId: mapOrderIdReply(body, "modifyorder") };
  }

  async cancelOrder(orderId: string, strategy: string): Promise<void> {
    mapOrderIdReply(await this.write("cancelorder", { orderid: orderId, strategy }), "cancelorder");
  }

  async orderStatus(orderId: string, strategy: string): Promise<Order | null> {
    const body = await this.read("orderstatus", { orderid: orderId, strategy }, true);
    return body === null ? null : mapOrderStatus(body);
  }

  /** OpenAlgo's WebSocket `order_update` stream (see order-stream.ts). */
  async subscribeOrderUpdates(
    onUpdate: (update: OrderUpdate) => void,
    onError: (error: Error) => void,
  ): Promise<Subscription> {
    if (!this.wsUrl)
      throw new ValidationError("This account has no WebSocket URL", { wsUrl: ["Required for order updates"] });
    return openOrderStream(
      { wsUrl: this.wsUrl, apiKey: this.#apiKey, accountId: this.accountId, lookup: this.lookup },
      onUpdate,
      onError,
    );
  }

  /** OpenAlgo's WebSocket market-data stream (see market-feed.ts), to this account's own WebSocket host only. */
  async openMarketFeed(handlers: MarketFeedHandlers, timings: MarketFeedTimings = {}): Promise<MarketFeed> {
    if (!this.wsUrl)
      throw new ValidationError("This account has no WebSocket URL", { wsUrl: ["Required for live prices"] });
    return openMarketFeed(
      { ...timings, wsUrl: this.wsUrl, apiKey: this.#apiKey, accountId: this.accountId, lookup: this.lookup },
      handlers,
    );
  }

  async close(): Promise<void> {
    this.http.close();
  }
}

export function createOpenAlgoAdapter(config: AdapterConfig, options: OpenAlgoAdapterOptions = {}): BrokerAdapter {
  return new OpenAlgoAdapter(config, options);
}
