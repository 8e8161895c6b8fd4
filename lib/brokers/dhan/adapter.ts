/**
 * The Dhan adapter: the BrokerAdapter contract over DhanHQ's REST API v2 (docs/brokers/dhan.md).
 *
 * Before every call: `requireSession` (no token is sent once the day's session has died), then the account's rate
 * budget (orders, other calls, and Dhan's separate 1/s quote budget). One attempt per call; reads are repeated once
 * after a reset before any answer byte; writes never, and a placement whose answer is lost is `unknown`. Log lines
 * carry the host and account id, never a header or a body.
 */
import { istDateOf } from "@/lib/trading/calendar";
import type { LookupFunction } from "node:net";
import { dailyMaster, type InstrumentMaster, symbolInfoOf } from "@/lib/brokers/instruments";
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
} from "@/lib/brokers/types";
import { invalidRequest, modifySchema, placeSchema } from "@/lib/brokers/openalgo/requests";
import { BrokerUnavailableError, ValidationError } from "@/lib/errors";
import { log } from "@/lib/log";
import { brokerError, placeResult, readMaster, transportError } from "./calls";
import { DhanHttp, type DhanRequest, type HttpOutcome } from "./http";
import { dhanHosts, dhanStreamHosts, type DhanStreamHosts } from "./hosts";
import { openDhanMarketFeed } from "./market-feed";
import { openDhanOrderStream } from "./order-stream";
import {
  mapFunds,
  mapHoldings,
  mapOrder,
  mapOrders,
  mapPositions,
  mapTrades,
  positionTotals,
  quoteEntries,
  toDepth,
  toQuote,
} from "./map";
import { buildChain, chainContracts } from "./reference";
import { classifyDhanError, CORRELATION_ID, PRODUCT_TO_DHAN, TYPE_TO_DHAN } from "./wire";
import { DHAN_PUBLISHED, DHAN_RATE_LIMITS } from "./limits";

// lib/brokers/kinds.ts gains "dhan" when the registry entry is added; the cast keeps this folder compiling before.

export interface DhanAdapterOptions {
  gate?: CallGate;
  limits?: Partial<RateLimits>;
  timeouts?: { connectMs?: number; responseMs?: number };
  lookup?: LookupFunction;
  /** The clock sessions and the master's day are judged by (default Date.now; tests pass the simulator's). */
  now?: () => number;
}

type Answer = Extract<HttpOutcome, { kind: "response" }>;
const ok = (a: Answer) => a.status >= 200 && a.status < 300 && a.body !== undefined;
const price = (d: { toFixed(n: number): string } | undefined) => (d ? Number(d.toFixed(2)) : 0);

const rateLimited = (out: { status: number; body: unknown }) =>
  classifyDhanError(out.status, out.body).kind === "rate_limited";

class DhanAdapter implements BrokerAdapter {
  readonly kind = "dhan" as const;
  readonly accountId: string;
  private readonly http: DhanHttp;
  private readonly gate: CallGate;
  private readonly limits: Partial<RateLimits>;
  private readonly now: () => number;
  private readonly masterUrl: string;
  private readonly streams: DhanStreamHosts;
  private readonly transport: { connectTimeoutMs?: number; responseTimeoutMs?: number; lookup?: LookupFunction };
  readonly #config: AdapterConfig;

  constructor(config: AdapterConfig, options: DhanAdapterOptions) {
    if (!config.clientId) throw new ValidationError("A Dhan account needs its client id", { clientId: ["Required"] });
    this.accountId = config.accountId;
    this.#config = config;
    const hosts = dhanHosts(config.hostUrl);
    this.masterUrl = hosts.master;
    this.streams = dhanStreamHosts(config.hostUrl);
    this.transport = {
      connectTimeoutMs: options.timeouts?.connectMs,
      responseTimeoutMs: options.timeouts?.responseMs,
      lookup: options.lookup,
    };
    this.http = new DhanHttp(hosts.api, this.transport);
    this.gate = options.gate ?? rateGovernor();
    this.limits = { ...DHAN_RATE_LIMITS, ...options.limits };
    this.now = options.now ?? Date.now;
  }

  /** One budgeted attempt (reads: one more after an early reset). Throws LoginRequiredError before sending anything. */
  private async send(r: DhanRequest, kind: CallKind | "quote", retryReset: boolean): Promise<HttpOutcome> {
    const token = requireSession(this.#config.session, this.now());
    const take = () => this.gate.take(this.accountId, kind, this.limits, DHAN_PUBLISHED);
    const headers = { "access-token": token, "client-id": this.#config.clientId! };
    await take();
    let out = await this.http.request({ ...r, headers });
    if (retryReset && out.kind === "failure" && out.code === "reset" && !out.responded) {
      await take();
      out = await this.http.request({ ...r, headers });
    }
    if (out.kind === "failure")
      log().warn(
        {
          broker: "dhan",
          host: this.http.host,
          accountId: this.accountId,
          path: r.path,
          code: out.code,
          sent: out.sent,
        },
        "broker call failed",
      );
    return out;
  }

  private async read(r: DhanRequest, kind: CallKind | "quote" = "other", allowNotFound = false): Promise<unknown> {
    let out = await this.send(r, kind, true);
    // Dhan answers one quote call a second. Calls spaced by the budget can still arrive closer together (network and
    // event-loop delays differ per call), so a quote refused for its rate is asked once more in the next budget slot:
    // a quote read is safe to repeat. Other reads report the refusal (docs/brokers/dhan.md "Rate limits").
    if (kind === "quote" && out.kind !== "failure" && !ok(out) && rateLimited(out))
      out = await this.send(r, kind, true);
    if (out.kind === "failure") throw transportError(out);
    if (ok(out)) return out.body;
    const info = classifyDhanError(out.status, out.body);
    if (allowNotFound && info.kind === "not_found") return null;
    if (out.status < 300) throw new BrokerUnavailableError(`Unreadable answer from Dhan ${r.path}`, "bad_response");
    throw brokerError(info);
  }

  private async write(r: DhanRequest): Promise<unknown> {
    const out = await this.send(r, "order", false);
    if (out.kind === "failure") {
      const e = transportError(out);
      throw out.sent
        ? new BrokerUnavailableError(`${e.message} (it may have been applied: re-read the order)`, e.reason)
        : e;
    }
    if (ok(out)) return out.body;
    throw brokerError(classifyDhanError(out.status, out.body));
  }

  private master(): Promise<InstrumentMaster> {
    const now = this.now();
    requireSession(this.#config.session, now);
    return dailyMaster(`dhan:${this.masterUrl}`, () => readMaster(this.masterUrl, this.transport), now);
  }

  private async row(symbol: string, exchange: Exchange) {
    const row = (await this.master()).symbol(symbol, exchange);
    if (!row) throw new ValidationError(`Dhan lists no ${symbol} on ${exchange}`, { symbol: ["Unknown symbol"] });
    return row;
  }

  async ping(): Promise<PingResult> {
    await this.read({ method: "GET", path: "/profile" });
    return { broker: "dhan", mode: "live" };
  }

  async funds(): Promise<Funds> {
    const limit = await this.read({ method: "GET", path: "/fundlimit" });
    return mapFunds(limit, positionTotals(await this.read({ method: "GET", path: "/positions" })));
  }
  async orders(only?: ReadonlySet<string>): Promise<Order[]> {
    const master = await this.master();
    return mapOrders(master, await this.read({ method: "GET", path: "/orders" }), only);
  }
  async trades(only?: ReadonlySet<string>): Promise<Trade[]> {
    const master = await this.master();
    return mapTrades(master, await this.read({ method: "GET", path: "/trades" }), only);
  }
  async positions(): Promise<Position[]> {
    const master = await this.master();
    return mapPositions(master, await this.read({ method: "GET", path: "/positions" }));
  }
  async holdings(): Promise<Holding[]> {
    const master = await this.master();
    return mapHoldings(master, await this.read({ method: "GET", path: "/holdings" }));
  }

  private async marketQuote(rows: { brokerExchange: string; token: string }[]) {
    const body: Record<string, number[]> = {};
    for (const r of rows) (body[r.brokerExchange] ??= []).push(Number(r.token));
    return quoteEntries(await this.read({ method: "POST", path: "/marketfeed/quote", body }, "quote"));
  }

  private async quoteOf(symbol: string, exchange: Exchange) {
    const row = await this.row(symbol, exchange);
    const q = (await this.marketQuote([row])).get(`${row.brokerExchange}:${row.token}`);
    if (!q) throw new BrokerUnavailableError(`Dhan sent no quote for ${symbol}`, "bad_response");
    return q;
  }
  async quote(symbol: string, exchange: Exchange): Promise<Quote> {
    return toQuote(await this.quoteOf(symbol, exchange));
  }
  async depth(symbol: string, exchange: Exchange): Promise<Depth> {
    return toDepth(await this.quoteOf(symbol, exchange));
  }
  async symbolInfo(symbol: string, exchange: Exchange): Promise<SymbolInfo | null> {
    const row = (await this.master()).symbol(symbol, exchange);
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
    const { index, options } = chainContracts(await this.master(), underlying, exchange, expiry);
    // Dhan takes at most 1000 instruments per quote call.
    const quotes = await this.marketQuote([index, ...options.slice(0, 999)]);
    const indexQuote = quotes.get(`${index.brokerExchange}:${index.token}`);
    if (!indexQuote) throw new BrokerUnavailableError(`Dhan sent no quote for ${underlying}`, "bad_response");
    return buildChain(underlying, expiry, indexQuote.last_price, options, quotes, strikeCount);
  }

  async placeOrder(order: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const parsed = placeSchema.safeParse(order);
    if (!parsed.success) throw invalidRequest(parsed.error, "order");
    const o = parsed.data;
    const row = await this.row(o.symbol, o.exchange);
    const body: Record<string, unknown> = {
      dhanClientId: this.#config.clientId,
      transactionType: o.action,
      exchangeSegment: row.brokerExchange,
      productType: PRODUCT_TO_DHAN[o.product],
      orderType: TYPE_TO_DHAN[o.priceType],
      validity: "DAY",
      securityId: row.token,
      quantity: o.quantity,
      disclosedQuantity: o.disclosedQuantity ?? 0,
      price: price(o.price),
      triggerPrice: price(o.triggerPrice),
      afterMarketOrder: false,
    };
    if (CORRELATION_ID.test(o.strategy)) body.correlationId = o.strategy;
    const out = await this.send({ method: "POST", path: "/orders", body }, "order", false);
    const result = placeResult(out);
    log().info(
      {
        broker: "dhan",
        accountId: this.accountId,
        symbol: o.symbol,
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
    const body = await this.write({
      method: "PUT",
      path: `/orders/${encodeURIComponent(c.orderId)}`,
      body: {
        dhanClientId: this.#config.clientId,
        orderId: c.orderId,
        orderType: TYPE_TO_DHAN[c.priceType],
        quantity: c.quantity,
        price: price(c.price),
        disclosedQuantity: c.disclosedQuantity ?? 0,
        triggerPrice: price(c.triggerPrice),
        validity: "DAY",
      },
    });
    return { orderId: String((body as { orderId?: unknown }).orderId ?? c.orderId) };
  }

  async cancelOrder(orderId: string): Promise<void> {
    await this.write({ method: "DELETE", path: `/orders/${encodeURIComponent(orderId)}` });
  }

  async orderStatus(orderId: string): Promise<Order | null> {
    const body = await this.read({ method: "GET", path: `/orders/${encodeURIComponent(orderId)}` }, "other", true);
    if (body === null) return null;
    // Dhan has answered this endpoint both as one object and as a one-element list.
    const row = Array.isArray(body) ? body[0] : body;
    return row === undefined ? null : mapOrder(await this.master(), row);
  }

  /** Dhan's Live Order Update stream (order-stream.ts), on Dhan's stream host or the account's own host only. */
  async subscribeOrderUpdates(onUpdate: (u: OrderUpdate) => void, onError: (e: Error) => void): Promise<Subscription> {
    const token = requireSession(this.#config.session, this.now());
    const stream = { url: this.streams.orders, token, clientId: this.#config.clientId!, accountId: this.accountId };
    return openDhanOrderStream(
      { ...stream, master: () => this.master(), lookup: this.transport.lookup },
      onUpdate,
      onError,
    );
  }

  /** Dhan's Live Market Feed (market-feed.ts); items resolve to security ids through the day's master. */
  async openMarketFeed(handlers: MarketFeedHandlers, timings: MarketFeedTimings = {}): Promise<MarketFeed> {
    const token = requireSession(this.#config.session, this.now());
    const resolve = async (item: { symbol: string; exchange: string }) => {
      const row = (await this.master()).symbol(item.symbol, item.exchange as Exchange);
      return row ? { segment: row.brokerExchange, securityId: row.token } : null;
    };
    const stream = { url: this.streams.feed, token, clientId: this.#config.clientId!, accountId: this.accountId };
    return openDhanMarketFeed({ ...timings, ...stream, resolve, lookup: this.transport.lookup }, handlers);
  }

  async close(): Promise<void> {
    this.http.close();
  }
}

export function createDhanAdapter(config: AdapterConfig, options: DhanAdapterOptions = {}): BrokerAdapter {
  return new DhanAdapter(config, options);
}
