import { describe, expect, it } from "vitest";
import {
  accountPhaseDecision,
  matchOrderForIntent,
  rejectedCandidates,
  type BookOrder,
  type IntentForMatch,
} from "./intent-matcher";
import type { IntentState } from "./intents";

const SENT = 1_763_000_000_000;
const intent: IntentForMatch = {
  tag: "md0a1b2c3d4e5f6g",
  symbol: "NIFTY24NOV2626000CE",
  action: "BUY",
  quantity: 1755,
  product: "NRML",
  priceType: "LIMIT",
  sentAt: SENT,
};
const order = (over: Partial<BookOrder>): BookOrder => ({
  orderId: "O1",
  symbol: intent.symbol,
  action: "BUY",
  quantity: 1755,
  product: "NRML",
  priceType: "LIMIT",
  strategyTag: null,
  placedAt: SENT + 400,
  ...over,
});
const NONE = new Set<string>();
const opts = { clockSkewMs: 2_000 };

describe("matchOrderForIntent", () => {
  it("adopts the order carrying the intent's tag, whatever its time", () => {
    const r = matchOrderForIntent(
      intent,
      [order({ orderId: "X", strategyTag: "other" }), order({ orderId: "T", strategyTag: intent.tag, placedAt: null })],
      NONE,
      opts,
    );
    expect(r).toEqual({ kind: "tag", order: expect.objectContaining({ orderId: "T" }) });
  });

  it("reports a tagged order that differs from the intent as a conflict", () => {
    const r = matchOrderForIntent(intent, [order({ strategyTag: intent.tag, quantity: 65 })], NONE, opts);
    expect(r).toMatchObject({ kind: "conflict", reason: "tagged order differs: quantity 65" });
  });

  it("falls back to symbol + action + quantity + product + price type after the send (case-insensitive text)", () => {
    const r = matchOrderForIntent(
      intent,
      [order({ orderId: "F", symbol: intent.symbol.toLowerCase(), product: "nrml", priceType: "limit" })],
      NONE,
      opts,
    );
    expect(r).toEqual({ kind: "fields", order: expect.objectContaining({ orderId: "F" }) });
  });

  it.each<[string, Partial<BookOrder>]>([
    ["another symbol", { symbol: "NIFTY24NOV2626000PE" }],
    ["the other side", { action: "SELL" }],
    ["another quantity", { quantity: 65 }],
    ["another product", { product: "MIS" }],
    ["another price type", { priceType: "MARKET" }],
    ["another intent's tag", { strategyTag: "md999999999999999" }],
    ["placed before the send (beyond the skew allowance)", { placedAt: SENT - 2_001 }],
  ])("does not adopt an order with %s", (_label, patch) => {
    expect(matchOrderForIntent(intent, [order(patch)], NONE, opts)).toEqual({ kind: "none" });
  });

  it("allows the broker clock to run behind by the skew allowance", () => {
    expect(matchOrderForIntent(intent, [order({ placedAt: SENT - 2_000 })], NONE, opts).kind).toBe("fields");
    expect(matchOrderForIntent(intent, [order({ placedAt: SENT - 1 })], NONE, { clockSkewMs: 0 }).kind).toBe("none");
  });

  it("never adopts an order already linked to another intent", () => {
    const orders = [order({ orderId: "L" }), order({ orderId: "M", strategyTag: "md111111111111111" })];
    expect(matchOrderForIntent(intent, orders, new Set(["L", "M"]), opts)).toEqual({ kind: "none" });
    expect(
      matchOrderForIntent(
        intent,
        orders.slice(0, 1).concat(order({ orderId: "N", placedAt: SENT + 900 })),
        new Set(["L"]),
        opts,
      ),
    ).toMatchObject({
      kind: "fields",
      order: { orderId: "N" },
    });
  });

  it("reports an order with this intent's tag that is linked to another intent as a conflict, not as nothing", () => {
    const r = matchOrderForIntent(intent, [order({ orderId: "M", strategyTag: intent.tag })], new Set(["M"]), opts);
    expect(r).toMatchObject({ kind: "conflict", order: { orderId: "M" } });
  });

  it("adopts only by tag when the broker is known to keep tags", () => {
    const lookalike = [order({ orderId: "manual" })];
    expect(matchOrderForIntent(intent, lookalike, NONE, { ...opts, brokerKeepsTags: true })).toEqual({ kind: "none" });
    expect(
      matchOrderForIntent(intent, [...lookalike, order({ orderId: "T", strategyTag: intent.tag })], NONE, {
        ...opts,
        brokerKeepsTags: true,
      }),
    ).toMatchObject({
      kind: "tag",
      order: { orderId: "T" },
    });
  });

  it("reports two look-alike candidates as ambiguous instead of guessing", () => {
    const r = matchOrderForIntent(
      intent,
      [order({ orderId: "A" }), order({ orderId: "B", placedAt: SENT + 800 })],
      NONE,
      opts,
    );
    expect(r.kind).toBe("ambiguous");
    expect(r.kind === "ambiguous" && r.candidates.map((o) => o.orderId)).toEqual(["A", "B"]);
  });

  it("reports a duplicate tag as ambiguous", () => {
    const r = matchOrderForIntent(
      intent,
      [order({ orderId: "A", strategyTag: intent.tag }), order({ orderId: "B", strategyTag: intent.tag })],
      NONE,
      opts,
    );
    expect(r).toMatchObject({ kind: "ambiguous", reason: `2 orders carry the tag ${intent.tag}` });
  });

  it("reports a look-alike without a placement time as ambiguous (cannot prove it came after the send)", () => {
    const r = matchOrderForIntent(intent, [order({ orderId: "U", placedAt: null })], NONE, opts);
    expect(r).toMatchObject({ kind: "ambiguous", reason: "order U matches but the broker gives no placement time" });
  });

  it("finds nothing in an empty book and rejects a negative skew", () => {
    expect(matchOrderForIntent(intent, [], NONE, opts)).toEqual({ kind: "none" });
    expect(() => matchOrderForIntent(intent, [], NONE, { clockSkewMs: -1 })).toThrow(RangeError);
  });
});

describe("accountPhaseDecision", () => {
  const o = (intentId: string, state: IntentState, reason: string | null = null) => ({ intentId, state, reason });

  it("starts the SELL phase only when every BUY slice is accepted, adopted or filled", () => {
    expect(
      accountPhaseDecision([
        o("a", "accepted"),
        o("b", "filled"),
        o("c", "reconciled_accepted"),
        o("d", "partially_filled"),
      ]),
    ).toEqual({ kind: "start_sell_phase" });
    expect(accountPhaseDecision([])).toEqual({ kind: "start_sell_phase" });
  });

  it("waits while BUY slices are still in flight", () => {
    for (const s of ["planned", "claimed", "sending", "unknown"] as const) {
      expect(accountPhaseDecision([o("a", "accepted"), o("b", s)])).toEqual({ kind: "wait", pending: ["b"] });
    }
  });

  it.each(["rejected", "rejected_late", "cancelled", "skipped", "safe_to_resend"] as const)(
    "skips the SELL legs when a BUY slice is %s",
    (state) => {
      const d = accountPhaseDecision([
        o("a", "accepted"),
        o("b", state, state === "rejected" ? "RMS: margin" : null),
        o("c", "sending"),
      ]);
      expect(d).toMatchObject({ kind: "skip_sell_phase", failed: ["b"] });
      expect(d.kind === "skip_sell_phase" && d.reason).toMatch(/^BUY phase failed, SELL legs not sent: b /);
    },
  );

  it("explains each failure in the reason", () => {
    const d = accountPhaseDecision([o("a", "rejected", "RMS: margin"), o("b", "safe_to_resend")]);
    expect(d.kind === "skip_sell_phase" && d.reason).toBe(
      "BUY phase failed, SELL legs not sent: a rejected (RMS: margin); b unconfirmed after reconciliation",
    );
  });
});

describe("rejected candidates (the evidence written before a resend)", () => {
  it("names every same-contract, same-side order of the book and why it is not the intent's", () => {
    const intent = {
      tag: "md-intent-1",
      symbol: "NIFTY08DEC2626100CE",
      action: "BUY" as const,
      quantity: 65,
      product: "NRML",
      priceType: "MARKET",
      sentAt: 1_000_000,
    };
    const base = {
      symbol: "NIFTY08DEC2626100CE",
      action: "BUY" as const,
      quantity: 65,
      product: "NRML",
      priceType: "MARKET",
      placedAt: 1_000_500,
    };
    const book = [
      { ...base, orderId: "a", strategyTag: "md-other" },
      { ...base, orderId: "b", strategyTag: null },
      { ...base, orderId: "c", strategyTag: null, quantity: 130 },
      { ...base, orderId: "d", strategyTag: null, placedAt: 990_000 },
      { ...base, orderId: "e", strategyTag: null, action: "SELL" as const },
    ];
    expect(rejectedCandidates(intent, book, new Set(["b"]), { clockSkewMs: 2_000 })).toEqual([
      { orderId: "a", reason: "tagged md-other" },
      { orderId: "b", reason: "linked to another intent" },
      { orderId: "c", reason: "different quantity 130" },
      { orderId: "d", reason: "placed 10 s before the send" },
    ]);
  });
});
