/**
 * The Zerodha Kite Connect adapter: the BrokerAdapter contract over the official `kiteconnect` SDK
 * (docs/brokers/zerodha.md). Every call first checks the day's session (nothing is sent with an expired token), then
 * takes the account's rate budget, then makes ONE attempt: the SDK does not retry, and neither does this adapter —
 * a repeated placement would be a duplicate order. Log lines carry the account and the endpoint, never a key or token.
 */
import { z } from "zod";
import { dailyMaster, type InstrumentMaster, type MasterRow, symbolInfoOf } from "@/lib/brokers/instruments";
import { requireSession } from "@/lib/brokers/login";
import type {
  Depth,
  InstrumentKind,
  MarketFeed,
  MarketFeedHandlers,
  MarketFeedTimings,
  OptionChain,
  Quote,
  SymbolInfo,
} from "@/lib/brokers/market-types";
import { type CallGate, type CallKind, type RateLimits, rateGovernor } from "@/lib/brokers/rate-governor";
import type { AdapterDeps } from "@/lib/brokers/registry";
import {
  type AdapterConfig,
  type BrokerAdapter,
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
  accepted,
  unknown,
} from "@/lib/brokers/types";
import { BrokerRejectedError, BrokerUnavailableError, ValidationError } from "@/lib/errors";
import { log } from "@/lib/log";
import { istDateOf } from "@/lib/trading/calendar";
import { createKite, isSdkGarbage, type Kite, kiteError, kiteFailureOf, placementOutcome } from "./kite-client";
import {
  holdingsSchema,
  mapFunds,
  mapHoldings,
  mapOrder,
  mapPositions,
  mapTrade,
  marginsSchema,
  ordersSchema,
  parsed,
  positionsSchema,
  tradesSchema,
} from "./map";
import { type KiteQuote, mapDepth, mapQuote, optionChainOf, quoteKey, quotesSchema } from "./map-market";
import { kiteRecords, masterRows } from "./master";
import { placeParams, tagOf } from "./requests";
import { ZERODHA_LIMITS, ZERODHA_PUBLISHED } from "./limits";
import { openKiteMarketFeed } from "./market-feed";
import { openKiteOrderStream } from "./order-stream";
import { kiteTickerUrl } from "./ticker-url";

/** Largest number of instruments one `/quote` call may name. */
const QUOTE_BATCH = 500;

export interface ZerodhaAdapterDeps extends AdapterDeps {
  /** Clock for session expiry and the master's IST day (default Date.now); tests pass the simulator's. */
  now?: () => number;
}

class ZerodhaAdapter implements BrokerAdapter {
  readonly kind = "zerodha" as const;
  readonly accountId: string;
  private readonly kc: Kite;
  private readonly closeHttp: () => void;
  private readonly gate: CallGate;
  private readonly limits: Partial<RateLimits>;
  private readonly now: () => number;
  private readonly masterKey: string;
  private readonly lookup: AdapterDeps["lookup"];
  readonly #config: AdapterConfig;

  constructor(config: AdapterConfig, deps: ZerodhaAdapterDeps) {
    this.accountId = config.accountId;
    this.#config = config;
    const kite = createKite({
      root: config.hostUrl.replace(/\/+$/, ""),
      apiKey: config.apiKey,
      accessToken: config.session?.accessToken,
      timeoutMs: deps.timeouts?.responseMs,
      lookup: deps.lookup,
    });
    this.kc = kite.kc;
    this.closeHttp = kite.close;
    this.gate = deps.gate ?? rateGovernor();
    this.limits = { ...ZERODHA_LIMITS, ...deps.limits };
    this.now = deps.now ?? Date.now;
    this.masterKey = `zerodha:${config.hostUrl.replace(/\/+$/, "")}`;
    this.lookup = deps.lookup;
  }

  private get secrets() {
    return [this.#config.session?.accessToken, this.#config.apiSecret, this.#config.apiKey];
  }

  /** The ticker's URL and what its streams share; nothing is opened with a dead session. */
  private ticker() {
    const token = requireSession(this.#config.session, this.now());
    const secrets = this.secrets.filter((s): s is string => !!s);
    const url = kiteTickerUrl(this.#config.hostUrl, this.#config.apiKey, token);
    return { url, accountId: this.accountId, secrets, lookup: this.lookup };
  }

  /** The session check and the budget, in that order: an expired session sends nothing and spends nothing. */
  private async admit(kind: CallKind): Promise<void> {
    requireSession(this.#config.session, this.now());
    await this.gate.take(this.accountId, kind, this.limits, ZERODHA_PUBLISHED);
    requireSession(this.#config.session, this.now());
  }

  /** One budgeted read or order change; failures become typed errors (kite-client.ts). */
  private async call<T>(kind: CallKind, what: string, fn: (kc: Kite) => Promise<T>): Promise<T> {
    await this.admit(kind);
    let value: T;
    try {
      value = await fn(this.kc);
    } catch (e) {
      const error = kiteError(kiteFailureOf(e), what, this.secrets);
      log().warn(
        { broker: "zerodha", accountId: this.accountId, endpoint: what, code: error.code },
        "broker call failed",
      );
      throw error;
    }
    if (isSdkGarbage(value)) throw new BrokerUnavailableError(`Unreadable answer from Zerodha ${what}`, "bad_response");
    return value;
  }

  private master(): Promise<InstrumentMaster> {
    return dailyMaster(
      this.masterKey,
      async () => masterRows(kiteRecords(await this.call("other", "instruments", (kc) => kc.getInstruments()))),
      this.now(),
    );
  }

  private async row(symbol: string, exchange: Exchange): Promise<MasterRow> {
    const row = (await this.master()).symbol(symbol, exchange);
    if (!row) throw new ValidationError(`Zerodha does not list ${exchange}:${symbol} today`, { symbol: ["Unknown"] });
    return row;
  }

  /** `/quote` for some rows, in batches; Kite allows one quote request per second, paced by its own budget. */
  private async quotes(rows: MasterRow[]): Promise<Record<string, KiteQuote>> {
    const out: Record<string, KiteQuote> = {};
    for (let i = 0; i < rows.length; i += QUOTE_BATCH) {
      const keys = rows.slice(i, i + QUOTE_BATCH).map(quoteKey);
      requireSession(this.#config.session, this.now());
      await this.gate.take(this.accountId, "quote", this.limits, ZERODHA_PUBLISHED);
      Object.assign(out, parsed(quotesSchema, await this.call("other", "quote", (kc) => kc.getQuote(keys)), "quote"));
    }
    return out;
  }

  private async oneQuote(symbol: string, exchange: Exchange): Promise<KiteQuote> {
    const row = await this.row(symbol, exchange);
    const q = (await this.quotes([row]))[quoteKey(row)];
    if (!q) throw new BrokerRejectedError(`Zerodha has no quote for ${exchange}:${symbol}`);
    return q;
  }

  async ping(): Promise<PingResult> {
    parsed(z.object({ user_id: z.string() }), await this.call("other", "profile", (kc) => kc.getProfile()), "profile");
    return { broker: "zerodha", mode: "live" };
  }
  async funds(): Promise<Funds> {
    return mapFunds(parsed(marginsSchema, await this.call("other", "margins", (kc) => kc.getMargins()), "margins"));
  }
  async orders(only?: ReadonlySet<string>): Promise<Order[]> {
    const rows = parsed(ordersSchema, await this.call("other", "orders", (kc) => kc.getOrders()), "orders");
    const master = await this.master();
    // Kite lists the day's orders oldest first; the contract wants newest first.
    return rows
      .filter((o) => !only || only.has(o.order_id))
      .map((o) => mapOrder(o, master))
      .reverse();
  }
  async trades(only?: ReadonlySet<string>): Promise<Trade[]> {
    const rows = parsed(tradesSchema, await this.call("other", "trades", (kc) => kc.getTrades()), "trades");
    const master = await this.master();
    return rows.filter((t) => !only || only.has(t.order_id)).map((t) => mapTrade(t, master));
  }
  async positions(): Promise<Position[]> {
    const body = parsed(positionsSchema, await this.call("other", "positions", (kc) => kc.getPositions()), "positions");
    return mapPositions(body, await this.master());
  }
  async holdings(): Promise<Holding[]> {
    const body = parsed(holdingsSchema, await this.call("other", "holdings", (kc) => kc.getHoldings()), "holdings");
    return mapHoldings(body, await this.master());
  }
  async quote(symbol: string, exchange: Exchange): Promise<Quote> {
    return mapQuote(await this.oneQuote(symbol, exchange));
  }
  async depth(symbol: string, exchange: Exchange): Promise<Depth> {
    return mapDepth(await this.oneQuote(symbol, exchange));
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
    const master = await this.master();
    return optionChainOf({ master, underlying, exchange, expiry, strikeCount, quotes: (rows) => this.quotes(rows) });
  }

  async placeOrder(order: PlaceOrderRequest): Promise<PlaceOrderResult> {
    const row = await this.row(order.symbol, order.exchange);
    const params = placeParams(order, row);
    await this.admit("order");
    let result: PlaceOrderResult;
    try {
      const answer = await this.kc.placeOrder("regular", params);
      const id = z.object({ order_id: z.union([z.string(), z.number()]) }).safeParse(answer);
      result = id.success ? accepted(String(id.data.order_id)) : unknown("Zerodha's answer carried no order id");
    } catch (e) {
      result = placementOutcome(e, this.secrets);
    }
    log().info(
      {
        broker: "zerodha",
        accountId: this.accountId,
        symbol: order.symbol,
        exchange: order.exchange,
        action: order.action,
        quantity: order.quantity,
        tag: tagOf(order.strategy),
        result,
      },
      "order placement",
    );
    return result;
  }

  async modifyOrder(change: ModifyOrderRequest): Promise<{ orderId: string }> {
    if (!Number.isSafeInteger(change.quantity) || change.quantity <= 0)
      throw new ValidationError("Quantity must be a positive whole number", { quantity: ["Invalid"] });
    const params: Record<string, string | number> = {
      quantity: change.quantity,
      price: change.price.toString(),
      trigger_price: change.triggerPrice.toString(),
      order_type: change.priceType,
      validity: "DAY",
    };
    if (change.disclosedQuantity) params.disclosed_quantity = change.disclosedQuantity;
    // A change into a market order needs protection like a new one (requests.ts); -1 is Kite's automatic band.
    if (change.priceType === "MARKET" || change.priceType === "SL-M") params.market_protection = -1;
    const body = await this.write("order change", (kc) =>
      // Prices travel as form text: the decimal string is sent as it is (the SDK's type says number).
      kc.modifyOrder("regular", change.orderId, params as unknown as Parameters<Kite["modifyOrder"]>[2]),
    );
    return {
      orderId: String(parsed(z.object({ order_id: z.union([z.string(), z.number()]) }), body, "modify").order_id),
    };
  }

  async cancelOrder(orderId: string): Promise<void> {
    await this.write("cancellation", (kc) => kc.cancelOrder("regular", orderId));
  }

  /** An order change: a lost answer means it may or may not have happened, so the caller re-reads the order. */
  private async write<T>(what: string, fn: (kc: Kite) => Promise<T>): Promise<T> {
    try {
      return await this.call("order", what, fn);
    } catch (e) {
      if (e instanceof BrokerUnavailableError)
        throw new BrokerUnavailableError(
          `${e.message} (the ${what} may have been applied: re-read the order)`,
          e.reason,
        );
      throw e;
    }
  }

  /** The order's last state in its history; null when Kite does not know the id (404). */
  async orderStatus(orderId: string): Promise<Order | null> {
    await this.admit("other");
    let history: unknown;
    try {
      history = await this.kc.getOrderHistory(orderId);
    } catch (e) {
      const f = kiteFailureOf(e);
      if (f.kind === "answered" && f.status === 404) return null;
      throw kiteError(f, "order history", this.secrets);
    }
    if (isSdkGarbage(history))
      throw new BrokerUnavailableError("Unreadable order history from Zerodha", "bad_response");
    const rows = parsed(ordersSchema, history, "order history");
    const last = rows.at(-1);
    return last ? mapOrder(last, await this.master()) : null;
  }

  /** Kite's ticker (docs/brokers/zerodha.md "Market data stream"), on Kite's ticker host or the account's own. */
  async openMarketFeed(handlers: MarketFeedHandlers, timings: MarketFeedTimings = {}): Promise<MarketFeed> {
    const rowsOf = async (items: readonly { symbol: string; exchange: string }[]) => {
      const master = await this.master();
      return items.map((i) => master.symbol(i.symbol, i.exchange as Exchange));
    };
    return openKiteMarketFeed({ ...timings, ...this.ticker(), rowsOf }, handlers);
  }

  /** Order postbacks over the ticker (docs/brokers/zerodha.md "Order updates"). */
  async subscribeOrderUpdates(
    onUpdate: (update: OrderUpdate) => void,
    onError: (error: Error) => void,
  ): Promise<Subscription> {
    const master = await this.master();
    return openKiteOrderStream({ ...this.ticker(), master }, onUpdate, onError);
  }

  async close(): Promise<void> {
    this.closeHttp();
  }
}

export function createZerodhaAdapter(config: AdapterConfig, deps: ZerodhaAdapterDeps = {}): BrokerAdapter {
  return new ZerodhaAdapter(config, deps);
}
