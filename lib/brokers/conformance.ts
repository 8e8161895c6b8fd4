/**
 * The conformance suite every BrokerAdapter must pass (docs/house-rules.md "Layout": a new broker kind must pass
 * it before it is registered). Call `runBrokerConformance` at the top level of an `*.int.test.ts` file; it declares a
 * Vitest `describe` whose steps run in order against ONE fresh paper/sandbox account:
 * ping → funds → reference data (expiries, quotes, option chain, symbol info, depth, the market calendar where the
 * broker has one) → MARKET order filled and visible in the order book, trade book and positions → resting LIMIT →
 * modify → cancel → rejection with the broker's reason → wrong key gives a typed auth error → MARKET exit flattens
 * the position.
 *
 * It places real orders: never point it at a live account.
 */
import Decimal from "decimal.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type BrokerAdapter,
  type Exchange,
  isFinalStatus,
  type Order,
  type PlaceOrderRequest,
} from "@/lib/brokers/types";
import { BrokerAuthError, BrokerRejectedError } from "@/lib/errors";
import { istDateOf } from "@/lib/trading/calendar";
import { futureSymbol } from "@/lib/trading/symbols";

export interface ConformanceAccount {
  /** An adapter on a funded sandbox account with a working session, no orders and no positions. */
  adapter: BrokerAdapter;
  /** The same account reached with a wrong API key. */
  badKeyAdapter: BrokerAdapter;
  /** Releases whatever `makeAdapter` started (the adapters are closed by the suite). */
  close?(): Promise<void>;
}

export interface ConformanceOptions {
  /** Index whose futures and options are traded (default NIFTY: NSE_INDEX quotes, NFO derivatives). */
  underlying?: { symbol: string; indexExchange: Exchange; derivativeExchange: Exchange };
  /** Strategy tag sent with every order. */
  strategy?: string;
  /** How long an order may take to reach a final status, ms (default 5 000). */
  settleTimeoutMs?: number;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

async function waitForOrder(
  adapter: BrokerAdapter,
  orderId: string,
  strategy: string,
  done: (o: Order) => boolean,
  timeoutMs: number,
): Promise<Order> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const o = await adapter.orderStatus(orderId, strategy);
    if (o && done(o)) return o;
    if (Date.now() > deadline)
      throw new Error(`order ${orderId} still ${o?.brokerStatus ?? "unknown to the broker"} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function roundToTick(price: Decimal, tick: Decimal): Decimal {
  return price.div(tick).floor().mul(tick);
}

export function runBrokerConformance(
  name: string,
  makeAdapter: () => Promise<ConformanceAccount>,
  options: ConformanceOptions = {},
): void {
  const u = options.underlying ?? { symbol: "NIFTY", indexExchange: "NSE_INDEX", derivativeExchange: "NFO" };
  const strategy = options.strategy ?? "conformance";
  const settleMs = options.settleTimeoutMs ?? 5_000;

  describe(`broker conformance: ${name}`, () => {
    let account: ConformanceAccount;
    let broker: BrokerAdapter;
    // Discovered along the way and used by later steps (the steps run in order).
    let future = "";
    let lot = 0;
    let tick = new Decimal(0);
    let optionExpiry = "";
    let optionSymbol = "";
    let restingId = "";
    const exchange = u.derivativeExchange;
    const order = (o: Partial<PlaceOrderRequest>): PlaceOrderRequest => ({
      symbol: future,
      exchange,
      action: "BUY",
      quantity: lot,
      priceType: "MARKET",
      product: "NRML",
      strategy,
      ...o,
    });

    beforeAll(async () => {
      account = await makeAdapter();
      broker = account.adapter;
    });
    afterAll(async () => {
      await account?.adapter.close();
      await account?.badKeyAdapter.close();
      await account?.close?.();
    });

    it("ping reports the broker and the trading mode", async () => {
      const p = await broker.ping();
      expect(p.broker.length).toBeGreaterThan(0);
      expect(["live", "analyze"]).toContain(p.mode);
    });

    it("funds: available margin = cash + collateral, with money to trade", async () => {
      const f = await broker.funds();
      expect(f.availableMargin.eq(f.cash.plus(f.collateral))).toBe(true);
      expect(f.cash.gt(0)).toBe(true);
      expect(f.utilised.gte(0)).toBe(true);
    });

    it("expiries: ISO dates, ascending, for futures and options", async () => {
      const futures = await broker.expiries(u.symbol, exchange, "futures");
      const options = await broker.expiries(u.symbol, exchange, "options");
      for (const list of [futures, options]) {
        expect(list.length).toBeGreaterThan(0);
        for (const d of list) expect(d).toMatch(ISO_DATE);
        expect([...list].sort()).toEqual(list);
        expect(new Set(list).size).toBe(list.length);
      }
      future = futureSymbol(u.symbol, futures[0]);
      optionExpiry = options[0];
    });

    it("quotes: the index has a positive last price", async () => {
      const q = await broker.quote(u.symbol, u.indexExchange);
      expect(q.ltp.gt(0)).toBe(true);
      expect(q.high.gte(q.low)).toBe(true);
    });

    it("option chain: strikes around ATM with both legs", async () => {
      const chain = await broker.optionChain(u.symbol, u.indexExchange, optionExpiry, 3);
      expect(chain.expiry).toBe(optionExpiry);
      expect(chain.rows.length).toBeGreaterThan(0);
      expect(chain.rows.length).toBeLessThanOrEqual(7);
      const strikes = chain.rows.map((r) => r.strike.toNumber());
      expect([...strikes].sort((a, b) => a - b)).toEqual(strikes);
      const atm = chain.rows.find((r) => r.strike.eq(chain.atmStrike));
      expect(atm?.ce?.lotSize).toBeGreaterThan(0);
      expect(atm?.pe?.ltp.gte(0)).toBe(true);
      optionSymbol = atm!.ce!.symbol;
    });

    it("symbol info: lot size, freeze quantity and tick; unknown symbols are null", async () => {
      const fut = await broker.symbolInfo(future, exchange);
      expect(fut).not.toBeNull();
      expect(fut!.lotSize).toBeGreaterThan(1);
      expect(fut!.tickSize.gt(0)).toBe(true);
      expect(fut!.expiry).toMatch(ISO_DATE);
      lot = fut!.lotSize;
      tick = fut!.tickSize;
      const opt = await broker.symbolInfo(optionSymbol, exchange);
      expect(opt!.strike?.gt(0)).toBe(true);
      expect(opt!.freezeQty).not.toBeNull();
      expect(opt!.freezeQty!).toBeGreaterThanOrEqual(opt!.lotSize);
      expect(await broker.symbolInfo("NOSUCHSYMBOL", "NSE")).toBeNull();
    });

    it("search: finds a listed symbol, and nothing for nonsense", async () => {
      const found = await broker.searchSymbols(future, exchange);
      expect(found.map((s) => s.symbol)).toContain(future);
      expect(await broker.searchSymbols("ZZZZNOSUCH")).toEqual([]);
    });

    it("depth: a priced book, best levels first", async () => {
      const d = await broker.depth(future, exchange);
      expect(d.ltp.gt(0)).toBe(true);
      for (let i = 1; i < d.bids.length; i++) expect(d.bids[i].price.lte(d.bids[i - 1].price)).toBe(true);
      for (let i = 1; i < d.asks.length; i++) expect(d.asks[i].price.gte(d.asks[i - 1].price)).toBe(true);
    });

    it("market calendar, where the broker has one: the year's holidays and a day's windows", async () => {
      const { holidays, timings } = broker;
      // Optional in the contract: a broker without a calendar leaves the trading calendar on its defaults.
      if (!holidays || !timings) return;
      const today = istDateOf(Date.now());
      const year = Number(today.slice(0, 4));
      const list = await holidays.call(broker, year);
      expect(list.length).toBeGreaterThan(0);
      for (const h of list) {
        expect(h.date.startsWith(`${year}-`)).toBe(true);
        expect(h.description.length).toBeGreaterThan(0);
        for (const w of h.openExchanges) expect(istDateOf(w.start) === h.date && w.start < w.end).toBe(true);
      }
      for (const w of await timings.call(broker, today)) {
        expect(w.exchange).toMatch(/^[A-Z_]+$/);
        expect(istDateOf(w.start)).toBe(today);
        expect(w.end).toBeGreaterThan(w.start);
      }
    });

    it("MARKET order: accepted, then complete in the order book with the average price", async () => {
      const r = await broker.placeOrder(order({}));
      expect(r.kind).toBe("accepted");
      if (r.kind !== "accepted") return;
      const done = await waitForOrder(broker, r.orderId, strategy, (o) => isFinalStatus(o.status), settleMs);
      expect(done).toMatchObject({
        status: "complete",
        filledQuantity: lot,
        pendingQuantity: 0,
        priceType: "MARKET",
        action: "BUY",
      });
      expect(done.averagePrice?.gt(0)).toBe(true);
      const row = (await broker.orders()).find((o) => o.orderId === r.orderId);
      expect(row).toMatchObject({ status: "complete", quantity: lot, symbol: future });
      // Brokers that echo the strategy tag must echo ours.
      if (row!.strategy !== null) expect(row!.strategy).toBe(strategy);
      const filled = (await broker.trades()).filter((t) => t.orderId === r.orderId);
      expect(filled.reduce((n, t) => n + t.quantity, 0)).toBe(lot);
      // Asking for some orders' rows never leaves one of them out.
      const only = new Set([r.orderId]);
      expect((await broker.orders(only)).find((o) => o.orderId === r.orderId)).toEqual(row);
      expect((await broker.trades(only)).filter((t) => t.orderId === r.orderId)).toEqual(filled);
    });

    it("positions: the fill shows as a long position", async () => {
      const p = (await broker.positions()).find(
        (x) => x.symbol === future && x.exchange === exchange && x.product === "NRML",
      );
      expect(p?.quantity).toBe(lot);
      expect(p?.averagePrice.gt(0)).toBe(true);
    });

    it("LIMIT far below the market: accepted and resting open", async () => {
      const ltp = (await broker.quote(future, exchange)).ltp;
      const r = await broker.placeOrder(order({ priceType: "LIMIT", price: roundToTick(ltp.mul(0.8), tick) }));
      expect(r.kind).toBe("accepted");
      if (r.kind !== "accepted") return;
      restingId = r.orderId;
      const o = await broker.orderStatus(restingId, strategy);
      expect(o).toMatchObject({ status: "open", filledQuantity: 0, pendingQuantity: lot, priceType: "LIMIT" });
    });

    it("modify: the resting order takes the new price and quantity", async () => {
      const ltp = (await broker.quote(future, exchange)).ltp;
      const price = roundToTick(ltp.mul(0.75), tick);
      const m = await broker.modifyOrder({
        orderId: restingId,
        symbol: future,
        exchange,
        action: "BUY",
        product: "NRML",
        priceType: "LIMIT",
        quantity: 2 * lot,
        price,
        triggerPrice: new Decimal(0),
        strategy,
      });
      expect(m.orderId).toBe(restingId);
      const o = await broker.orderStatus(restingId, strategy);
      expect(o).toMatchObject({ status: "open", quantity: 2 * lot, pendingQuantity: 2 * lot });
      expect(o!.price.eq(price)).toBe(true);
    });

    it("cancel: the order ends cancelled and cannot be cancelled twice", async () => {
      await broker.cancelOrder(restingId, strategy);
      const o = await waitForOrder(broker, restingId, strategy, (x) => isFinalStatus(x.status), settleMs);
      expect(o).toMatchObject({ status: "cancelled", pendingQuantity: 0 });
      await expect(broker.cancelOrder(restingId, strategy)).rejects.toBeInstanceOf(BrokerRejectedError);
      expect(await broker.orderStatus("99999999999999", strategy)).toBeNull();
    });

    it("a quantity that is not a lot multiple is rejected with the broker's reason", async () => {
      const r = await broker.placeOrder(order({ quantity: lot + 1 }));
      expect(r.kind).toBe("rejected");
      if (r.kind === "rejected") expect(r.reason).toMatch(/lot/i);
    });

    it("a wrong API key gives a typed auth error and places nothing", async () => {
      const before = (await broker.orders()).length;
      await expect(account.badKeyAdapter.ping()).rejects.toBeInstanceOf(BrokerAuthError);
      await expect(account.badKeyAdapter.funds()).rejects.toBeInstanceOf(BrokerAuthError);
      await expect(account.badKeyAdapter.placeOrder(order({}))).rejects.toBeInstanceOf(BrokerAuthError);
      expect((await broker.orders()).length).toBe(before);
    });

    it("MARKET SELL closes the position", async () => {
      const r = await broker.placeOrder(order({ action: "SELL" }));
      expect(r.kind).toBe("accepted");
      if (r.kind !== "accepted") return;
      await waitForOrder(broker, r.orderId, strategy, (o) => o.status === "complete", settleMs);
      const p = (await broker.positions()).find(
        (x) => x.symbol === future && x.exchange === exchange && x.product === "NRML",
      );
      expect(p?.quantity ?? 0).toBe(0);
    });
  });
}
