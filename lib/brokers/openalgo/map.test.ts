import { describe, expect, it } from "vitest";
import { BrokerUnavailableError } from "@/lib/errors";
import * as F from "@/lib/testing/openalgo-fixtures";
import { mapDepth, mapExpiries, mapOptionChain, mapQuote, mapSearch, mapSymbol } from "./map-market";
import {
  mapAnalyzer,
  mapFunds,
  mapHoldings,
  mapOrderBook,
  mapOrderIdReply,
  mapOrderStatus,
  mapOrderUpdate,
  mapPing,
  mapPlaceOrder,
  mapPositionBook,
  mapTradeBook,
  normaliseStatus,
} from "./map";
import { classifyError, parseBrokerTime } from "./wire";

const j = (text: string): unknown => JSON.parse(text);
const str = (d: { toString(): string } | null) => (d === null ? null : d.toString());

describe("ping and analyzer", () => {
  it("reads the broker name from live and observed pings", () => {
    expect(mapPing(j(F.PING_LIVE))).toEqual({ broker: "zerodha" });
    expect(mapPing(j(F.PING_OBSERVED))).toEqual({ broker: "dhan_sandbox" });
  });
  it("reads the trading mode from /analyzer", () => {
    expect(mapAnalyzer(j(F.ANALYZER_ON))).toBe("analyze");
    expect(mapAnalyzer(j(F.ANALYZER_OFF))).toBe("live");
  });
});

describe("funds", () => {
  it("coerces live-broker strings and defines available margin = cash + collateral", () => {
    const f = mapFunds(j(F.FUNDS_LIVE_STRINGS));
    expect(str(f.cash)).toBe("320.66");
    expect(str(f.availableMargin)).toBe("320.66");
    expect(str(f.utilised)).toBe("679.34");
    expect(str(f.realisedPnl)).toBe("3.27");
    expect(str(f.unrealisedPnl)).toBe("-7.88");
  });
  it("reads sandbox floats without float drift", () => {
    const f = mapFunds(j(F.FUNDS_SANDBOX_FLOATS));
    expect(str(f.availableMargin)).toBe("9995000");
    expect(str(f.unrealisedPnl)).toBe("120.5");
    const o = mapFunds(j(F.FUNDS_OBSERVED));
    expect(str(o.cash)).toBe("9968043.31");
    expect(str(o.utilised)).toBe("31956.69");
    expect(str(o.unrealisedPnl)).toBe("-27582.85");
  });
  it("adds collateral into available margin", () => {
    const f = mapFunds({
      status: "success",
      data: {
        availablecash: "1000.10",
        collateral: "250.20",
        m2mrealized: "",
        m2munrealized: "0",
        utiliseddebits: "0",
      },
    });
    expect(str(f.availableMargin)).toBe("1250.3");
    expect(str(f.cash)).toBe("1000.1");
    expect(str(f.realisedPnl)).toBe("0");
  });
  it("refuses an empty funds object (broker failure) instead of reporting zero rupees", () => {
    expect(() => mapFunds(j(F.FUNDS_BROKER_FAILURE))).toThrow(BrokerUnavailableError);
  });
  it("names the endpoint and field when a value is not a number", () => {
    const body = {
      status: "success",
      data: { availablecash: "abc", collateral: 0, m2mrealized: 0, m2munrealized: 0, utiliseddebits: 0 },
    };
    expect(() => mapFunds(body)).toThrow(/funds: data\.availablecash/);
  });
});

describe("orders", () => {
  it("normalises a live order-book row with a string quantity and no fill fields", () => {
    const [o] = mapOrderBook(j(F.ORDERBOOK_LIVE));
    expect(o).toMatchObject({
      orderId: "250408000989443",
      symbol: "RELIANCE",
      exchange: "NSE",
      action: "BUY",
      quantity: 1,
      status: "complete",
      filledQuantity: 1,
      pendingQuantity: 0,
      priceType: "MARKET",
      product: "MIS",
      strategy: null,
      rejectionReason: null,
    });
    // Live books do not carry the average price or fill quantities: unknown, not zero.
    expect(o.averagePrice).toBeNull();
    expect(o.fillsReported).toBe(false);
    expect(o.placedAt?.toISOString()).toBe("2025-04-08T08:28:03.000Z");
  });
  it("normalises observed sandbox rows, including a rejection with the broker's reason", () => {
    const rows = mapOrderBook(j(F.ORDERBOOK_OBSERVED));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatchObject({
      orderId: "26112228560169",
      exchange: "NSE_INDEX",
      status: "complete",
      filledQuantity: 1,
      strategy: "probe",
    });
    expect(str(rows[0].averagePrice)).toBe("24522.28");
    expect(rows[1]).toMatchObject({ status: "rejected", filledQuantity: 0, pendingQuantity: 0, averagePrice: null });
    expect(rows[1].rejectionReason).toMatch(/^Cannot sell TCS in CNC/);
    expect(rows[2]).toMatchObject({ priceType: "SL-M", brokerStatus: "complete" });
    expect(str(rows[2].triggerPrice)).toBe("900");
    expect(rows[0].placedAt?.toISOString()).toBe("2026-11-22T03:44:17.000Z");
    expect(rows.every((r) => r.fillsReported === true)).toBe(true);
  });
  it("says when a live row's filled quantity is only derived from its status (a lower bound until the trade book says)", () => {
    const body = j(F.ORDERBOOK_LIVE) as { data: { orders: Record<string, unknown>[] } };
    body.data.orders[0] = { ...body.data.orders[0], order_status: "open", pricetype: "LIMIT", price: "1150.00" };
    const [open] = mapOrderBook(body);
    expect(open).toMatchObject({
      status: "open",
      filledQuantity: 0,
      pendingQuantity: 1,
      averagePrice: null,
      fillsReported: false,
    });
    body.data.orders[0].order_status = "cancelled";
    expect(mapOrderBook(body)[0]).toMatchObject({ status: "cancelled", filledQuantity: 0, fillsReported: false });
  });
  it("reads orderstatus with `pricetype` (live) and `price_type` (sandbox)", () => {
    const live = mapOrderStatus(j(F.ORDERSTATUS_LIVE));
    expect(live).toMatchObject({ orderId: "250828000185002", priceType: "MARKET", quantity: 1, status: "complete" });
    expect(str(live.averagePrice)).toBe("18.95");
    expect(live.fillsReported).toBe(false);
    const open = mapOrderStatus(j(F.ORDERSTATUS_OBSERVED_OPEN));
    expect(open).toMatchObject({
      priceType: "LIMIT",
      status: "open",
      filledQuantity: 0,
      pendingQuantity: 1,
      averagePrice: null,
      strategy: "probe",
      fillsReported: true,
    });
    expect(str(open.price)).toBe("500");
  });
  it("folds brokers' status words into five statuses, unknown words staying working", () => {
    expect(normaliseStatus("trigger pending")).toBe("trigger_pending");
    expect(normaliseStatus("TRIGGER_PENDING")).toBe("trigger_pending");
    expect(normaliseStatus("expired")).toBe("cancelled");
    expect(normaliseStatus("canceled")).toBe("cancelled");
    expect(normaliseStatus("Complete")).toBe("complete");
    expect(normaliseStatus("validation pending")).toBe("open");
    expect(normaliseStatus("rejected")).toBe("rejected");
  });
  it("rejects a fractional quantity rather than rounding it", () => {
    const body = j(F.ORDERBOOK_LIVE) as { data: { orders: Record<string, unknown>[] } };
    body.data.orders[0].quantity = "1.5";
    expect(() => mapOrderBook(body)).toThrow(/orders\.0\.quantity/);
  });
  it("reads only the rows asked for: the same orders as the whole book, other rows not parsed", () => {
    const body = j(F.ORDERBOOK_OBSERVED) as { data: { orders: Record<string, unknown>[] } };
    const all = mapOrderBook(body);
    const only = new Set([all[1].orderId, all[3].orderId, "not-in-the-book"]);
    expect(mapOrderBook(body, only)).toEqual(all.filter((o) => only.has(o.orderId)));
    // A numeric wire id is the same order as its string.
    body.data.orders[1].orderid = Number(all[1].orderId);
    expect(mapOrderBook(body, only).map((o) => o.orderId)).toEqual([all[1].orderId, all[3].orderId]);
    // A broken row nobody asked for is not read; one asked for still fails with its path.
    body.data.orders[0].quantity = "1.5";
    expect(mapOrderBook(body, only)).toHaveLength(2);
    body.data.orders[3].quantity = "1.5";
    expect(() => mapOrderBook(body, only)).toThrow(/orders\.3\.quantity/);
    expect(() => mapOrderBook({ status: "success", data: {} }, only)).toThrow(/data\.orders/);
  });
});

describe("trades, positions, holdings", () => {
  it("reads a live trade with only a time of day", () => {
    const [t] = mapTradeBook(j(F.TRADEBOOK_LIVE));
    expect(t).toMatchObject({
      orderId: "250408000989443",
      tradeId: null,
      quantity: 1,
      tradedAt: null,
      brokerTimestamp: "13:58:03",
    });
    expect(str(t.averagePrice)).toBe("1180.1");
  });
  it("reads observed sandbox trades with trade ids and strategy", () => {
    const rows = mapTradeBook(j(F.TRADEBOOK_OBSERVED));
    expect(rows.map((r) => r.tradeId)).toEqual(["TRADE-20261122-091417-9a76348b", "TRADE-20261122-091416-303a10b4"]);
    expect(rows[1]).toMatchObject({ strategy: "probe", symbol: "SBIN" });
    expect(str(rows[1].tradeValue)).toBe("1087.07");
  });
  it("reads only the trades of the orders asked for, as the whole book has them", () => {
    const body = j(F.TRADEBOOK_OBSERVED) as { data: Record<string, unknown>[] };
    const all = mapTradeBook(body);
    const only = new Set([all[1].orderId]);
    expect(mapTradeBook(body, only)).toEqual(all.filter((t) => only.has(t.orderId)));
    body.data[0].quantity = "x";
    expect(mapTradeBook(body, only)).toHaveLength(1);
    body.data[1].average_price = "x";
    expect(() => mapTradeBook(body, only)).toThrow(/data\.1\.average_price/);
  });
  it("reads signed string quantities (short) from live position books", () => {
    const [p] = mapPositionBook(j(F.POSITIONBOOK_LIVE_STRINGS));
    expect(p.quantity).toBe(-104);
    expect(str(p.averagePrice)).toBe("17.2");
    expect(str(p.pnl)).toBe("-10.44");
  });
  it("reads observed sandbox positions, including closed rows with quantity 0", () => {
    const rows = mapPositionBook(j(F.POSITIONBOOK_OBSERVED));
    expect(rows.map((r) => [r.symbol, r.product, r.quantity])).toEqual([
      ["RELIANCE", "CNC", 3],
      ["INFY", "MIS", 2],
    ]);
    const [closed] = mapPositionBook(j(F.POSITIONBOOK_OBSERVED_CLOSED));
    expect(closed.quantity).toBe(0);
    expect(str(closed.pnl)).toBe("-8.43");
  });
  it("reads holdings with and without average price", () => {
    const [h] = mapHoldings(j(F.HOLDINGS_LIVE));
    expect(h).toMatchObject({ symbol: "RELIANCE", quantity: 1, averagePrice: null, ltp: null });
    expect(str(h.pnlPercent)).toBe("-11.1");
    expect(mapHoldings(j(F.HOLDINGS_OBSERVED_EMPTY))).toEqual([]);
  });
});

describe("market data and reference", () => {
  it("reads live quotes", () => {
    const q = mapQuote(j(F.QUOTES_LIVE));
    expect(str(q.ltp)).toBe("1187.75");
    expect(str(q.bid)).toBe("1187.85");
    expect(q.volume).toBe(14414545);
  });
  it("treats the sandbox's integer 0 bid/ask as no quote", () => {
    const q = mapQuote(j(F.QUOTES_OBSERVED));
    expect(q.bid).toBeNull();
    expect(q.ask).toBeNull();
    expect(str(q.ltp)).toBe("812.44");
    expect(str(q.prevClose)).toBe("0");
  });
  it("reads depth and drops zero padding levels", () => {
    const d = mapDepth(j(F.DEPTH_LIVE));
    expect(d.bids).toHaveLength(5);
    expect(str(d.asks[0].price)).toBe("769.6");
    expect(d.totalSellQuantity).toBe(835701);
    const padded = mapDepth(j(F.DEPTH_OBSERVED_PADDED));
    expect(padded.bids).toEqual([]);
    expect(padded.asks).toEqual([]);
  });
  it("reads a future's lot size, freeze quantity, expiry and tick", () => {
    const s = mapSymbol(j(F.SYMBOL_FUT_LIVE));
    expect(s).toMatchObject({
      symbol: "NIFTY25AUG26FUT",
      lotSize: 65,
      freezeQty: 1800,
      expiry: "2026-08-25",
      strike: null,
      token: "NSE_FO|49543",
    });
    expect(str(s.tickSize)).toBe("0.05");
  });
  it("treats freeze_qty 1 as unknown and a paise tick as rupees", () => {
    const s = mapSymbol(j(F.SYMBOL_EQ_OBSERVED));
    expect(s).toMatchObject({
      symbol: "SBIN",
      lotSize: 1,
      freezeQty: null,
      expiry: null,
      strike: null,
      instrumentType: "EQ",
    });
    expect(str(s.tickSize)).toBe("0.05");
  });
  it("reads search results per exchange, and an empty search", () => {
    const rows = mapSearch(j(F.SEARCH_OBSERVED));
    expect(rows.map((r) => [r.symbol, r.exchange, r.token, r.lotSize, r.freezeQty])).toEqual([
      ["SBIN", "NSE", "3045", 1, null],
      ["SBIN", "BSE", "500112", 1, null],
    ]);
    expect(mapSearch(j(F.SEARCH_OBSERVED_EMPTY))).toEqual([]);
  });
  it("converts DD-MMM-YY expiries to sorted ISO dates", () => {
    expect(mapExpiries(j(F.EXPIRY_LIVE))).toEqual(["2025-08-28", "2025-09-25", "2025-12-24"]);
    expect(mapExpiries(j(F.EXPIRY_OBSERVED_EMPTY))).toEqual([]);
    expect(() => mapExpiries({ status: "success", data: ["31-FEB-26"] })).toThrow(BrokerUnavailableError);
  });
  it("reads an option chain", () => {
    const c = mapOptionChain(j(F.OPTIONCHAIN_LIVE));
    expect(c).toMatchObject({ underlying: "NIFTY", expiry: "2026-08-25" });
    expect(str(c.atmStrike)).toBe("24550");
    expect(c.rows[0].ce).toMatchObject({ symbol: "NIFTY25AUG2624550CE", label: "ATM", lotSize: 75, oi: 4218300 });
    expect(str(c.rows[0].pe?.ltp ?? null)).toBe("262.4");
  });
});

describe("order writes", () => {
  it("maps placeorder successes to accepted", () => {
    expect(mapPlaceOrder(j(F.PLACE_LIVE))).toEqual({ kind: "accepted", orderId: "250408000989443" });
    expect(mapPlaceOrder(j(F.PLACE_OBSERVED))).toEqual({ kind: "accepted", orderId: "26112228321373" });
  });
  it("maps a semi-auto queueing to unknown with the pending id (it may still execute)", () => {
    const r = mapPlaceOrder(j(F.PLACE_SEMI_AUTO));
    expect(r).toMatchObject({ kind: "unknown", pendingOrderId: "123" });
  });
  it("maps an unreadable success body to unknown, never to accepted or rejected", () => {
    expect(mapPlaceOrder({ status: "success", orderid: "" }).kind).toBe("unknown");
    expect(mapPlaceOrder("garbage").kind).toBe("unknown");
  });
  it("reads modify and cancel replies", () => {
    expect(mapOrderIdReply(j(F.MODIFY_OBSERVED), "modifyorder")).toBe("26112261512332");
    expect(mapOrderIdReply(j(F.MODIFY_LIVE), "modifyorder")).toBe("250408001002736");
    expect(mapOrderIdReply(j(F.CANCEL_OBSERVED), "cancelorder")).toBe("26112261512332");
  });
});

describe("error bodies", () => {
  it("403 invalid key (wrong key or expired session) is auth, in both texts", () => {
    expect(classifyError(403, j(F.ERR_INVALID_KEY), F.ERR_INVALID_KEY)).toEqual({
      kind: "auth",
      message: "Invalid openalgo apikey",
    });
    expect(classifyError(403, j(F.ERR_SANDBOX_INVALID_KEY), F.ERR_SANDBOX_INVALID_KEY).kind).toBe("auth");
    expect(classifyError(401, j(F.ERR_INVALID_KEY), F.ERR_INVALID_KEY).kind).toBe("auth");
  });
  it("other 403s are refusals with the broker's text", () => {
    expect(classifyError(403, j(F.ERR_SEMI_AUTO_BLOCK), F.ERR_SEMI_AUTO_BLOCK)).toEqual({
      kind: "rejected",
      message: "Modify order is not allowed in Semi-Auto mode",
    });
    expect(classifyError(403, undefined, F.ERR_IP_BANNED)).toEqual({ kind: "rejected", message: F.ERR_IP_BANNED });
  });
  it("429 flask-restx bodies are rate limits", () => {
    expect(classifyError(429, j(F.ERR_429_API), F.ERR_429_API)).toEqual({
      kind: "rate_limited",
      message: "Rate limited by broker (50 per 1 second)",
    });
    expect(classifyError(429, j(F.ERR_429_ORDER), F.ERR_429_ORDER).kind).toBe("rate_limited");
  });
  it("reads all three validation shapes with their fields", () => {
    expect(classifyError(400, j(F.PLACE_MISSING_QTY), "").fields).toEqual({
      quantity: ["Missing data for required field."],
    });
    expect(classifyError(400, j(F.PLACE_TWO_FIELDS), "").fields).toEqual({
      strategy: ["Missing data for required field."],
      symbol: ["Missing data for required field."],
    });
    expect(classifyError(400, j(F.PLACE_BAD_EXCHANGE), "").fields?.exchange[0]).toMatch(/^Must be one of: NSE, NFO/);
    expect(classifyError(400, j(F.BASKET_NESTED), "").fields).toEqual({ "orders.0.strategy": ["Unknown field."] });
    expect(classifyError(400, j(F.ERR_DATA_UNKNOWN_FIELD), "")).toEqual({
      kind: "validation",
      message: "foo: Unknown field.",
      fields: { foo: ["Unknown field."] },
    });
    expect(classifyError(400, j(F.ERR_OPTIONS_VALIDATION), "").fields).toEqual({
      expiry_date: ["Missing data for required field."],
    });
    expect(classifyError(400, j(F.ERR_GREEKS_VALIDATION), "").fields).toEqual({
      symbol: ["Missing data for required field."],
    });
  });
  it("400 with a plain message is a business rejection carrying the broker's text", () => {
    expect(classifyError(400, j(F.PLACE_REJECT_FUNDS), "")).toEqual({
      kind: "rejected",
      message: "Insufficient funds. Required: ₹81294000.00, Available: ₹9968043.31, Shortage: ₹71325956.69",
    });
    expect(classifyError(400, j(F.PLACE_REJECT_CNC_SELL), "").kind).toBe("rejected");
    expect(classifyError(400, j(F.PLACE_REJECT_LOT), "").message).toBe("Quantity must be in multiples of lot size 75");
    expect(classifyError(400, j(F.CANCEL_COMPLETE), "").kind).toBe("rejected");
  });
  it("a flask-restx malformed-JSON 400 (no status key) is our validation problem", () => {
    expect(classifyError(400, j(F.ERR_BAD_JSON), F.ERR_BAD_JSON).kind).toBe("validation");
  });
  it("404s are not-found; 5xx and odd statuses are unavailable", () => {
    expect(classifyError(404, j(F.ORDERSTATUS_NOT_FOUND), "")).toEqual({
      kind: "not_found",
      message: "Order 12345 not found",
    });
    expect(classifyError(404, j(F.SYMBOL_NOT_FOUND), "").kind).toBe("not_found");
    expect(classifyError(404, j(F.OPTIONCHAIN_NOT_FOUND), "").message).toMatch(/^No strikes found/);
    expect(classifyError(404, j(F.ERR_UNKNOWN_PATH), "")).toEqual({
      kind: "unavailable",
      message: "No OpenAlgo API at /api/v1/nonexistent (check the host URL)",
    });
    expect(classifyError(500, j(F.ERR_INTERNAL), F.ERR_INTERNAL)).toEqual({
      kind: "unavailable",
      message: "Broker error HTTP 500: Internal Server Error",
    });
    expect(classifyError(500, j(F.ERR_UNEXPECTED), "").kind).toBe("unavailable");
    expect(classifyError(502, undefined, "<html>Bad gateway</html>").message).toBe(
      "Broker error HTTP 502: <html>Bad gateway</html>",
    );
    expect(classifyError(418, undefined, "").kind).toBe("unavailable");
  });
});

describe("order_update frames", () => {
  it("derives pending quantity on open events (OpenAlgo sends 0)", () => {
    const u = mapOrderUpdate(j(F.WS_UPDATE_OPEN));
    expect(u).toMatchObject({
      orderId: "26112261512332",
      status: "open",
      pendingQuantity: 1,
      filledQuantity: 0,
      averagePrice: null,
      mode: "analyze",
    });
  });
  it("reads complete events with the average fill price", () => {
    const u = mapOrderUpdate(j(F.WS_UPDATE_COMPLETE));
    expect(u).toMatchObject({ status: "complete", filledQuantity: 1, pendingQuantity: 0 });
    expect(str(u.averagePrice)).toBe("812.94");
    const live = mapOrderUpdate(j(F.WS_UPDATE_LIVE));
    expect(live).toMatchObject({ mode: "live", quantity: 10, filledQuantity: 10 });
    expect(str(live.averagePrice)).toBe("1423.85");
  });
});

describe("broker timestamps", () => {
  it("reads both dated formats as IST and refuses the rest", () => {
    expect(parseBrokerTime("2025-04-08 13:58:03")?.toISOString()).toBe("2025-04-08T08:28:03.000Z");
    expect(parseBrokerTime("08-Apr-2025 13:58:03")?.toISOString()).toBe("2025-04-08T08:28:03.000Z");
    expect(parseBrokerTime("13:58:03")).toBeNull();
    expect(parseBrokerTime("31-Feb-2025 10:00:00")).toBeNull();
    expect(parseBrokerTime("")).toBeNull();
  });
});
