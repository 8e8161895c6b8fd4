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

  it("a filtered order's first fill is one SKIPPED FILL event with the filter's reason; nothing after", () => {
    const nse = { exchange: "NSE", symbol: "SBIN" };
    const filled = only(input({ orders: [order(nse)] }));
    expect(filled).toMatchObject({ kind: "record", next: { ignoredReason: "filtered: exchange NSE not copied" } });
    if (filled.kind === "record")
      expect(filled.events).toMatchObject([{ kind: "FILL", quantity: 130, skipped: "exchange NSE not copied" }]);
    // Resting: recorded, no event; its first (partial) fill is the event, later ones are not followed.
    const resting = only(input({ orders: [order({ ...nse, status: "open", filledQuantity: 0 })] }));
    if (resting.kind === "record") expect(resting.events).toEqual([]);
    const awaiting = rec({ ignoredReason: "filtered: exchange NSE not copied" });
    const partial = only(
      input({ orders: [order({ ...nse, status: "open", filledQuantity: 65 })], recorded: new Map([["o1", awaiting]]) }),
    );
    expect(partial).toMatchObject({ prev: awaiting, next: { filledQty: 65, ignoredReason: awaiting.ignoredReason } });
    if (partial.kind === "record") expect(partial.events).toMatchObject([{ kind: "FILL", quantity: 65 }]);
    const logged = new Map([["o1", { ...awaiting, filledQty: 65, seq: 1 }]]);
    expect(detectChanges(input({ orders: [order(nse)], recorded: logged }))).toEqual([]);
    expect(needsTradeBook("FILLS", [order({ ...nse, status: "open", fillsReported: false })], logged)).toBe(false);
  });

  it("an ignored order stays ignored", () => {
    expect(detectChanges(input({ recorded: new Map([["o1", rec({ ignoredReason: "own" })]]) }))).toEqual([]);
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
