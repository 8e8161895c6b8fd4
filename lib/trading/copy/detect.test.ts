import Decimal from "decimal.js";
import { describe, expect, it } from "vitest";
import {
  detectChanges,
  needsTradeBook,
  type DetectInput,
  type MasterBookOrder,
  type RecordedMasterOrder,
} from "./detect";

const T0 = Date.UTC(2026, 11, 7, 4, 0, 0);
const order = (over: Partial<MasterBookOrder> = {}): MasterBookOrder => ({
  orderId: "o1",
  symbol: "NIFTY08DEC2624500CE",
  exchange: "NFO",
  action: "BUY",
  product: "NRML",
  quantity: 130,
  filledQuantity: 130,
  price: new Decimal(0),
  triggerPrice: new Decimal(0),
  priceType: "MARKET",
  status: "complete",
  strategy: "Terminal",
  placedAt: new Date(T0 + 5_000),
  ...over,
});
const rec = (over: Partial<RecordedMasterOrder> = {}): RecordedMasterOrder => ({
  masterOrderId: "o1",
  priceType: "MARKET",
  price: new Decimal(0),
  triggerPrice: new Decimal(0),
  quantity: 130,
  filledQty: 0,
  status: "open",
  ignoredReason: null,
  seq: 0,
  ...over,
});
const input = (over: Partial<DetectInput> = {}): DetectInput => ({
  mode: "FILLS",
  filters: { exchanges: ["NFO"], products: [], allowSymbols: [], denySymbols: [], windowStart: null, windowEnd: null },
  startedAt: T0,
  orders: [order()],
  tradeFilled: null,
  recorded: new Map(),
  ownOrderIds: new Set(),
  unresolved: [],
  clockSkewMs: 1_000,
  ...over,
});
const only = (i: DetectInput) => {
  const changes = detectChanges(i);
  expect(changes).toHaveLength(1);
  return changes[0];
};

describe("detectChanges: FILLS mode", () => {
  it("a new filled order is one FILL event of its units", () => {
    const c = only(input());
    expect(c).toMatchObject({ kind: "record", prev: null, next: { filledQty: 130, ignoredReason: null } });
    if (c.kind === "record") expect(c.events).toMatchObject([{ kind: "FILL", action: "BUY", quantity: 130 }]);
  });

  it("a partial fill then the rest: two deltas", () => {
    const partial = only(input({ orders: [order({ status: "open", filledQuantity: 65 })] }));
    if (partial.kind === "record") expect(partial.events).toMatchObject([{ kind: "FILL", quantity: 65 }]);
    const rest = only(input({ recorded: new Map([["o1", rec({ filledQty: 65, seq: 1 })]]) }));
    if (rest.kind === "record") expect(rest.events).toMatchObject([{ kind: "FILL", quantity: 65 }]);
  });

  it("filled quantity never decreases: a book behind the records changes nothing", () => {
    const behind = input({
      orders: [order({ status: "open", filledQuantity: 0 })],
      recorded: new Map([["o1", rec({ filledQty: 65, seq: 1 })]]),
    });
    expect(detectChanges(behind)).toEqual([]);
  });

  it("live rows without fill quantities take the trade book's units", () => {
    const live = order({ status: "open", filledQuantity: 0, fillsReported: false });
    expect(needsTradeBook("FILLS", [live], new Map())).toBe(true);
    // ORDERS groups count the master's fills of copied orders too; an ignored order needs no fills.
    expect(needsTradeBook("ORDERS", [live], new Map())).toBe(true);
    expect(needsTradeBook("ORDERS", [live], new Map([["o1", rec({ ignoredReason: "own" })]]))).toBe(false);
    const c = only(input({ orders: [live], tradeFilled: new Map([["o1", 65]]) }));
    if (c.kind === "record") expect(c.events).toMatchObject([{ kind: "FILL", quantity: 65 }]);
  });

  it("an unchanged recorded order is no change", () => {
    expect(
      detectChanges(input({ recorded: new Map([["o1", rec({ filledQty: 130, status: "complete", seq: 1 })]]) })),
    ).toEqual([]);
  });

  it.each([
    [
      "placed before copying started: baseline",
      order({ placedAt: new Date(T0 - 60_000) }),
      new Set<string>(),
      "baseline",
    ],
    ["one of our intents' orders: own", order(), new Set(["o1"]), "own"],
    ["tagged with an intent id: own", order({ strategy: "md0123456789abc" }), new Set<string>(), "own"],
  ])("%s", (_n, o, own, reason) => {
    const c = only(input({ orders: [o], ownOrderIds: own }));
    expect(c).toMatchObject({ kind: "record", next: { ignoredReason: reason }, events: [] });
  });

  it("an ignored order stays ignored, but what it fills later moves the master's position (never copied)", () => {
    const own = rec({ ignoredReason: "own", filledQty: 65 });
    const c = only(input({ orders: [order({ action: "SELL" })], recorded: new Map([["o1", own]]) }));
    expect(c).toMatchObject({ kind: "record", events: [], uncopiedFill: -65, next: { ignoredReason: "own" } });
    const done = rec({ ignoredReason: "own", filledQty: 130, status: "complete" });
    expect(detectChanges(input({ recorded: new Map([["o1", done]]) }))).toEqual([]);
    // ORDERS mode keeps no position.
    expect(detectChanges(input({ mode: "ORDERS", recorded: new Map([["o1", own]]) }))).toEqual([]);
  });

  it("fills never copied: an own or filtered order's first sight counts; a baseline order's is in the baseline", () => {
    expect(only(input({ ownOrderIds: new Set(["o1"]) }))).toMatchObject({ uncopiedFill: 130, events: [] });
    const old = order({ placedAt: new Date(T0 - 5_000) });
    expect(only(input({ orders: [old] }))).toMatchObject({ uncopiedFill: 0, next: { ignoredReason: "baseline" } });
    const stop = rec({ ignoredReason: "baseline", status: "trigger_pending" });
    expect(only(input({ orders: [order({ action: "SELL" })], recorded: new Map([["o1", stop]]) }))).toMatchObject({
      uncopiedFill: -130,
    });
    // A live row of a working order never copied needs the trade book too.
    const live = order({ status: "open", filledQuantity: 0, fillsReported: false });
    expect(needsTradeBook("FILLS", [live], new Map([["o1", stop]]))).toBe(true);
    const cancelled = order({ status: "cancelled", filledQuantity: 0, fillsReported: false });
    expect(needsTradeBook("FILLS", [cancelled], new Map([["o1", stop]]))).toBe(true);
    expect(needsTradeBook("FILLS", [cancelled], new Map([["o1", { ...stop, status: "cancelled" }]]))).toBe(false);
  });

  it("orders placed in the same broker second are taken in order-id order", () => {
    const at = new Date(T0 + 5_000);
    const orders = [
      order({ orderId: "26120700000010", action: "BUY", placedAt: at }),
      order({ orderId: "26120700000009", action: "SELL", placedAt: at }),
      order({ orderId: "26120699999999", action: "SELL", placedAt: new Date(T0 + 4_000) }),
    ];
    expect(detectChanges(input({ orders })).map((c) => (c.kind === "record" ? c.order.orderId : c.kind))).toEqual([
      "26120699999999",
      "26120700000009",
      "26120700000010",
    ]);
  });

  it("a filtered order's first fill is one SKIPPED FILL event with the filter's reason; later fills only count", () => {
    const nse = { exchange: "NSE", symbol: "SBIN" };
    const filled = only(input({ orders: [order(nse)] }));
    expect(filled).toMatchObject({ kind: "record", next: { ignoredReason: "filtered: exchange NSE not copied" } });
    if (filled.kind === "record")
      expect(filled.events).toMatchObject([{ kind: "FILL", quantity: 130, skipped: "exchange NSE not copied" }]);
    // Resting: recorded, no event; its first (partial) fill is the event, later ones move the master's count only.
    const resting = only(input({ orders: [order({ ...nse, status: "open", filledQuantity: 0 })] }));
    if (resting.kind === "record") expect(resting.events).toEqual([]);
    const awaiting = rec({ ignoredReason: "filtered: exchange NSE not copied" });
    const partial = only(
      input({ orders: [order({ ...nse, status: "open", filledQuantity: 65 })], recorded: new Map([["o1", awaiting]]) }),
    );
    expect(partial).toMatchObject({
      prev: awaiting,
      next: { filledQty: 65, ignoredReason: awaiting.ignoredReason },
      uncopiedFill: 65,
    });
    if (partial.kind === "record") expect(partial.events).toMatchObject([{ kind: "FILL", quantity: 65 }]);
    const logged = new Map([["o1", { ...awaiting, filledQty: 65, seq: 1 }]]);
    expect(only(input({ orders: [order(nse)], recorded: logged }))).toMatchObject({ events: [], uncopiedFill: 65 });
    // ORDERS mode: its PLACE is the SKIPPED event, and the order is not followed after.
    const place = only(input({ mode: "ORDERS", orders: [order({ ...nse, status: "open", filledQuantity: 0 })] }));
    if (place.kind === "record")
      expect(place.events).toMatchObject([{ kind: "PLACE", skipped: "exchange NSE not copied" }]);
    const placed = new Map([["o1", { ...awaiting, seq: 1 }]]);
    expect(detectChanges(input({ mode: "ORDERS", orders: [order(nse)], recorded: placed }))).toEqual([]);
  });

  it("an order that could be our unresolved intent is held, not recorded", () => {
    const unresolved = [
      { symbol: "NIFTY08DEC2624500CE", exchange: "NFO", action: "BUY" as const, quantity: 130, since: T0 },
    ];
    expect(only(input({ unresolved }))).toMatchObject({ kind: "held", orderId: "o1" });
    // Another size, or placed before the intent's send, is not ours.
    expect(only(input({ unresolved: [{ ...unresolved[0], quantity: 65 }] })).kind).toBe("record");
    expect(only(input({ unresolved: [{ ...unresolved[0], since: T0 + 60_000 }] })).kind).toBe("record");
  });
});

describe("detectChanges: ORDERS mode", () => {
  const limit = (over: Partial<MasterBookOrder> = {}) =>
    order({ status: "open", filledQuantity: 0, priceType: "LIMIT", price: new Decimal(100), ...over });
  const recLimit = rec({ priceType: "LIMIT", price: new Decimal(100), seq: 1 });

  it("a new order is PLACE; a dead one on first sight is nothing", () => {
    const c = only(input({ mode: "ORDERS", orders: [limit()] }));
    if (c.kind === "record") expect(c.events).toMatchObject([{ kind: "PLACE", quantity: 130, priceType: "LIMIT" }]);
    const dead = only(input({ mode: "ORDERS", orders: [limit({ status: "rejected" })] }));
    if (dead.kind === "record") expect(dead.events).toEqual([]);
  });

  it.each([
    ["a new price", limit({ price: new Decimal(101) }), "MODIFY"],
    ["a new quantity", limit({ quantity: 195 }), "MODIFY"],
    ["a new trigger price", limit({ triggerPrice: new Decimal(99) }), "MODIFY"],
    ["cancelled", limit({ status: "cancelled" }), "CANCEL"],
    ["rejected", limit({ status: "rejected" }), "CANCEL"],
  ])("%s", (_n, o, kind) => {
    const c = only(input({ mode: "ORDERS", orders: [o], recorded: new Map([["o1", recLimit]]) }));
    if (c.kind === "record") expect(c.events.map((e) => e.kind)).toEqual([kind]);
  });

  it("a fill in ORDERS mode is recorded without an event", () => {
    const c = only(
      input({
        mode: "ORDERS",
        orders: [limit({ status: "complete", filledQuantity: 130 })],
        recorded: new Map([["o1", recLimit]]),
      }),
    );
    expect(c).toMatchObject({ kind: "record", events: [], next: { status: "complete", filledQty: 130 } });
  });

  it("a filtered order is one SKIPPED PLACE with the filter's reason, then never followed", () => {
    const mis = limit({ product: "MIS" });
    const filters = { ...input().filters, products: ["NRML"] };
    const c = only(input({ mode: "ORDERS", filters, orders: [mis] }));
    expect(c).toMatchObject({ kind: "record", next: { ignoredReason: "filtered: product MIS not copied" } });
    if (c.kind === "record")
      expect(c.events).toMatchObject([{ kind: "PLACE", quantity: 130, skipped: "product MIS not copied" }]);
    const recorded = new Map([["o1", rec({ ignoredReason: "filtered: product MIS not copied", seq: 1 })]]);
    expect(
      detectChanges(input({ mode: "ORDERS", filters, orders: [limit({ product: "MIS", quantity: 195 })], recorded })),
    ).toEqual([]);
  });
});
